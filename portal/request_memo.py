"""A memo that lives exactly as long as one request. What a request reads many times and
cannot change while it runs (an officer's scope, a unit's subtree) is worked out once;
outside a request (tasks, commands, tests calling selectors) there is no memo and every
call reads afresh."""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_memo: ContextVar[dict[Any, Any] | None] = ContextVar("request_memo", default=None)


def request_memo() -> dict[Any, Any] | None:
    """The current request's memo, or None outside a request."""
    return _memo.get()


def forget_request_memo() -> None:
    """Call after a write that changes what the memo holds, in the same request."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


class RequestMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
