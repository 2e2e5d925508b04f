"""Issue #15: the officer's timeline shows words, never an event's key."""

import re
from pathlib import Path

from django.conf import settings

from dossiers.services.common import EVENTS
from reception.inbox.actions import EVENT_LABELS

ROOT = Path(settings.BASE_DIR)
RECORDED = re.compile(r'(?:event=|EVENT\w* = )"(dossiers\.[a-z_]+)"')


def recorded_events() -> set[str]:
    """Every dossier event the code records: the transitions' and the literal ones."""
    found = set(EVENTS.values())
    for app in ("dossiers", "portal", "reception", "procedures", "reporting", "citizen"):
        for path in (ROOT / app).rglob("*.py"):
            if "tests" not in path.parts:
                found |= set(RECORDED.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_recorded_dossier_event_has_a_timeline_label() -> None:
    events = recorded_events()

    assert {"dossiers.draft_started", "dossiers.received", "dossiers.paid_online"} <= events
    assert sorted(events - set(EVENT_LABELS)) == []
