from typing import Any

from portal.management.import_command import ImportCommand
from procedures.services import catalogue_import


class Command(ImportCommand):
    help = (
        "Import a whole procedure catalogue from a directory: procedures.csv, papers.csv, "
        "fees.csv, steps.csv, groups.csv (each optional), validated together, all or nothing."
    )
    label = "import_catalogue"
    file_help = "directory of the catalogue CSV files"
    reads_directory = True

    def run_import(self, **options: Any) -> object:
        return catalogue_import(
            directory=options["file"], update=options["update"], progress=options["progress"]
        )
