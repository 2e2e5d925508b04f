"""The roles of RULES.md §1. Officer roles are held through scoped assignments."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    RECEPTION_OFFICER = "reception_officer", _("Reception officer")
    PROCESSING_OFFICER = "processing_officer", _("Processing officer")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    MANAGER = "manager", _("Manager")
    POSTAL_PARTNER = "postal_partner", _("Postal partner client")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that are given to a person for a scope (a unit, an agency or a reception point).
SCOPED_ROLES = (
    Role.RECEPTION_OFFICER,
    Role.PROCESSING_OFFICER,
    Role.UNIT_LEADER,
    Role.MANAGER,
    Role.POSTAL_PARTNER,
)
