"""Record audit events inside the caller's transaction."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from portal.models import AuditEvent, User


class AuditOutsideTransactionError(RuntimeError):
    """An audit event must commit or roll back with the change it describes."""


def record(
    *,
    actor: User | None,
    event: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one event; the caller must hold an open transaction.

    `event` is namespaced by app, e.g. "dossiers.received"; `data` holds what a
    reader needs later (from, to, note), never secrets.
    """
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransactionError(event)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        event=event,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        data=data or {},
    )
