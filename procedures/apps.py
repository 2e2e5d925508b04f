from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Organisation and procedures")

    def ready(self) -> None:
        from portal.imports import Importer, register
        from procedures import services

        for name, label, command, run in (
            ("units", _("Administrative units"), "import_units", services.units_import),
            ("agencies", _("Agencies"), "import_agencies", services.agencies_import),
            (
                "reception_points",
                _("Reception points"),
                "import_reception_points",
                services.reception_points_import,
            ),
            ("procedures", _("Procedures"), "import_procedures", services.procedures_import),
            (
                "officers",
                _("Officers and their roles"),
                "import_officers",
                services.officers_import,
            ),
        ):
            register(Importer(name, label, command, run))
        register(
            Importer(
                "catalogue",
                _("Whole catalogue (procedures.csv, papers.csv, fees.csv, steps.csv, groups.csv)"),
                "import_catalogue",
                services.catalogue_import,
                reads_directory=True,
            )
        )
