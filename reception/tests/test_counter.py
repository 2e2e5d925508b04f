"""The reception counter: intake of paper dossiers with their three outcomes, the
acceptance queue of online and postal dossiers, returning results, and who may do what."""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dossiers import codes
from dossiers.models import Attachment, Dossier, Pause, Status
from dossiers.tests.conftest import Office
from dossiers.tests.test_attachments import PDF, PNG, stored_files
from portal.models import AuditEvent
from procedures.models import Component, CopyType, Fee
from tests.factories import ProcedureFactory, UserFactory

APPLICANT = {
    "applicant_name": "Nguyễn Văn An",
    "applicant_citizen_id": "038090001234",
    "applicant_phone": "0912 345 678",
    "applicant_email": "an@example.org",
    "applicant_address": "12 Lê Lợi, phường Hạc Thành",
}


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def papers(office: Office) -> tuple[int, int, int]:
    make = Component.objects.create
    Fee.objects.create(procedure=office.procedure, name="Lệ phí", kind="fee", amount=8000)
    return (
        make(procedure=office.procedure, position=1, name="Tờ khai", copy_type="original").pk,
        make(
            procedure=office.procedure, position=2, name="Căn cước", copy_type="certified_copy"
        ).pk,
        make(
            procedure=office.procedure,
            position=3,
            name="Văn bản ủy quyền",
            copy_type=CopyType.ORIGINAL,
            required=False,
        ).pk,
    )


