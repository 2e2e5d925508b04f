from django import template
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """42.86 → "42,86 %" in Vietnamese; nothing measured → "—"."""
    if value is None:
        return "—"
    return f"{formats.number_format(value, decimal_pos=2, use_l10n=True)} %"


@register.filter
def count(value: int | None) -> str:
    if value is None:
        return "—"
    return formats.number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key) if mapping else None


@register.simple_tag
def status_label(colour: str) -> str:
    return {"green": _("target met"), "amber": _("close to target"), "red": _("below target")}.get(
        colour, ""
    )
