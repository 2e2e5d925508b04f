"""Counters of fixed-window throttles in the database: the fallback of the ones kept in
the shared cache while it is down (a guessed lookup secret stays throttled through a Redis
outage). One upsert a counter; a window starts with its first count and does not slide."""

import random
from collections.abc import Iterable
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from portal.models import ThrottleCount

# Expired windows are swept now and then by the counting itself.
_SWEEP_CHANCE = 0.01

# portal_throttlecount is ThrottleCount's table (a test reads both).
_UPSERT = """
INSERT INTO portal_throttlecount (name, count, expires_at) VALUES (%s, 1, %s)
ON CONFLICT (name) DO UPDATE SET
    count = CASE WHEN portal_throttlecount.expires_at > %s
                 THEN portal_throttlecount.count + 1 ELSE 1 END,
    expires_at = CASE WHEN portal_throttlecount.expires_at > %s
                      THEN portal_throttlecount.expires_at ELSE excluded.expires_at END
RETURNING count
"""


def counts(names: Iterable[str]) -> dict[str, int]:
    """The current count of each name (0 when its window has passed or never began)."""
    rows = ThrottleCount.objects.filter(name__in=list(names), expires_at__gt=timezone.now())
    return dict(rows.values_list("name", "count"))


def increment(names: Iterable[str], *, seconds: int) -> dict[str, int]:
    """Add one to each counter; their counts after it."""
    now = timezone.now()
    found: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for name in names:
            cursor.execute(_UPSERT, [name, now + timedelta(seconds=seconds), now, now])
            found[name] = int(cursor.fetchone()[0])
        if random.random() < _SWEEP_CHANCE:  # noqa: S311 - housekeeping, not a secret
            ThrottleCount.objects.filter(expires_at__lte=now).delete()
    return found
