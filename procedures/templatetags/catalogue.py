from decimal import Decimal

from django import template
from django.utils.translation import gettext, ngettext

from portal.formats import grouped
from procedures.deadlines import TimeLimitUnit

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    """50000 → "50.000 đ" in Vietnamese, "50,000 VND" in English; 0 → free."""
    if not amount:
        return gettext("Free of charge")
    return gettext("%(amount)s VND") % {"amount": grouped(amount)}


@register.filter
def time_limit(procedure: object) -> str:
    """The legal time limit as a citizen reads it."""
    limit = Decimal(procedure.time_limit)  # type: ignore[attr-defined]
    unit = procedure.time_limit_unit  # type: ignore[attr-defined]
    count = int(limit) if limit == limit.to_integral_value() else 2
    values = {"n": grouped(limit)}
    if unit == TimeLimitUnit.SAME_DAY:
        return gettext("Within the working day")
    if unit == TimeLimitUnit.WORKING_HOURS:
        return ngettext("%(n)s working hour", "%(n)s working hours", count) % values
    if unit == TimeLimitUnit.CALENDAR_DAYS:
        return ngettext("%(n)s day", "%(n)s days", count) % values
    return ngettext("%(n)s working day", "%(n)s working days", count) % values
