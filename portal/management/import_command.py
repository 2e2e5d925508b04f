"""The shared shape of the CSV import commands (INTERFACES.md §2)."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.csv_import import ImportRejectedError


class ImportCommand(BaseCommand):
    """Print one line per problem and exit 1 with nothing written, or a one-line
    summary and exit 0."""

    label = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="UTF-8 CSV file with a header row")
        parser.add_argument(
            "--update",
            action="store_true",
            help="change existing rows whose data differs instead of refusing the file",
        )

    def run_import(self, **options: Any) -> object:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            summary = self.run_import(**options)
        except ImportRejectedError as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            self.stderr.write(f"{self.label}: {len(rejected.problems)} problems, nothing imported")
            sys.exit(1)
        self.stdout.write(f"{self.label}: {summary}")
