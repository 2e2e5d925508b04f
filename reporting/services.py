"""Writers of the reporting app: managers' indicator targets."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from portal import audit
from portal.models import User
from procedures.models import AdministrativeUnit
from reporting.models import Target
from reporting.selectors import managed_units

# Indicators where a smaller value is the better one.
LOWER_IS_BETTER = {"late_rate", "in_progress_rate"}


@transaction.atomic
def targets_set(*, unit: AdministrativeUnit, values: dict[str, Decimal | None], actor: User) -> int:
    """Đặt chỉ tiêu: a manager's targets for a unit (and its descendants without their own);
    an empty value removes the target."""
    if not managed_units(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied("you do not manage this unit")
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
