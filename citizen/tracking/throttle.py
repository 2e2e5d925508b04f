"""Throttling of the status lookup (RULES.md §7): a receipt's secret has 32^8 values, so
guessing is hopeless only while failed attempts are few. Failures are counted per client
address (portal.client_ip: an IPv4 address or an IPv6 /64), per dossier code and per both,
successes per address at a higher limit, in the shared cache for a fixed window.

A code whose failures reach the limit stays open to an address that has not failed on it
(its holder, most likely): whoever knows a code cannot lock its holder out with wrong
secrets, and a guesser gets one try per fresh address, each under the address limit."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

from portal import throttles
from portal.client_ip import client_network
from portal.resilience import CACHE_ERRORS

logger = logging.getLogger(__name__)

# Namespaces the counters in the shared cache (tests give themselves their own).
PREFIX = "tracking:lookup"


def window() -> timedelta:
    """How long the counters of a first attempt last (LOOKUP_WINDOW_MINUTES)."""
    return timedelta(minutes=settings.LOOKUP_WINDOW_MINUTES)


@dataclass(frozen=True)
class Counters:
    """The cache keys of one attempt: who asks, about which code."""

    failures_by_address: str
    failures_by_code: str
    failures_by_address_and_code: str
    lookups_by_address: str


def _digest(text: str) -> str:
    # Any text (a typed code, an IPv6 network) becomes a short, safe cache key.
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def counters(request: HttpRequest, code: str) -> Counters:
    address = _digest(client_network(request))
    code_key = _digest(code.strip().upper())
    return Counters(
        failures_by_address=f"{PREFIX}:fail:ip:{address}",
        failures_by_code=f"{PREFIX}:fail:code:{code_key}",
        failures_by_address_and_code=f"{PREFIX}:fail:ip-code:{address}:{code_key}",
        lookups_by_address=f"{PREFIX}:ok:ip:{address}",
    )


def blocked(keys: Counters) -> bool:
    """Whether this attempt must be refused before the secret is even checked; counts it
    against the address's lookups (LOOKUPS_PER_ADDRESS) in the same round trip to the
    cache, which is the only one an answered lookup makes. While the cache is down the
    counters are kept in the database (portal.throttles): an outage opens no door."""
    failures = (keys.failures_by_address, keys.failures_by_code, keys.failures_by_address_and_code)
    try:
        values = _read_and_count(failures, keys.lookups_by_address)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: lookup throttled in the database")
        found = throttles.counts(failures)
        made = throttles.increment([keys.lookups_by_address], seconds=_seconds())
        values = [found.get(key, 0) for key in failures] + [made[keys.lookups_by_address]]
    by_address, by_code, by_address_and_code, lookups = values
    if by_address >= settings.LOOKUP_FAILURES_PER_ADDRESS or lookups > settings.LOOKUPS_PER_ADDRESS:
        return True
    # A code under attack is closed only to the addresses that failed on it.
    return by_code >= settings.LOOKUP_FAILURES_PER_CODE and by_address_and_code > 0


def count_failure(keys: Counters) -> None:
    failures = (keys.failures_by_address, keys.failures_by_code, keys.failures_by_address_and_code)
    try:
        _count(*failures)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: lookup failure counted in the database")
        throttles.increment(failures, seconds=_seconds())


def _seconds() -> int:
    return int(window().total_seconds())


def _redis():
    """The Redis client behind Django's cache, or None for another backend (the demo's
    local memory), which takes the same steps one call at a time."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True)
    return None


def _read_and_count(read: tuple[str, ...], counted: str) -> list[int]:
    """The values of `read` and of `counted` after adding one to it."""
    client = _redis()
    seconds = int(window().total_seconds())
    if client is None:
        found = cache.get_many(read)
        _count(counted)
        return [found.get(key, 0) for key in read] + [cache.get(counted, 0)]
    pipe = client.pipeline(transaction=False)
    pipe.mget([cache.make_and_validate_key(key) for key in read])
    _pipe_increment(pipe, cache.make_and_validate_key(counted), seconds)
    values, _, total = pipe.execute()
    return [int(value or 0) for value in values] + [int(total)]


def _count(*keys: str) -> None:
    seconds = int(window().total_seconds())
    client = _redis()
    if client is None:
        for key in keys:
            _increment(key, seconds)
        return
    pipe = client.pipeline(transaction=False)
    for key in keys:
        _pipe_increment(pipe, cache.make_and_validate_key(key), seconds)
    pipe.execute()


def _pipe_increment(pipe, key: str, seconds: int) -> None:
    # The window starts with the first attempt and does not slide: the expiry is set
    # with the key, and INCR keeps it.
    pipe.set(key, 0, ex=seconds, nx=True)
    pipe.incr(key)


def _increment(key: str, seconds: int) -> None:
    cache.add(key, 0, timeout=seconds)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr: this attempt opens a new window
        cache.add(key, 1, timeout=seconds)
