"""How a partner is recognised and limited: an API key, its scopes, its own rate."""

import hashlib
import json
from functools import wraps
from typing import cast

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request
from rest_framework.response import Response

from reception.errors import IdempotencyKeyRequiredError, IdempotencyKeyReusedError
from reception.models import IdempotencyRecord, PartnerClient
from reception.postal.keys import KEY_SCHEME, partner_for_key


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <prefix>.<secret>`."""

    def authenticate(self, request: Request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, presented = header.partition(" ")
        if scheme != KEY_SCHEME:
            return None
        client = partner_for_key(presented.strip())
        if client is None:
            raise exceptions.AuthenticationFailed(
                gettext_lazy("The API key is invalid, expired or revoked."),
                code="postal.api_key_invalid",
            )
        return client.account, client

    def authenticate_header(self, request: Request) -> str:
        return KEY_SCHEME


class HasScope(permissions.BasePermission):
    message = gettext_lazy("This API key does not have the scope this operation needs.")
    code = "postal.scope_missing"

    def has_permission(self, request: Request, view) -> bool:
        client = request.auth
        return isinstance(client, PartnerClient) and client.allows(view.required_scope)


class PartnerRateThrottle(throttling.SimpleRateThrottle):
    """Each partner's own rate (PartnerClient.requests_per_minute)."""

    scope = "partner"

    def get_rate(self) -> str:
        return "120/minute"  # replaced per request in allow_request

    def allow_request(self, request: Request, view) -> bool:
        client = request.auth
        if not isinstance(client, PartnerClient):
            return True
        self.num_requests, self.duration = client.requests_per_minute, 60
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view) -> str:
        return f"throttle_partner_{request.auth.pk}"


def idempotent(handler):
    """POST with an Idempotency-Key: the same key and body get the same response; the
    same key with another body is a conflict (409). The record is written in the
    transaction of the change, so a failure leaves neither."""

    @wraps(handler)
    def wrapper(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 100:
            raise IdempotencyKeyRequiredError
        body_hash = hashlib.sha256(request.body).hexdigest()
        client = cast(PartnerClient, request.auth)  # HasScope let a partner's key in
        replay = _replay(client, key, body_hash, request.path)
        if replay is not None:
            return replay
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if response.status_code >= 400:
                    # A refusal changes nothing and does not use up the key.
                    transaction.set_rollback(True)
                    return response
                IdempotencyRecord.objects.create(
                    client=client,
                    key=key,
                    method=cast(str, request.method),
                    path=request.path,
                    body_hash=body_hash,
                    status_code=response.status_code,
                    response=json.loads(json.dumps(response.data, default=str)),
                )
                return response
        except IntegrityError:
            # The same key raced in from another connection: answer as it was answered.
            replay = _replay(client, key, body_hash, request.path)
            if replay is None:
                raise
            return replay

    return wrapper


def _replay(client, key: str, body_hash: str, path: str) -> Response | None:
    record = IdempotencyRecord.objects.filter(client=client, key=key).first()
    if record is None:
        return None
    if record.body_hash != body_hash or record.path != path:
        raise IdempotencyKeyReusedError
    replayed = Response(record.response, status=record.status_code)
    replayed["Idempotent-Replayed"] = "true"
    return replayed
