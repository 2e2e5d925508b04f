import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from dossiers.models import Attachment, Status
from dossiers.services.attachments import attachment_add
from portal.models import AuditEvent
from procedures.models import Component, CopyType
from procedures.selectors import procedure_terms
from tests.factories import UserFactory

from .conftest import Office

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("virus.exe", b"MZ" + bytes(100))
    return buffer.getvalue()


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def paper(office: Office) -> int:
    return Component.objects.create(
        procedure=office.procedure,
        name="Tờ khai xác nhận tình trạng hôn nhân",
        copy_type=CopyType.ORIGINAL,
    ).pk


def stored_files(root) -> list:
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_the_applicant_attaches_a_pdf_to_the_draft(office, paper, private_media) -> None:
    dossier = office.dossier(Status.DRAFT)

    attachment = attachment_add(
        dossier_id=dossier.pk,
        actor=office.applicant,
        component_id=paper,
        upload=SimpleUploadedFile("to khai cua Lan.pdf", PDF, content_type="image/png"),
    )

    assert (attachment.content_type, attachment.size, attachment.copy_type) == (
        "application/pdf",
        len(PDF),
        "original",
    )
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.component_name == "Tờ khai xác nhận tình trạng hôn nhân"
    assert attachment.digitized is False  # only an officer digitises at reception
    assert attachment.file.name == f"dossiers/{dossier.pk}/{attachment.pk}.pdf"
    assert (private_media / attachment.file.name).read_bytes() == PDF
    assert AuditEvent.objects.get().event == "dossiers.attachment_added"


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        (
            "anh.pdf",
            PNG,
            "attachment.name_mismatch",
            "Tên tệp không khớp với nội dung (nội dung là PNG): hãy đổi tên hoặc chọn tệp khác.",
        ),
        (
            "giay to.pdf",
            zip_bytes(),
            "attachment.type_not_accepted",
            "Tệp này có định dạng application/zip, không phải PDF, JPEG hoặc PNG.",
        ),
        ("trong.pdf", b"", "attachment.empty", "Tệp rỗng."),
        ("to khai.pdf", PDF + bytes(2000), "attachment.too_large", "Tệp lớn hơn 1 KB."),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(
    office, paper, private_media, settings, name, content, code, message
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    dossier = office.dossier(Status.DRAFT)

    with pytest.raises(ValidationError) as refused:
        attachment_add(
            dossier_id=dossier.pk,
            actor=office.applicant,
            component_id=paper,
            upload=SimpleUploadedFile(name, content),
        )

    assert refused.value.code == code
    with translation.override("vi"):
        assert refused.value.message_dict == {"file": [message]}
    assert Attachment.objects.count() == 0
    assert stored_files(private_media) == []
    assert AuditEvent.objects.count() == 0


def test_a_paper_the_procedure_does_not_ask_for_is_refused(office, paper, private_media):
    dossier = office.dossier(Status.DRAFT)

    with pytest.raises(ValidationError) as refused:
        attachment_add(
            dossier_id=dossier.pk,
            actor=office.applicant,
            component_id=paper + 99,
            upload=SimpleUploadedFile("a.pdf", PDF),
        )

    assert list(refused.value.message_dict) == ["component"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("applicant", Status.IN_PROCESS),  # only while drafting or when asked
        ("other_reception", Status.SUBMITTED),
        ("processing", Status.SUBMITTED),
    ],
)
def test_who_may_attach(office, paper, private_media, who, status) -> None:
    dossier = office.dossier(status, terms=procedure_terms(office.procedure))

    with pytest.raises(PermissionDenied):
        attachment_add(
            dossier_id=dossier.pk,
            actor=getattr(office, who),
            component_id=paper,
            upload=SimpleUploadedFile("a.pdf", PDF),
        )

    assert Attachment.objects.count() == 0
    assert stored_files(private_media) == []


def test_the_reception_officer_digitises_at_intake(office, paper, private_media) -> None:
    dossier = office.dossier(Status.SUBMITTED)

    attachment = attachment_add(
        dossier_id=dossier.pk,
        actor=office.reception,
        component_id=paper,
        digitized=True,
        copy_type=CopyType.CERTIFIED_COPY,
        upload=SimpleUploadedFile("scan.png", PNG),
    )

    assert (attachment.digitized, attachment.copy_type, attachment.content_type) == (
        True,
        "certified_copy",
        "image/png",
    )


@pytest.mark.parametrize(
    ("who", "status_code"),
    [
        ("applicant", 200),
        ("reception", 200),
        ("processing", 200),
        ("other_reception", 404),
        ("other_processing", 404),
        ("stranger", 404),
        ("anonymous", 302),
    ],
)
def test_a_paper_is_served_only_to_those_who_may_see_the_dossier(
    client: Client, office, paper, private_media, who, status_code
) -> None:
    dossier = office.dossier(Status.SUBMITTED)
    attachment = attachment_add(
        dossier_id=dossier.pk,
        actor=office.reception,
        component_id=paper,
        upload=SimpleUploadedFile("a.pdf", PDF),
    )
    if who == "stranger":
        client.force_login(UserFactory(username="hangxom"))
    elif who != "anonymous":
        client.force_login(getattr(office, who))

    response = client.get(f"/dossiers/attachments/{attachment.pk}/")

    assert response.status_code == status_code
    if status_code == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert "attachment;" in response["Content-Disposition"]


def test_a_paper_digitised_at_reception_counts_for_the_dossier(office: Office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    paper = Component.objects.create(
        procedure=office.procedure, name="Tờ khai", copy_type=CopyType.ORIGINAL
    )
    dossier = office.dossier(Status.SUBMITTED)

    attachment_add(
        dossier_id=dossier.pk,
        actor=office.reception,
        component_id=paper.pk,
        digitized=True,
        upload=SimpleUploadedFile("a.pdf", PDF),
    )

    dossier.refresh_from_db()
    assert dossier.digitized is True
