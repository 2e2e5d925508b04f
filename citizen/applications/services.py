"""Writers of online applications: the draft, its papers and its submission. Only the
applicant writes a draft, and only while it is a draft."""

from functools import partial
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from citizen.applications.selectors import Place, delivery_choices, missing_papers
from citizen.errors import (
    ApplicationDeniedError,
    DeliveryAddressMissingError,
    DeliveryNotOfferedError,
    DeliveryRequiredError,
    DetailRequiredError,
    PaperMissingError,
)
from dossiers import policies
from dossiers.errors import InvalidTransitionError
from dossiers.models import Attachment, Dossier, ResultDelivery, Status
from dossiers.services import Applicant, dossier_create_draft, dossier_submit
from dossiers.services.attachments import attachment_add
from portal import audit
from portal.models import User
from portal.service_errors import ServiceValidationError, refuse
from procedures.models import Procedure

DETAILS = (
    "applicant_name",
    "applicant_citizen_id",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "result_delivery",
    "delivery_address",
)
# What reception needs to know who applies and how to reach them.
REQUIRED_DETAILS = (
    "applicant_name",
    "applicant_citizen_id",
    "applicant_phone",
    "applicant_address",
)


MISSING_PAPER = PaperMissingError.message


def component_field(component_id: int) -> str:
    """The name under which a paper's problems are reported."""
    return f"component_{component_id}"


def _check_delivery(procedure: Procedure, details: dict[str, Any]) -> None:
    delivery = details.get("result_delivery")
    if delivery and delivery not in delivery_choices(procedure):
        raise DeliveryNotOfferedError


def _draft(*, dossier_id: UUID | str, applicant: User) -> Dossier:
    """The applicant's draft, locked until the caller's transaction ends."""
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=dossier_id)
    )
    if policies.APPLICANT not in policies.capacities(applicant, dossier):
        raise ApplicationDeniedError
    if dossier.status != Status.DRAFT:
        raise InvalidTransitionError(dossier, "change")
    return dossier


@transaction.atomic
def application_start(
    *, applicant: User, procedure: Procedure, place: Place, details: dict[str, Any]
) -> Dossier:
    """Hồ sơ nháp: an online application started from the procedure's page."""
    _check_delivery(procedure, details)
    dossier = dossier_create_draft(
        applicant=applicant,
        procedure=procedure,
        agency=place.agency,
        reception_point=place.reception_point,
        details=Applicant(
            name=details.get("applicant_name", ""),
            citizen_id=details.get("applicant_citizen_id", ""),
            phone=details.get("applicant_phone", ""),
            email=details.get("applicant_email", ""),
            address=details.get("applicant_address", ""),
        ),
        result_delivery=details.get("result_delivery") or ResultDelivery.COUNTER,
        delivery_address=details.get("delivery_address", ""),
    )
    audit.record(actor=applicant, event="dossiers.draft_started", target=dossier)
    return dossier


@transaction.atomic
def application_save(
    *, dossier_id: UUID | str, applicant: User, details: dict[str, Any]
) -> Dossier:
    """Lưu hồ sơ nháp: keep what the applicant typed; what is not given stays as it was."""
    unknown = set(details) - set(DETAILS)
    if unknown:
        raise ValueError(f"not details of an application: {sorted(unknown)}")
    dossier = _draft(dossier_id=dossier_id, applicant=applicant)
    _check_delivery(dossier.procedure, details)
    changed = [name for name, value in details.items() if getattr(dossier, name) != value]
    if changed:
        for name in changed:
            setattr(dossier, name, details[name])
        dossier.save(update_fields=[*changed, "updated_at"])
        # Names only: the values are personal data and stay in the dossier.
        audit.record(
            actor=applicant, event="dossiers.draft_saved", target=dossier, data={"fields": changed}
        )
    return dossier


def _remove(attachment: Attachment, *, actor: User) -> None:
    name, storage = attachment.file.name, attachment.file.storage
    assert name is not None  # a stored attachment has its file
    attachment_id = str(attachment.pk)
    attachment.delete()
    audit.record(
        actor=actor,
        event="dossiers.attachment_removed",
        target=attachment.dossier,
        data={"attachment": attachment_id, "component": attachment.component_id},
    )
    # Only once the row is gone for good: a rollback keeps both.
    transaction.on_commit(partial(storage.delete, name))


@transaction.atomic
def application_attach(
    *, dossier_id: UUID | str, applicant: User, component_id: int, upload: "UploadedFile[Any]"
) -> Attachment:
    """Đính kèm thành phần hồ sơ: the applicant's file for one paper of the draft; it
    replaces the file attached before, once the new one is accepted."""
    dossier = _draft(dossier_id=dossier_id, applicant=applicant)
    attachment = attachment_add(
        dossier_id=dossier.pk, actor=applicant, component_id=component_id, upload=upload
    )
    earlier = dossier.attachments.filter(
        kind=Attachment.Kind.PAPER, component_id=component_id
    ).exclude(pk=attachment.pk)
    for old in earlier:
        _remove(old, actor=applicant)
    return attachment


@transaction.atomic
def application_remove_paper(
    *, dossier_id: UUID | str, applicant: User, attachment_id: UUID | str
) -> None:
    """Gỡ thành phần hồ sơ: the applicant takes a file off the draft."""
    dossier = _draft(dossier_id=dossier_id, applicant=applicant)
    _remove(dossier.attachments.get(pk=attachment_id, kind=Attachment.Kind.PAPER), actor=applicant)


@transaction.atomic
def application_submit(*, dossier_id: UUID | str, applicant: User) -> Dossier:
    """Nộp hồ sơ trực tuyến: send the draft once it says who applies and has every
    required paper; each missing item is reported under its own name."""
    dossier = _draft(dossier_id=dossier_id, applicant=applicant)
    problems: list[ServiceValidationError] = [
        DetailRequiredError(field=name)
        for name in REQUIRED_DETAILS
        if not getattr(dossier, name).strip()
    ]
    if dossier.result_delivery not in delivery_choices(dossier.procedure):
        problems.append(DeliveryRequiredError())
    elif dossier.result_delivery == ResultDelivery.POSTAL and not dossier.delivery_address.strip():
        problems.append(DeliveryAddressMissingError())
    problems += [PaperMissingError(field=component_field(c.pk)) for c in missing_papers(dossier)]
    refuse(problems)
    return dossier_submit(dossier_id=dossier.pk, applicant=applicant)
