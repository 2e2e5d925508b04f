from typing import Any

from portal.management.import_command import ImportCommand
from procedures.services import units_import


class Command(ImportCommand):
    help = "Import administrative units (code, name, level, parent_code, valid_from, valid_to)."
    label = "import_units"

    def run_import(self, **options: Any) -> object:
        return units_import(
            path=options["file"], update=options["update"], progress=options["progress"]
        )
