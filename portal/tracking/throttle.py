"""Throttling of the status lookup (RULES.md §7): a receipt's secret has 32^8 values, so
guessing is hopeless only while failed attempts are few. Failures are counted per client
address (portal.client_ip: an IPv4 address or an IPv6 /64), per dossier code and per both,
successes per address at a higher limit, in the shared cache for a fixed window.

A code whose failures reach the limit stays open to an address that has not failed on it
(its holder, most likely): whoever knows a code cannot lock its holder out with wrong
secrets, and a guesser gets one try per fresh address, each under the address limit."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.http import HttpRequest

from portal.client_ip import client_network
from portal.resilience import cache_fails_open

WINDOW = timedelta(minutes=15)
FAILURES_PER_ADDRESS = 5
FAILURES_PER_CODE = 5
# A family checking a few receipts, or a reception point behind one address: generous.
LOOKUPS_PER_ADDRESS = 60
# Namespaces the counters in the shared cache (tests give themselves their own).
PREFIX = "tracking:lookup"


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


@cache_fails_open(False, "lookup not throttled")
def blocked(keys: Counters) -> bool:
    """Whether this attempt must be refused before the secret is even checked."""
    found = cache.get_many(
        [
            keys.failures_by_address,
            keys.failures_by_code,
            keys.failures_by_address_and_code,
            keys.lookups_by_address,
        ]
    )
    if (
        found.get(keys.failures_by_address, 0) >= FAILURES_PER_ADDRESS
        or found.get(keys.lookups_by_address, 0) >= LOOKUPS_PER_ADDRESS
    ):
        return True
    # A code under attack is closed only to the addresses that failed on it.
    return (
        found.get(keys.failures_by_code, 0) >= FAILURES_PER_CODE
        and found.get(keys.failures_by_address_and_code, 0) > 0
    )


@cache_fails_open(None, "lookup failure not counted")
def count_failure(keys: Counters) -> None:
    _increment(keys.failures_by_address)
    _increment(keys.failures_by_code)
    _increment(keys.failures_by_address_and_code)


@cache_fails_open(None, "lookup not counted")
def count_success(keys: Counters) -> None:
    _increment(keys.lookups_by_address)


def _increment(key: str) -> None:
    # The window starts with the first attempt and does not slide: add() sets the expiry
    # once, incr() keeps it.
    cache.add(key, 0, timeout=int(WINDOW.total_seconds()))
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr: this attempt opens a new window
        cache.add(key, 1, timeout=int(WINDOW.total_seconds()))
