"""A reader of gettext catalogues (.po), enough for the tests: no package provides one."""

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str = ""
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    places: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


def entries(path: Path) -> list[Entry]:
    """Every entry of the catalogue but its header."""
    result: list[Entry] = []
    entry, last = Entry(), None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
        if not line:
            if entry.msgid or entry.msgstr:
                result.append(entry)
            entry, last = Entry(), None
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#:"):
            entry.places += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, last, ast.literal_eval(line))
        else:
            keyword, _, value = line.partition(" ")
            last = keyword
            _append(entry, last, ast.literal_eval(value))
    return [e for e in result if e.msgid and not e.obsolete]


def _append(entry: Entry, keyword: str | None, text: str) -> None:
    if keyword in ("msgid", "msgid_plural", "msgctxt"):
        setattr(entry, keyword, getattr(entry, keyword) + text)
    elif keyword == "msgstr":
        entry.msgstr[0] = entry.msgstr.get(0, "") + text
    elif keyword and keyword.startswith("msgstr["):
        index = int(keyword[7:-1])
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
