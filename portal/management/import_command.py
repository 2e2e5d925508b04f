"""The shared shape of the CSV import commands (INTERFACES.md §2)."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.csv_import import ImportRejectedError, Progress, run_or_check


class ImportCommand(BaseCommand):
    """Print one line per problem and exit 1 with nothing written, or a one-line
    summary and exit 0. `--check` validates the whole file and writes nothing.

    `run_import` receives the parsed options plus `progress`, a Progress drawing rows
    read, checked and written on the terminal (stderr)."""

    label = ""
    file_help = "UTF-8 CSV file with a header row"
    # A command that reads a directory of files (the whole catalogue) rather than one.
    reads_directory = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=self.file_help)
        parser.add_argument(
            "--update",
            action="store_true",
            help="change existing rows whose data differs instead of refusing the file",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="validate the whole file and report its problems, writing nothing",
        )

    def run_import(self, **options: Any) -> object:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if self.reads_directory and not path.is_dir():
            raise CommandError(f"{path}: no such directory")
        if not self.reads_directory and not path.is_file():
            raise CommandError(f"{path}: no such file")
        # The wrapped stream (the stubs give OutputWrapper no `_out`).
        progress = Progress(self.stderr._out, label=self.label)  # type: ignore[arg-type]
        try:
            summary = run_or_check(
                lambda: self.run_import(progress=progress, **options), check=options["check"]
            )
        except ImportRejectedError as rejected:
            progress.finish()
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            self.stderr.write(f"{self.label}: {len(rejected.problems)} problems, nothing imported")
            sys.exit(1)
        progress.finish()
        if options["check"]:
            self.stdout.write(f"{self.label}: no problems, nothing written (--check): {summary}")
            return
        self.stdout.write(f"{self.label}: {summary}")
        self.after_import(summary, **options)

    def after_import(self, summary: object, **options: Any) -> None:
        """What a command prints beyond the summary (e.g. links to hand out)."""