def login(user) -> Client:
    """Signed in, reading English (the messages asserted here are the English msgids)."""
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def intake_data(office: Office, papers, **changes) -> dict:
    form, declaration, _ = papers
    data = {
        "procedure": office.procedure.pk,
        "agency": office.agency.pk,
        **APPLICANT,
        "sets_count": 1,
        "result_delivery": "counter",
        "delivery_address": "",
        "fee_amount": 8000,
        "fee_collected": "on",
        f"paper_{form}": "on",
        f"copy_{form}": "original",
        f"count_{form}": 1,
        f"paper_{declaration}": "on",
        f"copy_{declaration}": "certified_copy",
        f"count_{declaration}": 2,
        f"copy_{papers[2]}": "original",
        f"count_{papers[2]}": 1,
        "outcome": "receive",
        "items": "",
        "reason": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def snapshot() -> tuple:
    return (
        list(Dossier.objects.values_list("status", "version")),
        Attachment.objects.count(),
        Pause.objects.count(),
        AuditEvent.objects.count(),
    )


INTAKE = reverse("reception:counter:intake")


def test_a_complete_paper_dossier_is_received_with_its_papers_and_scans(
    office, papers, private_media
) -> None:
    form, declaration, _ = papers
    client = login(office.reception)
    scan = SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf")

    response = client.post(INTAKE, intake_data(office, papers, **{f"file_{form}": scan}))

    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reception:counter:dossier", args=[dossier.pk])
    assert dossier.status == Status.RECEIVED
    assert dossier.channel == "counter"
    assert re.fullmatch(r"H56\.HT-\d{6}-0001", dossier.code)
    assert (dossier.applicant_name, dossier.applicant_citizen_id, dossier.applicant_phone) == (
        "Nguyễn Văn An",
        "038090001234",
        "0912345678",
    )
    assert dossier.papers == [
        {"id": form, "name": "Tờ khai", "copy_type": "original", "count": 1},
        {"id": declaration, "name": "Căn cước", "copy_type": "certified_copy", "count": 2},
    ]
    assert (dossier.fee_amount, dossier.fee_collected, dossier.sets_count) == (8000, True, 1)
    assert dossier.received_by == office.reception
    assert dossier.digitized is True
    scan_row = Attachment.objects.get()
    assert (scan_row.component_id, scan_row.digitized, scan_row.content_type) == (
        form,
        True,
        "application/pdf",
    )
    secret = client.session["receipt_secrets"][str(dossier.pk)]
    assert codes.secret_matches(dossier, secret)
    page = client.get(response["Location"])
    assert secret in page.content.decode()
    assert dossier.code in page.content.decode()
    events = list(AuditEvent.objects.order_by("pk").values_list("event", flat=True))
    assert events == ["dossiers.received", "dossiers.attachment_added"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"paper_{declaration}": None}, "paper_{declaration}", "Required paper not handed in"),
        ({"applicant_citizen_id": "03809000123"}, "applicant_citizen_id", "exactly 12 digits"),
        ({"applicant_citizen_id": "999090001234"}, "applicant_citizen_id", "999 is not a province"),
        ({"applicant_phone": "12345"}, "applicant_phone", "Vietnamese phone number"),
        ({"applicant_name": ""}, "applicant_name", "This field is required"),
        (
            {"result_delivery": "postal"},
            "delivery_address",
            "Give the address to post the result to.",
        ),
    ],
)
def test_bad_intake_input_is_shown_by_the_field_and_keeps_what_was_typed(
    office, papers, private_media, changes, field, message
) -> None:
    form, declaration, _ = papers
    names = {"form": form, "declaration": declaration}
    changes = {key.format(**names): value for key, value in changes.items()}
    before = snapshot()

    response = login(office.reception).post(INTAKE, intake_data(office, papers, **changes))

    html = response.content.decode()
    assert response.status_code == 422
    error = re.search(rf'id="id_{field.format(**names)}-error">([^<]*)<', html)
    assert error
    assert message in error.group(1)
    assert f'aria-describedby="id_{field.format(**names)}' in html
    assert snapshot() == before
    if changes.get("applicant_name") != "":
        assert 'value="Nguyễn Văn An"' in html
    assert 'value="12 Lê Lợi, phường Hạc Thành"' in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", PNG, "The file name does not match its content, which is PNG"),
        ("notes.pdf", b"just some text", "This file is text/plain, not a PDF, JPEG or PNG"),
        ("empty.pdf", b"", "The submitted file is empty"),
        ("big.pdf", PDF + b"0" * 2048, "larger than 1 KB"),
    ],
)
def test_a_bad_scan_is_refused_next_to_its_paper_and_nothing_is_stored(
    office, papers, private_media, settings, name, content, message
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    form = papers[0]
    upload = SimpleUploadedFile(name, content)
    before = snapshot()

    response = login(office.reception).post(
        INTAKE, intake_data(office, papers, **{f"file_{form}": upload})
    )

    html = response.content.decode()
    assert response.status_code == 422
    error = re.search(rf'id="id_file_{form}-error">([^<]*)<', html)
    assert error
    assert message in error.group(1)
    assert snapshot() == before
    assert stored_files(private_media) == []
    assert 'value="0912 345 678"' in html


def test_an_incomplete_paper_dossier_gets_form_02_and_is_not_received(office, papers) -> None:
    response = login(office.reception).post(
        INTAKE,
        intake_data(
            office,
            papers,
            outcome="guide",
            items="Bản sao căn cước có chứng thực\n\nTờ khai có chữ ký",
            reason="Thiếu giấy tờ",
            **{f"paper_{papers[1]}": None},
        ),
    )

    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert (dossier.status, dossier.code, dossier.received_at) == (
        Status.SUPPLEMENT_REQUESTED,
        None,
        None,
    )
    pause = dossier.pauses.get()
    assert (pause.stage, pause.items, pause.reason) == (
        "intake",
        ["Bản sao căn cước có chứng thực", "Tờ khai có chữ ký"],
        "Thiếu giấy tờ",
    )
    assert list(AuditEvent.objects.order_by("pk").values_list("event", flat=True)) == [
        "dossiers.submitted",
        "dossiers.supplement_requested_at_intake",
    ]


def test_a_refusal_needs_a_reason_and_then_records_form_03(office, papers) -> None:
    client = login(office.reception)
    before = snapshot()
    response = client.post(INTAKE, intake_data(office, papers, outcome="refuse"))
    assert response.status_code == 422
    assert "Say why the dossier is refused." in response.content.decode()
    assert snapshot() == before

    response = client.post(
        INTAKE, intake_data(office, papers, outcome="refuse", reason="Không thuộc thẩm quyền")
    )

    dossier = Dossier.objects.get()
    assert (dossier.status, dossier.code) == (Status.REJECTED, None)
    event = AuditEvent.objects.get(event="dossiers.rejected")
    assert event.data["reason"] == "Không thuộc thẩm quyền"


def test_the_procedure_is_found_as_you_type_without_diacritics(office) -> None:
    elsewhere = ProcedureFactory(name="Cấp giấy xác nhận nơi khác")
    elsewhere.agencies.add(office.other_agency)
    client = login(office.reception)

    html = client.get(
        reverse("reception:counter:procedures"), {"q": "xac nhan tinh trang hon"}
    ).content.decode()

    assert "Cấp Giấy xác nhận tình trạng hôn nhân" in html
    assert f"?procedure={office.procedure.pk}" in html
    assert (
        "nơi khác"
        not in client.get(
            reverse("reception:counter:procedures"), {"q": "xac nhan"}
        ).content.decode()
    )
    # A procedure not received at this point cannot be opened by its id either.
    assert client.get(INTAKE, {"procedure": elsewhere.pk}).status_code == 404


def test_an_online_dossier_is_accepted_from_the_queue(office) -> None:
    dossier = office.dossier(Status.SUBMITTED)
    client = login(office.reception)
    assert dossier.reference in client.get(reverse("reception:counter:pending")).content.decode()

    response = client.post(
        reverse("reception:counter:decide", args=[dossier.pk]),
        {"outcome": "receive", "version": dossier.version},
    )

    dossier.refresh_from_db()
    assert response.status_code == 302
    assert dossier.status == Status.RECEIVED
    assert codes.secret_matches(dossier, client.session["receipt_secrets"][str(dossier.pk)])


def test_a_dossier_changed_meanwhile_is_not_overwritten(office) -> None:
    dossier = office.dossier(Status.SUBMITTED)
    before = snapshot()

    response = login(office.reception).post(
        reverse("reception:counter:decide", args=[dossier.pk]),
        {"outcome": "refuse", "reason": "Sai mẫu", "version": dossier.version - 1 or 99},
    )

    assert response.status_code == 422
    assert "Someone else changed this dossier (version 1, not 99)" in response.content.decode()
    assert snapshot() == before


def test_online_dossier_guided_and_refused_from_the_queue(office) -> None:
    guided, refused = office.dossier(Status.SUBMITTED), office.dossier(Status.SUBMITTED)
    client = login(office.reception)

    client.post(
        reverse("reception:counter:decide", args=[guided.pk]),
        {"outcome": "guide", "items": "Ảnh chân dung", "reason": "Ảnh mờ", "version": 1},
    )
    client.post(
        reverse("reception:counter:decide", args=[refused.pk]),
        {"outcome": "refuse", "reason": "Trùng hồ sơ", "version": 1},
    )

    guided.refresh_from_db()
    refused.refresh_from_db()
    assert guided.status == Status.SUPPLEMENT_REQUESTED
    assert guided.pauses.get().items == ["Ảnh chân dung"]
    assert refused.status == Status.REJECTED


def test_the_result_is_returned_to_the_applicant_after_checking_the_id(office) -> None:
    dossier = office.dossier(Status.COMPLETED, applicant_citizen_id="038090001234")
    client = login(office.reception)
    url = reverse("reception:counter:return", args=[dossier.pk])
    before = snapshot()

    wrong = client.post(url, {"delivery": "counter", "citizen_id": "038090009999", "version": 1})
    assert wrong.status_code == 422
    assert "This is not the applicant&#x27;s ID number" in wrong.content.decode()
    assert snapshot() == before

    response = client.post(url, {"delivery": "counter", "citizen_id": "038090001234", "version": 1})

    dossier.refresh_from_db()
    assert response.status_code == 302
    assert (dossier.status, dossier.result_delivery, dossier.returned_by) == (
        Status.RETURNED,
        "counter",
        office.reception,
    )


def test_the_qr_code_of_the_receipt_finds_the_result_to_return(office) -> None:
    dossier = office.dossier(Status.COMPLETED)
    client = login(office.reception)
    scanned = f"http://127.0.0.1:8000/lookup/?code={dossier.code}&secret=ABCDEF"

    response = client.post(reverse("reception:counter:home"), {"code": scanned})

    assert response.status_code == 302
    assert response["Location"] == reverse("reception:counter:return", args=[dossier.pk])
    other = login(office.other_reception).post(reverse("reception:counter:home"), {"code": scanned})
    html = other.content.decode()
    assert other.status_code == 200
    assert "No dossier with this code at your counters." in html
    assert "ABCDEF" not in html
    # The find box posts: a code in the address finds nothing (and so is never put there).
    assert client.get(reverse("reception:counter:home"), {"code": dossier.code}).status_code == 200


def test_a_fee_exemption_typed_at_the_counter_is_kept(office, papers, private_media) -> None:
    login(office.reception).post(INTAKE, intake_data(office, papers, fee_amount=0))

    assert Dossier.objects.get().fee_amount == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"fee_amount": 10**19}, "fee_amount"),
        ({"applicant_email": "a" * 290 + "@example.org"}, "applicant_email"),
    ],
)
def test_out_of_range_input_is_a_field_error_not_a_crash(
    office, papers, private_media, changes, field
) -> None:
    before = snapshot()

    response = login(office.reception).post(INTAKE, intake_data(office, papers, **changes))

    assert response.status_code == 422
    assert f'id="id_{field}-error"' in response.content.decode()
    assert snapshot() == before


