"""Writers of the reporting app: managers' indicator targets; the snapshot refresh of a
portal run without a scheduler."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal import audit
from portal.models import User
from procedures.models import AdministrativeUnit
from reporting import snapshots
from reporting.errors import UnitNotManagedError
from reporting.models import RefreshState, Target
from reporting.selectors import managed_units
from reporting.snapshots.refresh import RefreshLockedError

# Indicators where a smaller value is the better one.
LOWER_IS_BETTER = {"late_rate", "in_progress_rate"}


@transaction.atomic
def targets_set(*, unit: AdministrativeUnit, values: dict[str, Decimal | None], actor: User) -> int:
    """Đặt chỉ tiêu: a manager's targets for a unit (and its descendants without their own);
    an empty value removes the target."""
    if not managed_units(actor).filter(pk=unit.pk).exists():
        raise UnitNotManagedError
    changed = 0
    for indicator, value in values.items():
        current = Target.objects.filter(unit=unit, indicator=indicator).first()
        if value is None:
            if current is not None:
                current.delete()
                changed += 1
            continue
        if current is not None and current.value == value:
            continue
        Target.objects.update_or_create(
            unit=unit,
            indicator=indicator,
            defaults={
                "value": value,
                "set_by": actor,
                "lower_is_better": indicator in LOWER_IS_BETTER,
            },
        )
        changed += 1
    if changed:
        audit.record(
            actor=actor,
            event="reporting.targets_set",
            target=unit,
            data={k: (str(v) if v is not None else None) for k, v in values.items()},
        )
    return changed


# Without a broker (`make run`: tasks in-process) no beat refreshes the snapshots; the
# dashboard then refreshes them itself when they are older than this.
UNSCHEDULED_MAX_AGE = timedelta(minutes=1)


def snapshots_refresh_when_unscheduled(*, now: datetime | None = None) -> bool:
    """Làm mới số liệu tổng hợp: only where nothing schedules it (no Redis, tasks run
    in-process) and the snapshot is stale; True when it refreshed."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    now = now or timezone.now()
    state = RefreshState.objects.filter(pk=1).first()
    if state is not None and state.watermark and now - state.watermark < UNSCHEDULED_MAX_AGE:
        return False
    try:
        snapshots.refresh_changed()
    except RefreshLockedError:
        return False  # another request is refreshing it: show what is there
    return True
