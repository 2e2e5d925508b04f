from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Organisation and procedures")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from portal.imports import Importer, register
        from procedures import services
        from procedures.models import AdministrativeUnit, Agency, Assignment, ReceptionPoint
        from procedures.selectors.scope import forget_officer_scopes_on_write

        # Cached officer scopes follow every single save (the admin, the partner keys,
        # test factories); the imports' bulk writes call forget_officer_scopes themselves.
        for model in (Assignment, AdministrativeUnit, Agency, ReceptionPoint):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_officer_scopes_on_write,
                    sender=model,
                    dispatch_uid=f"officer-scopes-{model.__name__}-{signal is post_save}",
                )

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
