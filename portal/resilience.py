"""The shared cache (Redis) may be down for a while; what people submit must still go
through. Functions that only count, throttle or guard with the cache fail open: they log
and give a safe default rather than turn a reception or a sign-up into a server error."""

import logging
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
D = TypeVar("D")

CACHE_ERRORS = (RedisError, ConnectionError, TimeoutError)


def cache_fails_open(default: D, what: str) -> Callable[[Callable[P, R]], Callable[P, R | D]]:
    """Decorate a function whose only outside call is to the cache: when the cache cannot be
    reached it returns `default` and logs `what` was skipped."""

    def decorate(function: Callable[P, R]) -> Callable[P, R | D]:
        @wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | D:
            try:
                return function(*args, **kwargs)
            except CACHE_ERRORS:
                logger.warning("cache unavailable: %s", what)
                return default

        return wrapper

    return decorate
