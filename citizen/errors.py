"""What the citizen's services refuse (applications, supplements), each with its code
(portal.service_errors)."""

from django.utils.translation import gettext_lazy as _

from portal.service_errors import ServiceDeniedError, ServiceValidationError


class ApplicationDeniedError(ServiceDeniedError):
    code = "application.denied"
    message = _("Only the applicant changes an application.")


class DeliveryNotOfferedError(ServiceValidationError):
    code = "application.delivery_not_offered"
    message = _("This procedure does not deliver results that way.")
    field = "result_delivery"


class DetailRequiredError(ServiceValidationError):
    """Say which detail with `field`."""

    code = "application.detail_required"
    message = _("Required to send the application.")


class DeliveryRequiredError(ServiceValidationError):
    code = "application.delivery_required"
    message = _("Choose how to receive the result.")
    field = "result_delivery"


class DeliveryAddressMissingError(ServiceValidationError):
    code = "application.delivery_address_required"
    message = _("Give the address to send the result to.")
    field = "delivery_address"


class PaperMissingError(ServiceValidationError):
    """Say which paper with `field` (services.component_field)."""

    code = "application.paper_missing"
    message = _("Attach this paper before you send the application.")


class SupplementWithoutFilesError(ServiceValidationError):
    code = "supplement.no_files"
    message = _("Add the papers asked for before sending the supplement.")
    field = "file"
