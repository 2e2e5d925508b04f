"""Dossier codes, provisional references and lookup secrets (RULES.md §7)."""

import hashlib
import hmac
import re
import secrets
from datetime import date

from dossiers.models import CodeSequence, Dossier
from portal import sequences
from procedures.models import Agency

# No I, O, 0 or 1: a secret is read off paper and typed on a phone.
UNAMBIGUOUS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
assert 256 % len(UNAMBIGUOUS) == 0
SECRET_LENGTH = 8
REFERENCE_PREFIX = "HS"
CODE_PATTERN = re.compile(r"^(?P<agency>[0-9A-Z.]+)-(?P<yymmdd>\d{6})-(?P<seq>\d{4,7})$")


def random_text(length: int) -> str:
    # One read of the system's randomness per text, not one per character: 32 symbols
    # divide 256, so `byte % 32` picks each with the same chance.
    return "".join(UNAMBIGUOUS[byte % len(UNAMBIGUOUS)] for byte in secrets.token_bytes(length))


def new_reference() -> str:
    """Provisional reference of a dossier not yet received (online, postal)."""
    return REFERENCE_PREFIX + random_text(10)


def allocate_code(*, agency: Agency, day: date) -> str:
    """Mã hồ sơ {agency}-{YYMMDD}-{NNNN}. Must run inside the reception's transaction:
    the counter row stays locked until it commits, so numbers are consecutive and never
    shared, and a rolled-back reception gives its number back."""

    def code(number: int) -> str:
        return f"{agency.code}-{day:%y%m%d}-{number:04d}"

    def taken(number: int) -> bool:
        # Imported dossiers carry codes the counter never gave: step over them.
        return Dossier.objects.filter(code=code(number)).exists()

    return code(sequences.allocate_next(CodeSequence, taken=taken, agency=agency, day=day))


def secret_hash(dossier: Dossier, secret: str) -> str:
    return hashlib.sha256(f"{dossier.pk}:{secret.upper()}".encode()).hexdigest()


def issue_lookup_secret(dossier: Dossier) -> str:
    """A new secret for the receipt; only its hash is kept, so printing a receipt again
    issues a new one and the old paper stops working."""
    secret = random_text(SECRET_LENGTH)
    dossier.lookup_secret_hash = secret_hash(dossier, secret)
    return secret


def secret_matches(dossier: Dossier, secret: str) -> bool:
    if not dossier.lookup_secret_hash:
        return False
    return hmac.compare_digest(dossier.lookup_secret_hash, secret_hash(dossier, secret.strip()))
