import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from portal.csv_import import ImportRejectedError
from portal.management.import_command import ImportCommand
from procedures.services.catalogue_import import catalogue_import


class Command(ImportCommand):
    help = (
        "Import a whole procedure catalogue from a directory: procedures.csv, papers.csv, "
        "fees.csv, steps.csv, groups.csv (each optional), validated together, all or nothing."
    )
    label = "import_catalogue"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="directory of the catalogue CSV files")
        parser.add_argument(
            "--update",
            action="store_true",
            help="change stored procedures, papers, fees, steps and groups that differ",
        )
        parser.add_argument("--check", action="store_true", help="validate, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        # ImportCommand.handle wants one file; the same report for a directory.
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"{directory}: no such directory")
        try:
            summary = self.run_import(**options)
        except ImportRejectedError as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            self.stderr.write(f"{self.label}: {len(rejected.problems)} problems, nothing imported")
            sys.exit(1)
        self.stdout.write(f"{self.label}: {summary}")

    def run_import(self, **options: Any) -> object:
        summary = catalogue_import(
            directory=options["directory"], update=options["update"], check=options["check"]
        )
        return f"{summary} (checked only, nothing written)" if options["check"] else summary
