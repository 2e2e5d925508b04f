"""Values kept in the shared cache until what they are made of changes: each is stored with
the version current when it was computed, and a write of its sources renews the version
(`forget`), so that every value stored before is ignored from then on. Reading a value and
the version is one round trip. When the cache cannot be reached the value is computed, as
it would be without a cache, and the failure logged."""

import logging
import uuid
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar, cast

from django.core.cache import cache
from django.db import transaction

from portal.resilience import CACHE_ERRORS

logger = logging.getLogger(__name__)

T = TypeVar("T")


class VersionedCache:
    def __init__(self, name: str) -> None:
        self.name = name
        self.version_key = f"{name}:version"

    def get_or_compute(self, key: str, compute: Callable[[], T], *, timeout: int) -> T:
        """The value stored under `key` since the last change, else `compute()` (stored)."""
        try:
            found = cache.get_many([self.version_key, key])
            version, stored = found.get(self.version_key), found.get(key)
            if version is not None and stored is not None and stored[0] == version:
                return cast(T, stored[1])
            if version is None:
                # Read before computing: a value computed from rows a write then changes
                # is stored under the version that write replaces, so it is never read.
                cache.add(self.version_key, uuid.uuid4().hex, timeout=None)
                version = cache.get(self.version_key)
        except CACHE_ERRORS:
            logger.warning("cache unavailable: %s computed", self.name)
            return compute()
        value = compute()
        with suppress(*CACHE_ERRORS):
            cache.set(key, (version, value), timeout=timeout)
        return value

    def forget(self) -> None:
        """Every value stored so far is stale: now, and again once the current transaction
        commits (a value computed in between, from rows not yet committed, would otherwise
        stay). Outside a transaction both happen at once."""
        self._renew()
        transaction.on_commit(self._renew)

    def _renew(self) -> None:
        # While the cache is down nothing stored is read either; what was stored before
        # lives at most as long as its timeout.
        with suppress(*CACHE_ERRORS):
            cache.set(self.version_key, uuid.uuid4().hex, timeout=None)
