"""The figures a dashboard shows, kept in the shared cache between two refreshes.

A dashboard's figures are a function of the snapshot (which changes only when a refresh
commits), of the managers' targets, of the Decision 766 scoring versions and of the
organisation and catalogue (the units below, the procedures counted by the index). The
cache key carries the snapshot's watermark and a generation that every write of one of
those changes (`forget_figures`, connected to their model signals in reporting.apps); bulk
writes that send no signal (the CSV imports) are bounded by DASHBOARD_CACHE_SECONDS. When
the cache cannot be reached the figures are computed, as they would be without it."""

import logging
import uuid
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from portal.resilience import CACHE_ERRORS

logger = logging.getLogger(__name__)

T = TypeVar("T")

_GENERATION_KEY = "reporting:figures-generation"


def forget_figures(**_: object) -> None:
    """Every dashboard's cached figures are stale once the current transaction commits
    (at once outside one). Takes signal arguments, so it can be connected directly."""
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    try:
        cache.set(_GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: dashboard figures not invalidated")


def _text(part: Hashable) -> str:
    isoformat = getattr(part, "isoformat", None)
    return isoformat() if isoformat is not None else str(part)


def cached_figures(parts: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave for the same `parts` since the last change."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    try:
        generation = cache.get(_GENERATION_KEY)
        if generation is None:
            cache.add(_GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(_GENERATION_KEY)
        key = "reporting:figures:" + ":".join(map(_text, (generation, *parts)))
        found = cache.get(key)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: dashboard figures computed")
        return compute()
    if found is not None:
        return cast(T, found)
    value = compute()
    try:
        cache.set(key, value, timeout=seconds)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: dashboard figures not kept")
    return value
