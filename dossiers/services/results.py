"""Kết quả giải quyết: the signed result of a completed dossier, as an electronic file the
applicant downloads or as paper waiting at the reception point.

Approving the dossier (dossier_complete) already sends it back to the reception point: it
opens the last row of form 05, agency → reception point, and the counter then lists it
for return. These services only add the result itself, before it is returned."""

from pathlib import PurePath
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from dossiers.errors import ResultAlreadyReadyError
from dossiers.models import Attachment, Dossier, Status
from dossiers.services.attachments import check_upload
from dossiers.services.common import locked
from dossiers.services.processing import save_recorded
from portal.models import User
from procedures.models import CopyType

# After approval and before the result is handed over.
RESULT_STATES = frozenset({Status.COMPLETED})


@transaction.atomic
def dossier_attach_result(
    *,
    dossier_id: UUID | str,
    officer: User,
    upload: "UploadedFile[Any]",
    expected_version: int | None = None,
) -> Attachment:
    """Trả kết quả điện tử: attach the signed electronic result; the applicant may then
    download it like any paper of their dossier."""
    dossier = locked(
        dossier_id=dossier_id,
        actor=officer,
        action="attach_result",
        states=RESULT_STATES,
        expected_version=expected_version,
    )
    content_type, sha256 = check_upload(upload)
    attachment = Attachment(
        dossier=dossier,
        kind=Attachment.Kind.RESULT,
        component_name=(dossier.procedure.result_name or "")[:500],
        # An electronic result signed by the competent agency is an original.
        copy_type=CopyType.ORIGINAL,
        original_name=PurePath(upload.name or "").name[:200],
        content_type=content_type,
        size=upload.size or 0,
        sha256=sha256,
        uploaded_by=officer,
    )
    extension = settings.ATTACHMENT_TYPES[content_type]
    attachment.file.save(f"{attachment.pk}.{extension}", upload, save=False)
    dossier.result_electronic = dossier.result_digitized = True
    try:
        attachment.save()
        save_recorded(
            dossier,
            actor=officer,
            event="dossiers.result_attached",
            data={"attachment": str(attachment.pk), "sha256": sha256},
        )
    except Exception:
        attachment.file.delete(save=False)  # no row, no file
        raise
    return attachment


@transaction.atomic
def dossier_mark_result_ready(
    *, dossier_id: UUID | str, officer: User, expected_version: int | None = None
) -> Dossier:
    """Kết quả giấy: the signed paper result is at the reception point, ready to hand over."""
    dossier = locked(
        dossier_id=dossier_id,
        actor=officer,
        action="mark_result_ready",
        states=RESULT_STATES,
        expected_version=expected_version,
    )
    if dossier.result_ready_at is not None:
        raise ResultAlreadyReadyError
    dossier.result_ready_at = timezone.now()
    save_recorded(dossier, actor=officer, event="dossiers.result_ready", data={})
    return dossier