def test_the_same_form_sent_twice_receives_one_dossier(office, papers, private_media) -> None:
    client = login(office.reception)
    # A fresh token, as each rendering of the form carries (Redis keeps tokens across runs).
    data = intake_data(office, papers, intake_token=uuid.uuid4().hex)

    first = client.post(INTAKE, data)
    second = client.post(INTAKE, data)

    dossier = Dossier.objects.get()
    assert first["Location"] == second["Location"]
    assert first["Location"] == reverse("reception:counter:dossier", args=[dossier.pk])
    assert AuditEvent.objects.filter(event="dossiers.received").count() == 1


def test_the_form_is_received_at_the_point_it_was_filled_in_for(office, papers) -> None:
    """An officer of two points switched point in another tab meanwhile."""
    from procedures.models import Assignment

    Assignment.objects.create(
        user=office.reception, role="reception_officer", reception_point=office.other_point
    )
    client = login(office.reception)
    client.get(reverse("reception:counter:home"), {"point": office.other_point.pk})

    client.post(INTAKE, intake_data(office, papers, point=office.point.pk))

    assert Dossier.objects.get().reception_point == office.point


# Who may do what ---------------------------------------------------------------------------

DOSSIER_PAGES = ["decide", "return", "dossier"]
ACTORS = ["anonymous", "citizen", "other_reception", "reception", "leader"]


