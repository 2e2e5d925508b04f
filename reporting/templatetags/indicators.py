from django import template
from django.utils.translation import gettext as _

from portal.formats import grouped

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """42.86 → "42,86 %" in Vietnamese; nothing measured → "—"."""
    if value is None:
        return "—"
    return f"{grouped(value, 2)} %"


@register.filter
def points(value: float | None) -> str:
    return "—" if value is None else grouped(value, 2)


@register.filter
def count(value: int | None) -> str:
    if value is None:
        return "—"
    return grouped(value)


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key) if mapping else None


@register.simple_tag
def status_label(colour: str) -> str:
    return {"green": _("target met"), "amber": _("close to target"), "red": _("below target")}.get(
        colour, ""
    )
