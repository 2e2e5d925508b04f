from typing import Any

from django.core.management.base import CommandParser

from portal.management.import_command import ImportCommand
from procedures.services import officers_import
from procedures.services.officers import OfficersSummary


class Command(ImportCommand):
    help = (
        "Import officers and their roles (username, full_name, email, role, and one of "
        "unit_code, agency_code, reception_point_code). No password is ever read: each new "
        "officer is mailed a set-password link, or --print-links prints the links instead."
    )
    label = "import_officers"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--print-links",
            action="store_true",
            help="print a set-password link for every officer of the file who has no "
            "password yet, instead of mailing them",
        )

    def run_import(self, **options: Any) -> object:
        return officers_import(
            path=options["file"],
            update=options["update"],
            print_links=options["print_links"],
            progress=options["progress"],
        )

    def after_import(self, summary: object, **options: Any) -> None:
        assert isinstance(summary, OfficersSummary)
        for username, link in summary.links.items():
            self.stdout.write(f"{username}\t{link}")
