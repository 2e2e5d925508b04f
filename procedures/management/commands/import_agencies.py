from typing import Any

from portal.management.import_command import ImportCommand
from procedures.services import agencies_import


class Command(ImportCommand):
    help = (
        "Import agencies (code, name, unit_code, parent_code, valid_from, valid_to). "
        "Load order: import_units, import_agencies, import_reception_points, "
        "import_procedures, import_officers, import_dossiers."
    )
    label = "import_agencies"

    def run_import(self, **options: Any) -> object:
        return agencies_import(
            path=options["file"], update=options["update"], progress=options["progress"]
        )
