"""Numbers as people read them in the active language: "8.912" and "1,5" in Vietnamese,
"8,912" and "1.5" in English (Django's vi formats set no grouping)."""

from decimal import Decimal

from django.utils import formats


def grouped(value: int | float | Decimal, decimals: int | None = None) -> str:
    number = Decimal(str(value))
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals))
    else:
        number = number.normalize()
    whole, _, fraction = f"{number:,f}".partition(".")
    text = whole.replace(",", formats.get_format("THOUSAND_SEPARATOR"))
    if fraction:
        text += formats.get_format("DECIMAL_SEPARATOR") + fraction
    return text
