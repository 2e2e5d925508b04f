"""python manage.py kpi_refresh [--full] (INTERFACES §3): the scheduled refresh, by hand."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting import snapshots

LOCKED = (
    "another KPI refresh is running (it holds the refresh lock): nothing was done; "
    "run again once it has finished"
)


class Command(BaseCommand):
    help = (
        "Bring the KPI snapshots up to date: only what changed since the last refresh "
        "(or everything, where that is cheaper); with --full everything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild every snapshot row")

    def handle(self, *args: Any, full: bool, **options: Any) -> None:
        try:
            result = snapshots.refresh_full() if full else snapshots.refresh_changed()
        except snapshots.RefreshLockedError:
            raise CommandError(LOCKED) from None
        summary = {name: result[name] for name in ("mode", "keys", "seconds")}
        self.stdout.write(json.dumps(summary))
