"""Checks of the identity details people type in: the 12-digit citizen ID (căn cước) and
Vietnamese phone numbers. Messages name what is wrong so the person can fix it."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

# Circular 07/2016/TT-BCA, annex: the place of birth registration, the first three digits.
_ANNEX = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
    "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
    "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"
)
PROVINCE_CODES = frozenset(_ANNEX.split())
# The fourth digit: sex and century of birth (0/1 1900s, 2/3 2000s, 4/5 2100s…).
_CENTURY = {"0": 1900, "1": 1900, "2": 2000, "3": 2000, "4": 2100, "5": 2100}
_PHONE = re.compile(r"^(?:0|\+84)(?:[35789]\d{8}|2\d{9})$")


def validate_citizen_id(value: str) -> None:
    if not re.fullmatch(r"\d{12}", value):
        raise ValidationError(
            gettext_lazy("A citizen ID has exactly 12 digits."), code="citizen_id_format"
        )
    if value[:3] not in PROVINCE_CODES:
        raise ValidationError(
            gettext_lazy("%(code)s is not a province code: check the first three digits."),
            params={"code": value[:3]},
            code="citizen_id_province",
        )
    if value[3] not in _CENTURY:
        raise ValidationError(
            gettext_lazy("The fourth digit (sex and century of birth) cannot be %(digit)s."),
            params={"digit": value[3]},
            code="citizen_id_century",
        )


def normalise_phone(value: str) -> str:
    """Digits only, spaces, dots and dashes removed: what is stored."""
    return re.sub(r"[\s.\-()]", "", value)


def validate_phone(value: str) -> None:
    if not _PHONE.match(normalise_phone(value)):
        raise ValidationError(
            gettext_lazy(
                "Enter a Vietnamese phone number: 10 digits starting with 0 (e.g. 0912 345 678)."
            ),
            code="phone",
        )
