from typing import Any

from dossiers.services.imports import dossiers_import
from portal.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import historical dossiers in their recorded state (code, procedure_code, unit_code, "
        "channel, received_at, status, due_at, completed_at, returned_at, withdrawn_at, "
        "result_delivery, online_level, legacy_level, supplement_count, digitized, "
        "fee_amount, paid_online, satisfaction, evaluated_at, applicant_name). Rows already "
        "imported with the same data are skipped; imported dossiers are never updated, "
        "--update or not."
    )
    label = "import_dossiers"

    def run_import(self, **options: Any) -> object:
        return dossiers_import(
            path=options["file"], update=options["update"], progress=options["progress"]
        )
