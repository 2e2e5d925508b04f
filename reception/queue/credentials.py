"""The satisfaction kiosk's credential: what a counter's tablet holds once an officer has
started the kiosk on it, instead of that officer's session. A signed value (not secret,
but nobody can forge or alter it) naming the reception point, the counter and the officer
who started it, valid for KIOSK_HOURS; it lets the device rate the dossier offered at that
one counter and nothing else."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing

SALT = "reception.queue.kiosk-credential"
COOKIE = "portal_kiosk"


def kiosk_hours() -> int:
    """How long a kiosk runs once started (a working day and some)."""
    return int(getattr(settings, "KIOSK_HOURS", 12))


@dataclass(frozen=True)
class KioskCredential:
    point_id: int
    counter: int
    officer_id: int
    expires: datetime


def issue(*, point_id: int, counter: int, officer_id: int) -> str:
    """A new credential for one counter, started by one officer."""
    expires = int(time.time()) + kiosk_hours() * 3600
    payload = {"p": point_id, "c": counter, "o": officer_id, "e": expires}
    return signing.dumps(payload, salt=SALT, compress=False)


def read(value: str | None) -> KioskCredential | None:
    """The credential a device presents; None when absent, altered or expired."""
    if not value:
        return None
    try:
        payload = signing.loads(value, salt=SALT, max_age=kiosk_hours() * 3600)
        credential = KioskCredential(
            point_id=int(payload["p"]),
            counter=int(payload["c"]),
            officer_id=int(payload["o"]),
            expires=datetime.fromtimestamp(int(payload["e"]), tz=UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if credential.expires.timestamp() <= time.time():
        return None
    return credential
