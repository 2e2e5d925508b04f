from typing import Any

from portal.management.import_command import ImportCommand
from procedures.services import procedures_import


class Command(ImportCommand):
    help = (
        "Import the procedure catalogue (code, name, sector, level, time_limit, "
        "time_limit_unit, online_level, legacy_level, fee, postal, agencies)."
    )
    label = "import_procedures"

    def run_import(self, **options: Any) -> object:
        return procedures_import(
            path=options["file"], update=options["update"], progress=options["progress"]
        )
