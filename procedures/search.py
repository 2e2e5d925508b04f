"""Search that ignores Vietnamese diacritics and case, the same on PostgreSQL and SQLite.

Citizens type "dang ky khai sinh" on a phone keyboard without Telex; the catalogue says
"Đăng ký khai sinh". Each searchable row stores its text folded once (`fold`) and a
query is folded the same way, so a plain `LIKE` answers on every database."""

import re
import unicodedata

# Đ/đ is a letter of its own, not D plus a combining mark: NFD leaves it whole.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})
_SEPARATORS = re.compile(r"[^\w.]+")


def fold(text: str) -> str:
    """Lower case, without diacritics, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_SEPARATORS.sub(" ", bare.lower()).split())


def query_terms(query: str, *, limit: int = 8) -> list[str]:
    """The folded words of a query; every one must occur (a prefix or part of a word
    counts: "khai sin" finds "khai sinh"). Bounded so a pasted paragraph stays cheap."""
    terms = (word.strip(".") for word in fold(query).split())
    return [term for term in terms if term][:limit]
