"""Sắp đến hạn / quá hạn: mark dossiers whose legal time is nearly or wholly used up and
tell the officers who hold them, once per change."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dossiers import timeliness
from dossiers.models import DeadlineAlert, Dossier, Status, Timeliness
from dossiers.services import notifications
from dossiers.services.common import calendar_of
from portal.models import User
from portal.roles import Role
from procedures.models import Assignment

# Paused dossiers keep the value they had when paused (RULES.md §5).
RUNNING = [Status.RECEIVED, Status.IN_PROCESS]
LOOKAHEAD = timedelta(days=7)


def dossiers_mark_deadlines(*, batch: int = 500) -> dict[str, int]:
    now = timezone.now()
    # An interconnected parent follows its members, whose own clocks are watched.
    candidates = (
        timeliness.without_group_parents(
            Dossier.objects.filter(status__in=RUNNING, due_at__isnull=False)
        )
        .filter(Q(due_at__lte=now + LOOKAHEAD) | ~Q(deadline_alert=""))
        .select_related("reception_point", "unit", "agency", "procedure")
        .order_by("due_at")
    )
    changed = {DeadlineAlert.DUE_SOON: 0, DeadlineAlert.OVERDUE: 0, DeadlineAlert.NONE: 0}
    for dossier in candidates.iterator(chunk_size=batch):
        assert dossier.due_at is not None  # as filtered
        state = timeliness.timeliness_in_progress(
            calendar_of(dossier), now, dossier.due_at, settings.DUE_SOON_WORKING_DAYS
        )
        alert = {
            Timeliness.OVERDUE: DeadlineAlert.OVERDUE,
            Timeliness.DUE_SOON: DeadlineAlert.DUE_SOON,
        }.get(state, DeadlineAlert.NONE)
        if alert == dossier.deadline_alert:
            continue
        with transaction.atomic():
            # Compare and set: two overlapping runs cannot both notify.
            updated = Dossier.objects.filter(
                pk=dossier.pk, status__in=RUNNING, deadline_alert=dossier.deadline_alert
            ).update(deadline_alert=alert)
            if updated and alert:
                notifications.queue_for_officers(dossier, alert, responsible_officers(dossier))
        changed[alert] += updated
    return {str(key or "cleared"): value for key, value in changed.items()}


def responsible_officers(dossier: Dossier) -> list[User]:
    """The processing officers and leaders of the competent agency."""
    user_ids = Assignment.objects.filter(
        agency=dossier.agency, role__in=[Role.PROCESSING_OFFICER, Role.UNIT_LEADER]
    ).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))
