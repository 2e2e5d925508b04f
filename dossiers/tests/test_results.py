"""The result of a completed dossier: approval sends it back to the reception point; the
agency then attaches the electronic result or marks the paper one ready."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from dossiers import policies
from dossiers.errors import (
    DossierConflictError,
    InvalidTransitionError,
    ResultAlreadyReadyError,
)
from dossiers.models import Attachment, Dossier, Status
from dossiers.services import (
    dossier_attach_result,
    dossier_complete,
    dossier_mark_result_ready,
    dossier_return_result,
)
from portal.models import AuditEvent

from .conftest import Office
from .test_attachments import PDF, PNG, stored_files

S = Status


def state(dossier: Dossier) -> tuple:
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.result_ready_at,
        AuditEvent.objects.count(),
        Attachment.objects.count(),
    )


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def pdf(name: str = "ket-qua.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_approval_sends_the_dossier_back_to_the_reception_point(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS)

    dossier_complete(dossier_id=dossier.pk, officer=office.leader)

    last = dossier.hand_overs.order_by("sequence").last()
    assert (last.sequence, last.from_label, last.to_label, last.finished_at) == (
        2,
        str(office.agency),
        str(office.point),
        None,
    )
    # The reception point now returns it; no other step is needed before.
    assert policies.can(office.reception, "return_result", Dossier.objects.get(pk=dossier.pk))
    dossier_return_result(dossier_id=dossier.pk, officer=office.reception, delivery="counter")
    assert Dossier.objects.get(pk=dossier.pk).status == S.RETURNED


@pytest.mark.parametrize("who", ["processing", "leader"])
def test_the_agency_attaches_the_electronic_result(office: Office, private_media, who: str) -> None:
    office.procedure.result_name = "Giấy xác nhận tình trạng hôn nhân"
    office.procedure.save()
    dossier = office.dossier(S.COMPLETED)
    officer = getattr(office, who)

    result = dossier_attach_result(
        dossier_id=dossier.pk, officer=officer, upload=pdf(), expected_version=1
    )

    assert (result.kind, result.component_id, result.component_name, result.copy_type) == (
        "result",
        None,
        "Giấy xác nhận tình trạng hôn nhân",
        "original",
    )
    assert (result.content_type, result.size, result.sha256, result.original_name) == (
        "application/pdf",
        len(PDF),
        hashlib.sha256(PDF).hexdigest(),
        "ket-qua.pdf",
    )
    assert result.file.name == f"dossiers/{dossier.pk}/{result.pk}.pdf"
    assert (private_media / result.file.name).read_bytes() == PDF
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.status, fresh.version) == (S.COMPLETED, 2)
    event = AuditEvent.objects.get()
    assert (event.event, event.actor, event.data) == (
        "dossiers.result_attached",
        officer,
        {"attachment": str(result.pk), "sha256": hashlib.sha256(PDF).hexdigest()},
    )


@pytest.mark.parametrize(
    ("upload", "code", "message"),
    [
        (pdf(content=PNG), "attachment.name_mismatch",
         "Tên tệp không khớp với nội dung (nội dung là PNG): hãy đổi tên hoặc chọn tệp khác."),
        (pdf(content=b""), "attachment.empty", "Tệp rỗng."),
        (pdf(content=b"MZ" + bytes(64)), "attachment.type_not_accepted",
         "Tệp này có định dạng application/x-dosexec, không phải PDF, JPEG hoặc PNG."),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_and_nothing_is_stored(
    office: Office,
    private_media,
    upload,
    code: str,
    message: str,
) -> None:
    dossier = office.dossier(S.COMPLETED)
    before = state(dossier)

    with pytest.raises(ValidationError) as refused:
        dossier_attach_result(dossier_id=dossier.pk, officer=office.processing, upload=upload)

    assert refused.value.code == code
    with translation.override("vi"):
        assert refused.value.message_dict == {"file": [message]}
    assert state(dossier) == before
    assert stored_files(private_media) == []


@pytest.mark.parametrize("status", sorted(set(Status.values) - {S.COMPLETED}))
def test_a_result_comes_only_after_approval(
    office: Office,
    private_media,
    status: str,
) -> None:
    dossier = office.dossier(status)
    before = state(dossier)

    with pytest.raises(InvalidTransitionError):
        dossier_attach_result(dossier_id=dossier.pk, officer=office.leader, upload=pdf())
    with pytest.raises(InvalidTransitionError):
        dossier_mark_result_ready(dossier_id=dossier.pk, officer=office.leader)

    assert state(dossier) == before
    assert stored_files(private_media) == []


@pytest.mark.parametrize(
    "who", ["reception", "applicant", "other_processing", "other_leader", "other_reception"]
)
def test_only_the_agency_adds_the_result(
    office: Office,
    private_media,
    who: str,
) -> None:
    dossier = office.dossier(S.COMPLETED)
    before = state(dossier)

    with pytest.raises(PermissionDenied):
        dossier_attach_result(dossier_id=dossier.pk, officer=getattr(office, who), upload=pdf())
    with pytest.raises(PermissionDenied):
        dossier_mark_result_ready(dossier_id=dossier.pk, officer=getattr(office, who))

    assert state(dossier) == before
    assert stored_files(private_media) == []


def test_a_stale_version_stores_no_file(office: Office, private_media) -> None:
    dossier = office.dossier(S.COMPLETED)
    dossier_mark_result_ready(dossier_id=dossier.pk, officer=office.processing)
    before = state(dossier)

    with pytest.raises(DossierConflictError):
        dossier_attach_result(
            dossier_id=dossier.pk, officer=office.processing, upload=pdf(), expected_version=1
        )

    assert state(dossier) == before
    assert stored_files(private_media) == []


def test_the_paper_result_is_marked_ready_once(office: Office) -> None:
    dossier = office.dossier(S.COMPLETED)

    dossier_mark_result_ready(dossier_id=dossier.pk, officer=office.processing)

    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.status, fresh.version) == (S.COMPLETED, 2)
    assert fresh.result_ready_at is not None
    event = AuditEvent.objects.get()
    assert (event.event, event.actor, event.data) == (
        "dossiers.result_ready",
        office.processing,
        {},
    )
    before = state(dossier)
    with pytest.raises(ResultAlreadyReadyError):
        dossier_mark_result_ready(dossier_id=dossier.pk, officer=office.leader)
    assert state(dossier) == before
