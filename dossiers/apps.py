from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("Dossiers")

    def ready(self) -> None:
        from dossiers.services.imports import dossiers_import
        from portal.imports import Importer, register

        register(Importer("dossiers", _("Historical dossiers"), "import_dossiers", dossiers_import))
