from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from procedures.models import Procedure
from reporting import demo, snapshots


class Command(BaseCommand):
    help = "Generate demo dossiers with realistic distributions (after load_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="how many dossiers")
        parser.add_argument(
            "--from",
            dest="start",
            type=date.fromisoformat,
            help="first reception day (default: two years ago)",
        )
        parser.add_argument(
            "--to", dest="end", type=date.fromisoformat, help="last reception day (default: today)"
        )
        parser.add_argument("--seed", type=int, default=766)
        parser.add_argument(
            "--no-refresh",
            action="store_true",
            help="do not rebuild the indicator snapshot afterwards",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] < 1:
            raise CommandError("--count: at least 1")
        if not Procedure.objects.filter(agencies__isnull=False).exists():
            raise CommandError("no procedure is offered by any agency: run load_demo first")
        end = options["end"] or timezone.localdate()
        start = options["start"] or end - timedelta(days=730)
        if start > end:
            raise CommandError("--to: before --from")
        made = demo.generate(options["count"], start=start, end=end, seed=options["seed"])
        summary = f"generate_demo_dossiers: {made} dossiers received {start} – {end}"
        if not options["no_refresh"]:
            refreshed = snapshots.refresh_full()
            summary += f"; snapshot {refreshed['rows']} rows in {refreshed['seconds']} s"
        self.stdout.write(summary)