def actor_client(office: Office, who: str) -> Client:
    if who == "anonymous":
        return Client()
    if who == "citizen":
        return login(UserFactory(username="dan"))
    return login(getattr(office, who))


@pytest.mark.parametrize("who", ACTORS)
def test_who_may_open_the_counter_pages(office, who) -> None:
    submitted = office.dossier(Status.SUBMITTED)
    completed = office.dossier(Status.COMPLETED)
    client = actor_client(office, who)
    pages = {
        "home": reverse("reception:counter:home"),
        "intake": INTAKE,
        "pending": reverse("reception:counter:pending"),
        "returns": reverse("reception:counter:returns"),
        "decide": reverse("reception:counter:decide", args=[submitted.pk]),
        "return": reverse("reception:counter:return", args=[completed.pk]),
        "dossier": reverse("reception:counter:dossier", args=[completed.pk]),
    }
    expected = {
        "anonymous": dict.fromkeys(pages, 302),
        # Not an officer of any counter: the pages are refused, a dossier is not even
        # confirmed to exist.
        "citizen": {**dict.fromkeys(pages, 403), **dict.fromkeys(DOSSIER_PAGES, 404)},
        "leader": {**dict.fromkeys(pages, 403), **dict.fromkeys(DOSSIER_PAGES, 404)},
        "other_reception": {
            **dict.fromkeys(["home", "intake", "pending", "returns"], 200),
            **dict.fromkeys(["decide", "return", "dossier"], 404),
        },
        "reception": dict.fromkeys(pages, 200),
    }[who]

    codes_seen = {name: client.get(url).status_code for name, url in pages.items()}

    assert codes_seen == expected
    if who == "other_reception":
        listing = client.get(reverse("reception:counter:pending")).content.decode()
        assert submitted.reference not in listing
        assert completed.code not in client.get(pages["returns"]).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "citizen", "other_reception", "leader"])
def test_denied_actions_leave_no_trace(office, papers, who) -> None:
    submitted = office.dossier(Status.SUBMITTED)
    completed = office.dossier(Status.COMPLETED, applicant_citizen_id="038090001234")
    client = actor_client(office, who)
    before = snapshot()

    responses = [
        client.post(INTAKE, intake_data(office, papers)),
        client.post(
            reverse("reception:counter:decide", args=[submitted.pk]),
            {"outcome": "receive", "version": 1},
        ),
        client.post(
            reverse("reception:counter:return", args=[completed.pk]),
            {"delivery": "counter", "citizen_id": "038090001234", "version": 1},
        ),
    ]

    # The other commune's officer gets a form error: our agency is not theirs to choose.
    assert all(r.status_code in (302, 403, 404, 422) for r in responses), [
        r.status_code for r in responses
    ]
    if who == "anonymous":
        assert all(r["Location"].startswith("/admin/login/") for r in responses)
    assert snapshot() == before


