from django.apps import AppConfig


class CitizenConfig(AppConfig):
    """What the citizen sees: the home page, applying and paying online, their dossiers,
    the public lookup and the evaluation. Stands on dossiers/ and procedures/."""

    name = "citizen"
    verbose_name = "Citizen portal"
