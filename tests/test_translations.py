"""Issue #15: no English on any page, PDF or export under `vi`. Every string marked for
translation in the code has a Vietnamese translation in locale/vi, none is left fuzzy (a
guess by makemessages), and the catalogue is compiled. The browser journeys compare the
pages under `vi` and `en` for what is not marked at all."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from tests.po import entries

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
APPS = ("portal", "dossiers", "procedures", "reception", "reporting", "citizen", "templates")
# {% translate "…" %} / {% trans "…" %} and _("…"), gettext("…"), gettext_lazy("…") on one line.
TEMPLATE_STRING = re.compile(r'{%\s*trans(?:late)?\s+"((?:[^"\\]|\\.)+)"')
PYTHON_STRING = re.compile(r'\b(?:_|gettext|gettext_lazy)\(\s*"((?:[^"\\]|\\.)+)"\s*\)')


def used_msgids() -> dict[str, str]:
    """Marked strings → where one is used."""
    found: dict[str, str] = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if "tests" in path.parts or "migrations" in path.parts or not path.is_file():
                continue
            pattern = {".html": TEMPLATE_STRING, ".txt": TEMPLATE_STRING, ".py": PYTHON_STRING}
            if path.suffix not in pattern:
                continue
            for text in pattern[path.suffix].findall(path.read_text(encoding="utf-8")):
                found.setdefault(text.replace('\\"', '"'), str(path.relative_to(ROOT)))
    return found


def test_every_catalogue_entry_is_translated_and_none_is_fuzzy() -> None:
    untranslated = [
        f"{entry.places[:1]} {entry.msgid!r}"
        for entry in entries(CATALOGUE)
        if not entry.translated
    ]

    assert untranslated == []


def test_every_string_marked_in_the_code_is_in_the_catalogue() -> None:
    known = {entry.msgid for entry in entries(CATALOGUE)}
    used = used_msgids()

    assert len(used) > 500
    missing = sorted(f"{where}: {msgid!r}" for msgid, where in used.items() if msgid not in known)
    assert missing == [], "run `make messages` and translate the new entries"


def test_the_compiled_catalogue_says_what_the_source_says() -> None:
    with translation.override("vi"):
        stale = [
            entry.msgid
            for entry in entries(CATALOGUE)
            if not entry.msgctxt
            and not entry.msgid_plural
            and translation.gettext(entry.msgid) != entry.msgstr[0]
        ]

    assert stale == [], "run `make messages` (compilemessages)"
