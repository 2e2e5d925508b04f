"""The figures a dashboard shows, kept in the shared cache between two refreshes.

A dashboard's figures are a function of the snapshot (which changes only when a refresh
commits), of the managers' targets, of the Decision 766 scoring versions and of the
organisation and catalogue (the units below, the procedures counted by the index). The
cache key carries the snapshot's watermark, and every write of one of those renews the
version the figures are kept under (`forget_figures`, connected to their model signals in
reporting.apps: portal.versioned_cache); bulk writes that send no signal (the CSV
imports) are bounded by DASHBOARD_CACHE_SECONDS. When the cache cannot be reached the
figures are computed, as they would be without it."""

from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings

from portal.versioned_cache import VersionedCache

T = TypeVar("T")

_FIGURES = VersionedCache("reporting:figures")


def forget_figures(**_: object) -> None:
    """Every dashboard's cached figures are stale (now and once the current transaction
    commits). Takes signal arguments, so it can be connected directly."""
    _FIGURES.forget()


def _text(part: Hashable) -> str:
    isoformat = getattr(part, "isoformat", None)
    return isoformat() if isoformat is not None else str(part)


def cached_figures(parts: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave for the same `parts` since the last change."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    key = "reporting:figures:" + ":".join(map(_text, parts))
    return _FIGURES.get_or_compute(key, compute, timeout=seconds)
