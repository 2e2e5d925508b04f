from typing import Any

from portal.management.import_command import ImportCommand
from procedures.services import reception_points_import


class Command(ImportCommand):
    help = (
        "Import reception points (code, name, kind, unit_code, agencies, address, phone, "
        "counters, valid_from, valid_to)."
    )
    label = "import_reception_points"

    def run_import(self, **options: Any) -> object:
        return reception_points_import(
            path=options["file"], update=options["update"], progress=options["progress"]
        )