def test_the_counter_speaks_vietnamese_first(office, papers) -> None:
    client = Client()
    client.force_login(office.reception)

    start = client.get(INTAKE).content.decode()
    wrong = client.post(
        INTAKE, intake_data(office, papers, applicant_citizen_id="999090001234")
    ).content.decode()

    assert "<h1>Tiếp nhận hồ sơ giấy</h1>" in start
    assert "999 không phải mã tỉnh: kiểm tra ba chữ số đầu." in wrong
    assert "Thiếu giấy tờ bắt buộc" not in wrong


def test_a_received_dossier_is_handed_to_the_agency(office) -> None:
    dossier = office.dossier(Status.RECEIVED)
    client = login(office.reception)
    listing = client.get(reverse("reception:counter:transfers")).content.decode()
    assert reverse("reception:counter:transfer", args=[dossier.pk]) in listing

    response = client.post(
        reverse("reception:counter:transfer", args=[dossier.pk]),
        {"version": dossier.version, "next": "list"},
    )

    dossier.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("reception:counter:transfers")
    assert dossier.status == Status.IN_PROCESS
    row = dossier.hand_overs.get()
    assert (row.from_label, row.to_label, row.sent_by) == (
        office.point.name,
        office.agency.name,
        office.reception,
    )
    listing = client.get(reverse("reception:counter:transfers")).content.decode()
    assert reverse("reception:counter:transfer", args=[dossier.pk]) not in listing


@pytest.mark.parametrize("who", ["anonymous", "citizen", "other_reception", "leader"])
def test_only_the_counter_hands_its_dossiers_over(office, who) -> None:
    dossier = office.dossier(Status.RECEIVED)
    before = snapshot()

    response = actor_client(office, who).post(
        reverse("reception:counter:transfer", args=[dossier.pk]), {"version": dossier.version}
    )

    assert response.status_code == {"anonymous": 302}.get(who, 404)
    assert snapshot() == before
    assert not dossier.hand_overs.exists()


def test_a_scan_failing_after_another_was_stored_leaves_no_file_and_no_dossier(
    office, papers, private_media, monkeypatch
) -> None:
    """The disk fails on the second scan: the first scan's file goes with the rolled-back
    dossier."""
    from dossiers.models.records import PrivateStorage

    real, calls = PrivateStorage._save, []

    def full_disk_on_second(self, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real(self, name, content)

    monkeypatch.setattr(PrivateStorage, "_save", full_disk_on_second)
    form, declaration, _ = papers
    before = snapshot()
    scans = {
        f"file_{form}": SimpleUploadedFile("a.pdf", PDF),
        f"file_{declaration}": SimpleUploadedFile("b.pdf", PDF),
    }

    with pytest.raises(OSError, match="No space left"):
        login(office.reception).post(INTAKE, intake_data(office, papers, **scans))

    assert len(calls) == 2
    assert snapshot() == before
    assert stored_files(private_media) == []


def test_a_good_scan_is_kept_while_the_rest_of_the_form_is_corrected(
    office, papers, private_media
) -> None:
    form = papers[0]
    client = login(office.reception)
    token = uuid.uuid4().hex
    first = client.post(
        INTAKE,
        intake_data(
            office,
            papers,
            intake_token=token,
            applicant_citizen_id="999090001234",
            **{f"file_{form}": SimpleUploadedFile("to-khai.pdf", PDF)},
        ),
    )
    assert first.status_code == 422
    assert "Kept from the previous attempt: to-khai.pdf" in first.content.decode()
    assert Dossier.objects.count() == 0

    second = client.post(INTAKE, intake_data(office, papers, intake_token=token))

    dossier = Dossier.objects.get()
    assert second.status_code == 302
    scan = dossier.attachments.get()
    assert (scan.component_id, scan.original_name, scan.digitized) == (form, "to-khai.pdf", True)
    assert [p.name for p in private_media.rglob("*") if p.is_file()] == [
        scan.file.name.split("/")[-1]
    ]
    assert "counter_kept_scans" not in client.session or not client.session["counter_kept_scans"]


def test_a_kept_scan_the_officer_removes_is_not_attached(office, papers, private_media) -> None:
    form = papers[0]
    client = login(office.reception)
    token = uuid.uuid4().hex
    client.post(
        INTAKE,
        intake_data(
            office,
            papers,
            intake_token=token,
            applicant_phone="12",
            **{f"file_{form}": SimpleUploadedFile("sai.pdf", PDF)},
        ),
    )

    client.post(INTAKE, intake_data(office, papers, intake_token=token, **{f"drop_{form}": "1"}))

    dossier = Dossier.objects.get()
    assert not dossier.attachments.exists()
    assert stored_files(private_media) == []
