"""Papers attached to a dossier: checked from their content, stored outside the web root."""

import hashlib
from pathlib import PurePath
from typing import Any
from uuid import UUID

import magic
from django.conf import settings
from django.core.files import File
from django.db import transaction

from dossiers import policies
from dossiers.errors import (
    AttachmentDeniedError,
    EmptyFileError,
    FileNameMismatchError,
    FileTooLargeError,
    FileTypeNotAcceptedError,
    NotAPaperOfTheProcedureError,
    UnknownCopyTypeError,
)
from dossiers.models import TERMINAL, Attachment, Dossier, Status
from portal import audit
from portal.models import User
from procedures.models import CopyType
from procedures.selectors import procedure_terms

SNIFF_BYTES = 8192
# An applicant adds papers while writing the application or when asked for more.
APPLICANT_STATES = {Status.DRAFT, Status.SUPPLEMENT_REQUESTED}
EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png"}


def check_upload(upload: "File[Any]") -> tuple[str, str]:
    """The content type and SHA-256 of an acceptable file, or a coded ValidationError on
    `file` that says what is wrong in words the uploader understands."""
    size = upload.size or 0
    if size == 0:
        raise EmptyFileError
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise FileTooLargeError(limit=_size(settings.ATTACHMENT_MAX_BYTES))
    upload.seek(0)
    content_type = magic.from_buffer(upload.read(SNIFF_BYTES), mime=True)
    allowed = settings.ATTACHMENT_TYPES
    if content_type not in allowed:
        raise FileTypeNotAcceptedError(type=content_type)
    claimed = EXTENSIONS.get(PurePath(upload.name or "").suffix.lower().lstrip("."))
    if claimed is not None and claimed != allowed[content_type]:
        raise FileNameMismatchError(type=allowed[content_type].upper())
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


def _size(limit: int) -> str:
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 2**10} KB"


def _component(dossier: Dossier, component_id: int) -> dict[str, Any]:
    terms = dossier.terms or procedure_terms(dossier.procedure)
    component: dict[str, Any]
    for component in terms["components"]:
        if component["id"] == component_id:
            return component
    raise NotAPaperOfTheProcedureError(component=component_id)


@transaction.atomic
def attachment_add(
    *,
    dossier_id: UUID | str,
    actor: User,
    component_id: int,
    upload: "File[Any]",  # an UploadedFile, or a scan the counter kept
    copy_type: str = "",
    digitized: bool = False,
) -> Attachment:
    """Đính kèm thành phần hồ sơ: one file for one paper of the dossier."""
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=dossier_id)
    )
    capacities = policies.capacities(actor, dossier)
    applicant_may = policies.APPLICANT in capacities and dossier.status in APPLICANT_STATES
    # A draft is the applicant's alone until it is sent.
    officer_may = (
        policies.RECEPTION in capacities
        and dossier.status not in TERMINAL
        and dossier.status != Status.DRAFT
    )
    if not (applicant_may or officer_may):
        raise AttachmentDeniedError
    component = _component(dossier, component_id)
    copy_type = copy_type or component["copy_type"]
    if copy_type not in CopyType.values:
        raise UnknownCopyTypeError(choices=", ".join(CopyType.values))
    content_type, sha256 = check_upload(upload)
    attachment = Attachment(
        dossier=dossier,
        component_id=component_id,
        component_name=component["name"],
        copy_type=copy_type,
        digitized=digitized and officer_may,
        original_name=PurePath(upload.name or "").name[:200],
        content_type=content_type,
        size=upload.size or 0,
        sha256=sha256,
        uploaded_by=actor,
    )
    extension = settings.ATTACHMENT_TYPES[content_type]
    attachment.file.save(f"{attachment.pk}.{extension}", upload, save=False)
    try:
        attachment.save()
        if attachment.digitized and not dossier.digitized:
            # Số hóa khi tiếp nhận: what the digitisation indicator counts (RULES.md §6).
            dossier.digitized = True
            dossier.save(update_fields=["digitized", "updated_at"])
        audit.record(
            actor=actor,
            event="dossiers.attachment_added",
            target=dossier,
            data={"attachment": str(attachment.pk), "component": component_id, "sha256": sha256},
        )
    except Exception:
        attachment.file.delete(save=False)  # no row, no file
        raise
    return attachment
