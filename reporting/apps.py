from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from procedures import models as procedures
        from reporting.figures_cache import forget_figures
        from reporting.models import RefreshState, ScoringVersion, Target

        # What a dashboard's cached figures are made of (reporting.figures_cache).
        for model in (
            RefreshState,
            Target,
            ScoringVersion,
            procedures.AdministrativeUnit,
            procedures.Agency,
            procedures.Procedure,
            procedures.Component,
            procedures.Fee,
            procedures.Step,
        ):
            post_save.connect(forget_figures, sender=model, dispatch_uid=f"figures-{model}")
            post_delete.connect(forget_figures, sender=model, dispatch_uid=f"figures-{model}-")
        m2m_changed.connect(
            forget_figures, sender=procedures.Procedure.agencies.through, dispatch_uid="figures-pa"
        )
