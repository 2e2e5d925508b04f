"""What the reporting services refuse, with its code (portal.service_errors)."""

from django.utils.translation import gettext_lazy as _

from portal.service_errors import ServiceDeniedError


class UnitNotManagedError(ServiceDeniedError):
    code = "reporting.unit_not_managed"
    message = _("You do not manage this unit.")
    field = "unit"
