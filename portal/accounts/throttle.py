"""Throttling of sign-up: the form says whether an email, phone number or citizen ID already
has an account (people need to know), so the attempts from one client address
(portal.client_ip: an IPv4 address or an IPv6 /64) are limited, in the shared cache, for a
fixed window."""

import hashlib
from datetime import timedelta

from django.core.cache import cache
from django.http import HttpRequest

from portal.client_ip import client_network
from portal.resilience import cache_fails_open

WINDOW = timedelta(hours=1)
# A family, or a few people helped at one connection: generous for people, not for a script.
SIGNUPS_PER_ADDRESS = 10
# Namespaces the counters in the shared cache (tests give themselves their own).
PREFIX = "accounts:signup"


def signup_allowed(request: HttpRequest) -> bool:
    """Count this sign-up attempt; False once the address has used up its window. With the
    cache down the sign-up goes through unthrottled: nobody loses what they typed."""
    return _count_attempt(request)


@cache_fails_open(True, "sign-up not throttled")
def _count_attempt(request: HttpRequest) -> bool:
    address = hashlib.sha256(client_network(request).encode()).hexdigest()[:32]
    key = f"{PREFIX}:ip:{address}"
    timeout = int(WINDOW.total_seconds())
    # The window starts with the first attempt and does not slide: add() sets the expiry
    # once, incr() keeps it.
    cache.add(key, 0, timeout=timeout)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr: this attempt opens a new window
        cache.add(key, 1, timeout=timeout)
        attempts = 1
    return attempts <= SIGNUPS_PER_ADDRESS
