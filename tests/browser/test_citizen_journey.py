"""Issue #7's journey on a phone: a citizen signs up, finds "Đăng ký khai sinh" typed
without diacritics, applies with the papers uploaded, pays the fee through the simulated
gateway, and once the officers have settled the dossier downloads the electronic result and
rates the service. axe-core checks every page on the way."""

import os
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import codes
from dossiers.models import Dossier, Evaluation, Notification, Status
from dossiers.services import dossier_complete, dossier_receive, dossier_transfer
from dossiers.services.results import dossier_attach_result
from dossiers.tests.conftest import office  # noqa: F401 - the commune fixture
from dossiers.tests.test_attachments import PDF, PNG
from procedures.models import Component, Fee
from procedures.services.catalogue import index
from reception.tests.test_documents import pdf_text
from tests.browser.languages import round_trip
from tests.factories import ProcedureFactory

PHONE = {"width": 390, "height": 844}
RESULT = PDF.replace(b"Catalog", b"Catalog/Lang(vi)")


def _shot(page, name: str, check, problems: list[str], *, languages: bool = True) -> None:
    """Every page is checked with axe, and in English and back unless a half-filled form
    would be lost (then it was switched before filling); JOURNEY_SHOTS=dir keeps a
    screenshot of it."""
    problems.extend(f"{name}: {problem}" for problem in check(page))
    if os.environ.get("JOURNEY_SHOTS"):
        page.screenshot(path=str(Path(os.environ["JOURNEY_SHOTS"]) / f"{name}.png"), full_page=True)
    if languages:
        problems.extend(f"{name}: {problem}" for problem in round_trip(page, check=check))


@pytest.fixture
def birth_registration(office):  # noqa: F811
    procedure = ProcedureFactory(
        code="1.001193",
        name="Đăng ký khai sinh",
        online_level="full",
        result_electronic=True,
    )
    procedure.agencies.add(office.agency)
    index(procedure)
    procedure.save()
    papers = [
        Component.objects.create(
            procedure=procedure, position=1, name="Tờ khai đăng ký khai sinh", copy_type="original"
        ),
        Component.objects.create(
            procedure=procedure, position=2, name="Giấy chứng sinh", copy_type="original"
        ),
    ]
    Fee.objects.create(
        procedure=procedure, name="Phí cấp bản sao trích lục khai sinh", kind="fee", amount=8000
    )
    return procedure, papers


@pytest.mark.django_db(transaction=True)
def test_a_birth_registration_online_from_search_to_rating(
    new_page,
    office,  # noqa: F811
    birth_registration,
    accessibility,
    settings,
    tmp_path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "private"
    procedure, (declaration, certificate) = birth_registration
    problems: list[str] = []
    page = new_page(**PHONE)

    # Sign up on the phone.
    page.goto("/")
    _shot(page, "c01-home", accessibility, problems)
    page.goto("/account/signup/")
    round_trip(page)
    page.fill("#id_full_name", "Trần Thị Bình")
    page.fill("#id_email", "binh@example.org")
    page.fill("#id_phone", "0987 654 321")
    page.fill("#id_citizen_id", "038195004321")
    page.fill("#id_password1", "Khai-sinh-2026!")
    page.fill("#id_password2", "Khai-sinh-2026!")
    _shot(page, "c02-signup", accessibility, problems, languages=False)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng ký", exact=True).click()

    # Search without diacritics, open the procedure, apply.
    page.goto("/procedures/")
    page.fill("input[name=q]", "dang ky khai sinh")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _shot(page, "c03-search", accessibility, problems)
    page.get_by_role("link", name="Đăng ký khai sinh", exact=True).first.click()
    _shot(page, "c04-procedure", accessibility, problems)
    with page.expect_navigation():
        page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    round_trip(page)
    assert page.input_value("#id_applicant_name") == "Trần Thị Bình"
    page.fill("#id_applicant_address", "5 Trần Phú, phường Hạc Thành")
    page.check("input[name=result_delivery][value=online]")
    page.set_input_files(
        f"#id_component_{declaration.pk}",
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    page.set_input_files(
        f"#id_component_{certificate.pk}",
        {"name": "giay-chung-sinh.png", "mimeType": "image/png", "buffer": PNG},
    )
    _shot(page, "c05-application", accessibility, problems, languages=False)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi hồ sơ").click()
    dossier = Dossier.objects.get(procedure=procedure)
    assert dossier.status == Status.SUBMITTED
    assert sorted(dossier.attachments.values_list("component_id", flat=True)) == sorted(
        [declaration.pk, certificate.pk]
    )
    _shot(page, "c06-sent", accessibility, problems)

    # Pay through the simulated gateway.
    page.get_by_role("button", name=re.compile("Thanh toán trực tuyến 8.000")).click()
    page.wait_for_url(re.compile(r"/payments/simulator/"))
    _shot(page, "c07-gateway", accessibility, problems)
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    page.wait_for_url(re.compile(r"/payments/[^/]+/$"))
    _shot(page, "c08-paid", accessibility, problems)
    dossier.refresh_from_db()
    assert (dossier.paid_online, dossier.fee_amount) == (True, 8000)

    # The officers settle it: received, handed over, approved, the e-result attached.
    reception = dossier_receive(dossier_id=dossier.pk, officer=office.reception)
    dossier_transfer(dossier_id=dossier.pk, officer=office.reception)
    dossier_complete(dossier_id=dossier.pk, officer=office.leader)
    dossier_attach_result(
        dossier_id=dossier.pk,
        officer=office.processing,
        upload=SimpleUploadedFile("trich-luc-khai-sinh.pdf", RESULT),
    )
    assert reception.dossier.code

    # My dossiers: the result to download, then the rating.
    page.goto("/my/dossiers/")
    _shot(page, "c09-my-dossiers", accessibility, problems)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(reception.dossier.code)).first.click()
    _shot(page, "c10-my-dossier", accessibility, problems)
    # The e-receipt (form 01) with a lookup secret that works, as the mail promised.
    with page.expect_download() as receipt:
        page.get_by_role("button", name="Tải giấy tiếp nhận (mẫu 01)").click()
    code = reception.dossier.code
    assert receipt.value.suggested_filename == f"giay-tiep-nhan-{code}.pdf"
    text = " ".join(pdf_text(Path(receipt.value.path()).read_bytes()).split())
    secret = text.split("Mã tra cứu: ", 1)[1].split()[0]
    dossier.refresh_from_db()
    assert codes.secret_matches(dossier, secret)
    assert (
        f"/my/dossiers/{dossier.pk}/"
        in Notification.objects.get(dossier=dossier, kind="received", medium="email").body
    )
    with page.expect_download() as result:
        page.locator(".result-box a[download]").click()
    assert result.value.suggested_filename == f"{code}-ket-qua.pdf"
    assert Path(result.value.path()).read_bytes() == RESULT
    with page.expect_navigation():
        page.get_by_role("link", name="Đánh giá sự hài lòng").click()
    page.check("input[name=rating][value=very_satisfied]")
    _shot(page, "c11-rating", accessibility, problems, languages=False)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá").click()
    _shot(page, "c12-rated", accessibility, problems)

    evaluation = Evaluation.objects.get(dossier=dossier)
    assert (evaluation.rating, evaluation.channel) == ("very_satisfied", "online")
    assert problems == []
