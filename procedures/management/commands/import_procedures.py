from typing import Any

from django.core.management.base import CommandParser

from portal.management.import_command import ImportCommand
from procedures.services import procedures_import


class Command(ImportCommand):
    help = (
        "Import the procedure catalogue (code, name, sector, level, time_limit, "
        "time_limit_unit, online_level, legacy_level, fee, postal, agencies)."
    )
    label = "import_procedures"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        # Until the shared ImportCommand offers --check to every import.
        parser.add_argument("--check", action="store_true", help="validate the file, write nothing")

    def run_import(self, **options: Any) -> object:
        summary = procedures_import(
            path=options["file"], update=options["update"], check=options["check"]
        )
        return f"{summary} (checked only, nothing written)" if options["check"] else summary
