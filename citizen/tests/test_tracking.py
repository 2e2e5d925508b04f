"""Following a dossier (issue #7): "my dossiers", the status lookup by the receipt's code
and secret, the answer to a supplement request, the electronic result and the
satisfaction evaluation (RULES.md §7–8)."""
# ruff: noqa: F811 - the commune fixture imported from the dossiers tests is a parameter of
# the tests below.

import re
import uuid
from urllib.parse import urlsplit

import pytest
import redis
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from citizen.tracking import throttle
from dossiers import services
from dossiers.errors import InvalidTransitionError
from dossiers.models import Attachment, Dossier, Evaluation, Pause, Status
from dossiers.services import Applicant
from dossiers.services.evaluations import AlreadyEvaluatedError, dossier_evaluate_by_receipt
from dossiers.tests.conftest import Office, office  # noqa: F401 - the commune fixture
from dossiers.tests.test_attachments import PDF
from dossiers.tests.test_clock import at
from portal.models import AuditEvent
from procedures.models import Component, CopyType, Fee
from reception.documents.context import lookup_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL = "Nguyễn Thị Lan", "0912345678", "lan@example.org"
CITIZEN_ID, ADDRESS = "038190000123", "12 Lê Lợi, Phường Hạc Thành"
NOT_FOUND = "No dossier matches this code and lookup secret. Check both against your receipt."
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def own_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lookup counters live in the shared cache (Redis on CI): each test its own."""
    monkeypatch.setattr(throttle, "PREFIX", f"test-tracking:{uuid.uuid4().hex}")


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def papers(office: Office) -> list[int]:
    return [
        Component.objects.create(
            procedure=office.procedure, position=1, name="Tờ khai", copy_type=CopyType.ORIGINAL
        ).pk,
        Component.objects.create(
            procedure=office.procedure,
            position=2,
            name="Bản sao Giấy khai sinh",
            copy_type=CopyType.CERTIFIED_COPY,
        ).pk,
    ]


def speak(client, language: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def received(office: Office) -> tuple[Dossier, str]:
    """Received at the counter on Monday 2 March 09:00 (due Thursday 5 March 17:00) and
    handed to the agency at 10:00; with the lookup secret printed on the receipt."""
    office.processing.full_name = "Lê Văn Hùng"
    office.processing.save()
    office.reception.full_name = "Trần Thị Mai"
    office.reception.save()
    with time_machine.travel(at(2, 9), tick=False):
        reception = services.dossier_receive_at_counter(
            officer=office.reception,
            procedure=office.procedure,
            agency=office.agency,
            reception_point=office.point,
            applicant=Applicant(
                name=NAME,
                citizen_id=CITIZEN_ID,
                phone=PHONE,
                email=EMAIL,
                address=ADDRESS,
                account=office.applicant,
            ),
        )
    with time_machine.travel(at(2, 10), tick=False):
        services.dossier_transfer(dossier_id=reception.dossier.pk, officer=office.reception)
    return Dossier.objects.get(pk=reception.dossier.pk), reception.lookup_secret


def ask_supplement(office: Office, dossier: Dossier) -> None:
    with time_machine.travel(at(3, 10), tick=False):
        services.dossier_request_supplement(
            dossier_id=dossier.pk,
            officer=office.processing,
            items=["Bản sao Giấy khai sinh"],
            reason="Thiếu giấy tờ chứng minh nhân thân",
        )


def completed(office: Office) -> tuple[Dossier, str]:
    dossier, secret = received(office)
    with time_machine.travel(at(4, 15), tick=False):
        services.dossier_complete(dossier_id=dossier.pk, officer=office.leader)
    return Dossier.objects.get(pk=dossier.pk), secret


def unchanged(dossier: Dossier) -> tuple:
    """What a refused request must leave as it was."""
    dossier = Dossier.objects.get(pk=dossier.pk)
    return (
        dossier.status,
        dossier.version,
        dossier.due_at,
        dossier.paused_at,
        Evaluation.objects.count(),
        AuditEvent.objects.count(),
        Attachment.objects.count(),
        Pause.objects.filter(resumed_at__isnull=True).count(),
    )


def page(response) -> str:
    return response.content.decode()


def upload(name: str = "khai-sinh.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# My dossiers --------------------------------------------------------------------------------


def test_my_dossiers_lists_the_citizens_own_newest_first_without_drafts(client, office) -> None:
    first, _ = received(office)
    ready = office.dossier(Status.COMPLETED)
    asked = office.dossier(Status.SUPPLEMENT_REQUESTED)
    waiting = office.dossier(Status.SUBMITTED)
    draft = office.dossier(Status.DRAFT)
    someone_else = office.dossier(Status.IN_PROCESS, applicant=UserFactory(username="khac"))
    speak(client, "en")
    client.force_login(office.applicant)

    response = client.get(reverse("citizen:my-dossiers"))

    html = page(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    positions = [
        html.index(f"Reference {waiting.reference}"),
        html.index(f"Dossier {asked.code}"),
        html.index(f"Dossier {ready.code}"),
        html.index(f"Dossier {first.code}"),
    ]
    assert positions == sorted(positions)
    assert draft.reference not in html
    assert someone_else.code not in html
    assert html.count("Papers requested from you") == 1
    assert html.count('class="badge badge-ready">Your result is ready<') == 1
    assert html.count("Being processed") == 1  # the first one, handed to the agency
    assert "Submitted, awaiting reception" in html
    assert "17:00 05/03/2026" in html  # its due date
    assert reverse("citizen:my-dossier", args=[first.pk]) in html


def test_my_dossiers_in_vietnamese(client, office) -> None:
    dossier, _ = received(office)
    client.force_login(office.applicant)

    html = page(client.get(reverse("citizen:my-dossiers")))

    assert '<html lang="vi">' in html
    assert f"Hồ sơ {dossier.code}" in html
    assert "Đang xử lý" in html
    assert "Hạn giải quyết" in html
    with translation.override("vi"):
        assert translation.gettext("My dossiers") in html


def test_my_dossiers_need_an_account(client, office) -> None:
    dossier, _ = received(office)

    for url in (
        reverse("citizen:my-dossiers"),
        reverse("citizen:my-dossier", args=[dossier.pk]),
        reverse("citizen:evaluate", args=[dossier.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:login") + "?next=")


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("citizen:my-dossier", "get"),
        ("citizen:evaluate", "get"),
        ("citizen:evaluate", "post"),
        ("citizen:supplement", "post"),
    ],
)
@pytest.mark.parametrize("who", ["other_citizen", "reception", "leader", "own_draft"])
def test_a_dossier_that_is_not_the_citizens_own_is_not_found(
    client, office, private_media, papers, name, method, who
) -> None:
    dossier = office.dossier(Status.COMPLETED)
    if who == "own_draft":
        dossier, user = office.dossier(Status.DRAFT), office.applicant
    elif who == "other_citizen":
        user = UserFactory(username="hangxom")
    else:
        user = getattr(office, who)
    client.force_login(user)
    before = unchanged(dossier)

    response = getattr(client, method)(
        reverse(name, args=[dossier.pk]),
        {"rating": "satisfied", "action": "send", "version": dossier.version}
        if method == "post"
        else {},
    )

    assert response.status_code == 404
    assert unchanged(dossier) == before


def test_the_detail_tells_the_story_in_plain_words_without_officers_names(
    client, office, private_media, papers
) -> None:
    dossier, _ = received(office)
    with time_machine.travel(at(2, 11), tick=False):
        services.dossier_assign(
            dossier_id=dossier.pk, officer=office.leader, assignee=office.processing
        )
    with time_machine.travel(at(3, 9), tick=False):
        services.dossier_hand_over(
            dossier_id=dossier.pk, officer=office.processing, to_label="Lê Văn Hùng, công chức"
        )
    ask_supplement(office, dossier)
    with time_machine.travel(at(3, 11), tick=False):
        services.dossier_supplement(dossier_id=dossier.pk, actor=office.applicant)
    with time_machine.travel(at(4, 9), tick=False):
        services.dossier_apologise(
            dossier_id=dossier.pk,
            officer=office.processing,
            reason="Chờ kết quả xác minh của xã khác",
            new_due_at=at(12, 17),
        )
    speak(client, "en")
    client.force_login(office.applicant)

    html = page(client.get(reverse("citizen:my-dossier", args=[dossier.pk])))

    timeline = html[html.index('id="timeline-title"') :]
    labels = re.findall(r"<time [^>]*>([^<]+)</time> <strong>([^<]+)</strong>", timeline)
    assert labels == [
        ("09:00 02/03/2026", "Received"),
        ("10:00 02/03/2026", "Sent to the competent agency"),
        ("09:00 03/03/2026", "Moved to the next processing step"),
        ("10:00 03/03/2026", "Supplement requested; the clock is paused"),
        ("11:00 03/03/2026", "Supplement received; the clock runs again"),
        ("09:00 04/03/2026", "Apology letter with a new date"),
    ]
    assert "Bản sao Giấy khai sinh" in timeline  # what was asked for
    assert str(office.point) in timeline
    for officer in (office.processing, office.reception, office.leader):
        assert officer.full_name not in html
        assert officer.username not in html
    # The apology letter (form 04) in the page.
    letter = html[html.index('class="letter"') :]
    assert f"Dear {NAME}," in letter
    assert "Chờ kết quả xác minh của xã khác" in letter
    assert "17:00 06/03/2026" in letter  # due, moved one day by the supplement
    assert "will return the result on <strong>17:00 12/03/2026</strong>" in letter
    assert (
        "<dd>17:00 12/03/2026<small>New date promised; originally due 17:00 06/03/2026</small>"
    ) in html
    assert "Rate the service" not in html  # processing has not ended


def test_the_detail_in_vietnamese(client, office) -> None:
    dossier, _ = received(office)
    client.force_login(office.applicant)

    html = page(client.get(reverse("citizen:my-dossier", args=[dossier.pk])))

    assert f"<h1>Hồ sơ {dossier.code}</h1>" in html
    assert "Đang xử lý" in html
    assert "Đã tiếp nhận" in html  # the timeline's first event


# Supplements --------------------------------------------------------------------------------


def test_the_citizen_uploads_what_is_asked_and_sends_it_which_resumes_the_clock(
    client, office, private_media, papers
) -> None:
    dossier, _ = received(office)
    ask_supplement(office, dossier)
    speak(client, "en")
    client.force_login(office.applicant)
    url = reverse("citizen:supplement", args=[dossier.pk])

    with time_machine.travel(at(4, 9), tick=False):
        shown = page(client.get(reverse("citizen:my-dossier", args=[dossier.pk])))
        added = client.post(
            url,
            {
                "action": "upload",
                "item": "0",
                "item-0-component": str(papers[1]),
                "item-0-file": upload(),
            },
        )
        after_upload = page(client.get(added["Location"]))
    with time_machine.travel(at(4, 10), tick=False):
        sent = client.post(url, {"action": "send", "version": str(dossier.version + 1)})
        after_send = page(client.get(sent["Location"]))

    assert "Papers requested from you" in shown
    assert "<h3>Bản sao Giấy khai sinh</h3>" in shown
    # The paper asked for is offered first.
    assert re.search(rf'<option value="{papers[1]}" selected>Bản sao Giấy khai sinh', shown)
    assert added.status_code == 302
    assert added["Location"] == reverse("citizen:my-dossier", args=[dossier.pk]) + "#supplement"
    assert "The file was added." in after_upload
    assert "khai-sinh.pdf" in after_upload
    file = Attachment.objects.get()
    assert (file.component_id, file.component_name, file.uploaded_by) == (
        papers[1],
        "Bản sao Giấy khai sinh",
        office.applicant,
    )
    assert sent.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.status, dossier.paused_at) == (Status.IN_PROCESS, None)
    # Asked Tuesday 10:00, answered Wednesday 10:00: one working day later than Thursday.
    assert dossier.due_at == at(6, 17)
    pause = Pause.objects.get()
    assert (pause.resumed_at, pause.resumed_by, pause.due_after) == (
        at(4, 10),
        office.applicant,
        at(6, 17),
    )
    event = AuditEvent.objects.filter(event="dossiers.supplemented").get()
    assert event.actor == office.applicant
    assert "The supplement was sent. Processing of your dossier resumes." in after_send
    assert "Papers requested from you" not in after_send
    assert "You added a file" in after_send
    assert "17:00 06/03/2026" in after_send


def test_sending_before_adding_a_file_changes_nothing(
    client, office, private_media, papers
) -> None:
    dossier, _ = received(office)
    ask_supplement(office, dossier)
    dossier.refresh_from_db()
    speak(client, "en")
    client.force_login(office.applicant)
    before = unchanged(dossier)

    response = client.post(
        reverse("citizen:supplement", args=[dossier.pk]),
        {"action": "send", "version": str(dossier.version)},
    )

    assert response.status_code == 400
    assert "Add a file for the papers asked for before sending the supplement." in page(response)
    assert unchanged(dossier) == before


def test_a_stale_page_cannot_send_the_supplement(client, office, private_media, papers) -> None:
    dossier, _ = received(office)
    ask_supplement(office, dossier)
    dossier.refresh_from_db()
    speak(client, "en")
    client.force_login(office.applicant)
    before = unchanged(dossier)

    response = client.post(
        reverse("citizen:supplement", args=[dossier.pk]),
        {"action": "send", "version": str(dossier.version - 1)},
    )

    assert response.status_code == 409
    assert "The dossier changed since you opened this page." in page(response)
    assert unchanged(dossier) == before


def test_a_file_that_is_not_a_document_is_refused_next_to_the_field(
    client, office, private_media, papers
) -> None:
    dossier, _ = received(office)
    ask_supplement(office, dossier)
    speak(client, "en")
    client.force_login(office.applicant)
    before = unchanged(dossier)

    response = client.post(
        reverse("citizen:supplement", args=[dossier.pk]),
        {
            "action": "upload",
            "item": "0",
            "item-0-component": str(papers[1]),
            "item-0-file": upload("khai-sinh.pdf", b"MZ" + bytes(64)),
        },
    )

    html = page(response)
    assert response.status_code == 400
    assert (
        '<p class="field-error" id="id_item-0-file-error">This file is '
        "application/x-dosexec, not a PDF, JPEG or PNG document.</p>"
    ) in html
    assert 'aria-describedby="id_item-0-file-error" aria-invalid="true"' in html
    assert unchanged(dossier) == before
    assert not (private_media.exists() and any(p.is_file() for p in private_media.rglob("*")))


@pytest.mark.parametrize("status", [Status.IN_PROCESS, Status.COMPLETED])
def test_nothing_to_upload_when_nothing_is_asked(
    client, office, private_media, papers, status
) -> None:
    dossier = office.dossier(status)
    speak(client, "en")
    client.force_login(office.applicant)
    before = unchanged(dossier)

    uploaded = client.post(
        reverse("citizen:supplement", args=[dossier.pk]),
        {
            "action": "upload",
            "item": "0",
            "item-0-component": str(papers[0]),
            "item-0-file": upload(),
        },
    )
    sent = client.post(
        reverse("citizen:supplement", args=[dossier.pk]),
        {"action": "send", "version": str(dossier.version)},
    )

    assert (uploaded.status_code, sent.status_code) == (409, 409)
    assert "No papers are requested from you for this dossier now." in page(sent)
    assert unchanged(dossier) == before


def test_a_financial_obligation_is_shown_with_its_reason(client, office) -> None:
    dossier = office.dossier(Status.FINANCIAL_OBLIGATION)
    Pause.objects.filter(dossier=dossier).update(amount=1200000)
    speak(client, "en")
    client.force_login(office.applicant)

    html = page(client.get(reverse("citizen:my-dossier", args=[dossier.pk])))

    assert '<h2 id="obligation-title">Financial obligation to fulfil</h2>' in html
    assert "Thiếu giấy tờ" in html
    assert "1,200,000 VND" in html
    assert "Papers requested from you" not in html


# The electronic result ----------------------------------------------------------------------


def test_the_applicant_downloads_the_electronic_result_and_nobody_else(
    client, office, private_media
) -> None:
    dossier, _ = completed(office)
    with time_machine.travel(at(4, 16), tick=False):
        result = services.dossier_attach_result(
            dossier_id=dossier.pk, officer=office.processing, upload=upload("ket-qua.pdf")
        )
    speak(client, "en")
    client.force_login(office.applicant)

    html = page(client.get(reverse("citizen:my-dossier", args=[dossier.pk])))
    download = client.get(reverse("dossiers:attachment", args=[result.pk]))
    client.force_login(UserFactory(username="hangxom"))
    stranger = client.get(reverse("dossiers:attachment", args=[result.pk]))

    assert "Your result" in html
    assert f'href="{reverse("dossiers:attachment", args=[result.pk])}" download' in html
    assert "Download the electronic result" in html
    assert "Result ready" in html
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{dossier.code}-ket-qua.pdf"'
    assert b"".join(download.streaming_content) == PDF
    assert stranger.status_code == 404


def test_fees_show_whether_they_are_paid(client, office) -> None:
    unpaid = office.dossier(Status.IN_PROCESS, fee_amount=50000)
    paid = office.dossier(Status.IN_PROCESS, fee_amount=50000, paid_online=True)
    speak(client, "en")
    client.force_login(office.applicant)

    unpaid_html = page(client.get(reverse("citizen:my-dossier", args=[unpaid.pk])))
    paid_html = page(client.get(reverse("citizen:my-dossier", args=[paid.pk])))

    pay = reverse("citizen:payment-start", args=[unpaid.pk])
    assert "50,000 VND" in unpaid_html
    assert "Not paid yet" in unpaid_html
    assert f'<form method="post" action="{pay}">' in unpaid_html
    assert "Paid online" in paid_html
    assert "Not paid yet" not in paid_html
    assert reverse("citizen:payment-start", args=[paid.pk]) not in paid_html


def test_a_sent_dossier_shows_the_procedures_fees_before_reception(client, office) -> None:
    Fee.objects.create(procedure=office.procedure, name="Lệ phí", amount=30_000)
    Fee.objects.create(procedure=office.procedure, name="Phí", amount=20_000)
    sent = office.dossier(Status.SUBMITTED)
    speak(client, "en")
    client.force_login(office.applicant)

    html = page(client.get(reverse("citizen:my-dossier", args=[sent.pk])))

    assert sent.fee_amount == 0  # fixed only at reception
    assert "50,000 VND" in html
    assert "Not paid yet" in html
    assert "No fees to pay" not in html
    pay = reverse("citizen:payment-start", args=[sent.pk])
    assert f'<form method="post" action="{pay}">' in html


@pytest.mark.parametrize(
    ("status", "provider", "reason"),
    [
        (
            Status.SUBMITTED,
            "",
            "Online payment is not offered yet: pay the fees at the reception point.",
        ),
        (
            Status.COMPLETED,
            "simulated",
            "Fees can be paid online once the dossier is sent and until it is processed.",
        ),
    ],
)
def test_fees_that_cannot_be_paid_online_say_why(
    client, office, settings, status, provider, reason
) -> None:
    settings.PAYMENT_PROVIDER = provider
    Fee.objects.create(procedure=office.procedure, name="Lệ phí", amount=50_000)
    # Received dossiers keep the fees fixed at reception.
    fixed = {"fee_amount": 50_000} if status == Status.COMPLETED else {}
    dossier = office.dossier(status, **fixed)
    speak(client, "en")
    client.force_login(office.applicant)

    html = page(client.get(reverse("citizen:my-dossier", args=[dossier.pk])))

    assert "50,000 VND" in html
    assert "Not paid yet" in html
    assert reason in html
    assert reverse("citizen:payment-start", args=[dossier.pk]) not in html


def test_a_free_procedure_has_no_fees_to_pay(client, office) -> None:
    sent = office.dossier(Status.SUBMITTED)
    speak(client, "en")
    client.force_login(office.applicant)

    html = page(client.get(reverse("citizen:my-dossier", args=[sent.pk])))

    assert "No fees to pay for this dossier." in html
    assert reverse("citizen:payment-start", args=[sent.pk]) not in html


# Status lookup ------------------------------------------------------------------------------


def lookup(client, code: str, secret: str, **extra):
    return client.post(reverse("citizen:lookup"), {"code": code, "secret": secret}, **extra)


@pytest.mark.parametrize(
    ("language", "state", "heading"),
    [("en", "Being processed", "Dossier"), ("vi", "Đang xử lý", "Hồ sơ")],
)
def test_the_lookup_shows_the_state_and_initials_only(
    client, office, language, state, heading
) -> None:
    dossier, secret = received(office)
    speak(client, language)

    response = lookup(client, dossier.code.lower(), secret.lower())

    html = page(response)
    assert response.status_code == 200
    assert f"{heading} {dossier.code}" in html
    assert office.procedure.name in html
    assert state in html
    assert "N. T. L." in html
    assert "09:00 02/03/2026" in html
    assert "17:00 05/03/2026" in html
    for personal in (NAME, PHONE, EMAIL, CITIZEN_ID, ADDRESS, "Trần Thị Mai", "Lê Văn Hùng"):
        assert personal not in html
    # Nothing to rate yet: no form carries the secret on.
    assert reverse("citizen:lookup-evaluate") not in html
    assert "no-store" in response["Cache-Control"]
    # Not `no-referrer`: Chromium would post the page's forms with `Origin: null`.
    assert response["Referrer-Policy"] == "same-origin"


def test_the_receipts_qr_code_opens_the_answer(client, office, settings) -> None:
    settings.PUBLIC_BASE_URL = "https://dichvucong.thanhhoa.gov.vn"
    dossier, secret = received(office)
    ask_supplement(office, dossier)
    speak(client, "en")
    address = urlsplit(lookup_url(dossier, secret))

    opened = client.get(f"{address.path}?{address.query}")
    # lookup.js moves the fragment's secret into the posted form.
    response = client.post(address.path, {"code": dossier.code, "secret": secret})

    assert address.path == reverse("citizen:lookup")
    # The secret is in the fragment, which no browser sends (nor any log keeps).
    assert (address.query, address.fragment) == (
        f"code={dossier.code}",
        f"secret={secret}",
    )
    assert opened.status_code == 200
    assert f'name="code" value="{dossier.code}"' in page(opened)
    assert response.status_code == 200
    assert "Supplement requested" in page(response)
    assert "Papers are requested from the applicant." in page(response)


def test_a_wrong_code_and_a_wrong_secret_get_the_same_answer(client, office) -> None:
    dossier, secret = received(office)
    other_code = dossier.code[:-4] + "9999"
    speak(client, "en")
    before = unchanged(dossier)

    wrong_secret = lookup(client, dossier.code, "ABCDEFGH")
    wrong_code = lookup(client, other_code, secret)

    assert wrong_secret.status_code == wrong_code.status_code == 404
    # Apart from what was typed (the page's links keep its own address), the same page.
    first = CSRF.sub("", page(wrong_secret)).replace(dossier.code, "CODE")
    second = CSRF.sub("", page(wrong_code)).replace(other_code, "CODE")
    assert first.replace("ABCDEFGH", "SECRET") == second.replace(secret, "SECRET")
    assert NOT_FOUND in first
    assert office.procedure.name not in first
    assert "N. T. L." not in first
    # The code is given back to correct it; the secret field is left empty.
    assert f'name="code" value="{other_code}"' in page(wrong_code)
    assert re.search(r'<input type="text" name="secret" [^>]*>', page(wrong_code))
    assert "value" not in re.search(r'<input [^>]*name="secret" [^>]*>', page(wrong_code))[0]
    assert unchanged(dossier) == before


def test_a_missing_field_is_said_next_to_it(client, office) -> None:
    speak(client, "en")

    response = client.post(reverse("citizen:lookup"), {"code": "", "secret": "ABCDEFGH"})

    assert response.status_code == 400
    assert '<p class="field-error" id="id_code-error">Enter the dossier code.</p>' in page(response)


def test_a_portal_dossier_without_its_secret_is_not_found(client, office) -> None:
    # Only legacy dossiers, whose receipts carried no secret, answer to their code alone.
    dossier, _ = received(office)
    speak(client, "en")

    response = client.post(reverse("citizen:lookup"), {"code": dossier.code, "secret": ""})

    assert response.status_code == 404
    assert dossier.procedure.name not in page(response)


def test_failed_lookups_are_throttled_per_address(client, office) -> None:
    dossier, secret = received(office)
    speak(client, "en")
    before = unchanged(dossier)

    failures = [
        lookup(client, dossier.code, f"WRONG{n}AA").status_code
        for n in range(settings.LOOKUP_FAILURES_PER_ADDRESS)
    ]
    blocked = lookup(client, dossier.code, secret)
    another_code = lookup(client, "H56.HT-260302-0042", "ABCDEFGH")

    assert failures == [404] * settings.LOOKUP_FAILURES_PER_ADDRESS
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "900"
    assert "no-store" in blocked["Cache-Control"]
    assert "Too many attempts" in page(blocked)
    assert "Try again in 15 minutes." in page(blocked)
    assert office.procedure.name not in page(blocked)
    assert another_code.status_code == 429
    assert unchanged(dossier) == before


def test_failed_lookups_close_the_code_to_the_addresses_that_failed_on_it(client, office) -> None:
    dossier, secret = received(office)
    speak(client, "en")
    guessers = [f"203.0.113.{n + 1}" for n in range(settings.LOOKUP_FAILURES_PER_CODE)]

    # One wrong secret from each of many addresses: under every address limit.
    failures = [
        lookup(client, dossier.code, "ABCDEFGH", REMOTE_ADDR=address).status_code
        for address in guessers
    ]
    guesser_with_the_secret = lookup(client, dossier.code, secret, REMOTE_ADDR=guessers[0])
    other = office.dossier(Status.IN_PROCESS, code="H56.HT-260302-0777")
    guesser_on_another_code = lookup(client, other.code, "ABCDEFGH", REMOTE_ADDR=guessers[0])
    # A fresh address is still answered: one try, after which the code is closed to it too.
    fresh_wrong = lookup(client, dossier.code, "HGFEDCBA", REMOTE_ADDR="198.51.100.8")
    fresh_then_right = lookup(client, dossier.code, secret, REMOTE_ADDR="198.51.100.8")

    assert failures == [404] * settings.LOOKUP_FAILURES_PER_CODE
    assert guesser_with_the_secret.status_code == 429
    assert guesser_on_another_code.status_code == 404  # other codes are still answered
    assert fresh_wrong.status_code == 404
    assert NOT_FOUND in page(fresh_wrong)
    assert fresh_then_right.status_code == 429


def test_wrong_secrets_for_a_code_do_not_lock_its_holder_out(client, office) -> None:
    dossier, secret = received(office)
    speak(client, "en")
    before = unchanged(dossier)
    attacker, holder = "203.0.113.66", "198.51.100.7"

    for n in range(settings.LOOKUP_FAILURES_PER_CODE):
        lookup(client, dossier.code, f"WRONG{n}AA", REMOTE_ADDR=attacker)
    attacker_with_the_secret = lookup(client, dossier.code, secret, REMOTE_ADDR=attacker)
    holder_answer = lookup(client, dossier.code, secret, REMOTE_ADDR=holder)
    holder_typo = lookup(client, dossier.code, "ABCDEFGH", REMOTE_ADDR=holder)
    holder_after_typo = lookup(client, dossier.code, secret, REMOTE_ADDR=holder)

    assert attacker_with_the_secret.status_code == 429
    assert holder_answer.status_code == 200
    assert f"Dossier {dossier.code}" in page(holder_answer)
    assert "Being processed" in page(holder_answer)
    # The same holder's address with a wrong secret: refused, and then closed for the code.
    assert holder_typo.status_code == 404
    assert NOT_FOUND in page(holder_typo)
    assert holder_after_typo.status_code == 429
    assert unchanged(dossier) == before


def test_lookups_are_counted_per_client_behind_the_proxy(client, office, settings) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = 1
    dossier, secret = received(office)
    speak(client, "en")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    for n in range(settings.LOOKUP_FAILURES_PER_ADDRESS):
        lookup(
            client,
            "H56.HT-260302-0042",
            f"WRONG{n}AA",
            HTTP_X_FORWARDED_FOR="203.0.113.66",
            **proxy,
        )
    typist = lookup(client, dossier.code, secret, HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    # Another visitor through the same proxy; what it claims on the left does not count.
    neighbour = lookup(
        client, dossier.code, secret, HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.7", **proxy
    )

    assert typist.status_code == 429
    assert neighbour.status_code == 200


def test_an_ipv6_client_is_counted_by_its_network(client, office) -> None:
    dossier, secret = received(office)
    speak(client, "en")

    for n in range(settings.LOOKUP_FAILURES_PER_ADDRESS):
        lookup(client, "H56.HT-260302-0042", "ABCDEFGH", REMOTE_ADDR=f"2001:db8:1:2::{n + 1}")
    same_network = lookup(client, dossier.code, secret, REMOTE_ADDR="2001:db8:1:2:ffff::9")
    next_network = lookup(client, dossier.code, secret, REMOTE_ADDR="2001:db8:1:3::1")

    assert same_network.status_code == 429
    assert next_network.status_code == 200


def test_the_window_ends_after_fifteen_minutes(client, office) -> None:
    dossier, secret = received(office)
    speak(client, "en")
    with time_machine.travel(at(5, 9), tick=False):
        for _ in range(settings.LOOKUP_FAILURES_PER_ADDRESS):
            lookup(client, dossier.code, "ABCDEFGH")
        blocked = lookup(client, dossier.code, secret)
    with time_machine.travel(at(5, 9, 16), tick=False):
        later = lookup(client, dossier.code, secret)

    assert blocked.status_code == 429
    # The local-memory cache expires by the clock; Redis by its own, which time_machine
    # does not move: there the counters are simply still there.
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        assert later.status_code == 200


def test_successful_lookups_are_limited_too_at_a_higher_rate(client, office, settings) -> None:
    settings.LOOKUPS_PER_ADDRESS = 3
    dossier, secret = received(office)

    answers = [lookup(client, dossier.code, secret).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_the_limits_are_settings(client, office, settings) -> None:
    """A commune's public Wi-Fi is one address for everyone on it: its province raises
    the limits rather than lock the commune out."""
    settings.LOOKUPS_PER_ADDRESS = 100
    settings.LOOKUP_FAILURES_PER_ADDRESS = 2
    settings.LOOKUP_WINDOW_MINUTES = 30
    dossier, secret = received(office)

    answers = [lookup(client, dossier.code, secret).status_code for _ in range(70)]
    failures = [lookup(client, dossier.code, "ABCDEFGH").status_code for _ in range(3)]

    assert answers == [200] * 70
    assert failures == [404, 404, 429]
    blocked = lookup(client, dossier.code, secret)
    assert blocked["Retry-After"] == "1800"
    assert "Vui lòng thử lại sau 30 phút." in page(blocked)


def _cache_round_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every command sent to Redis, a pipeline counting once."""
    if not isinstance(caches["default"], RedisCache):
        pytest.skip("round trips to a shared cache: needs REDIS_URL")
    calls: list[str] = []
    command, pipeline = redis.Redis.execute_command, redis.client.Pipeline.execute

    def one_command(self, *args, **options):
        calls.append(str(args[0]))
        return command(self, *args, **options)

    def one_pipeline(self, *args, **options):
        calls.append("pipeline")
        return pipeline(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", one_command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", one_pipeline)
    return calls


def test_an_answered_lookup_makes_one_round_trip_to_the_cache(client, office, monkeypatch) -> None:
    dossier, secret = received(office)
    calls = _cache_round_trips(monkeypatch)

    answer = lookup(client, dossier.code, secret)

    assert answer.status_code == 200
    assert len(calls) == 1


# Rating -------------------------------------------------------------------------------------


def test_the_citizen_rates_from_my_dossiers_once(client, office) -> None:
    dossier, _ = completed(office)
    speak(client, "en")
    client.force_login(office.applicant)
    url = reverse("citizen:evaluate", args=[dossier.pk])

    detail = page(client.get(reverse("citizen:my-dossier", args=[dossier.pk])))
    form = page(client.get(url))
    with time_machine.travel(at(5, 8), tick=False):
        rated = client.post(
            url,
            {
                "step": "rate",
                "rating": "very_satisfied",
                "criterion_attitude": "2",
                "criterion_total_time": "1",
                "comment": "  Nhanh gọn.  ",
            },
        )
    after = page(client.get(rated["Location"]))
    before = unchanged(dossier)
    again = client.post(url, {"step": "rate", "rating": "very_dissatisfied"})
    form_again = client.get(url)

    assert f'href="{url}"' in detail
    assert form.count('type="radio" name="rating"') == 5
    assert "<legend>Overall, how satisfied are you with the service?" in form
    assert form.count('<fieldset class="criterion"') == 9
    assert rated.status_code == 302
    assert rated["Location"] == reverse("citizen:my-dossier", args=[dossier.pk])
    evaluation = Evaluation.objects.get(dossier=dossier)
    assert (evaluation.rating, evaluation.channel, evaluation.comment) == (
        "very_satisfied",
        "online",
        "Nhanh gọn.",
    )
    assert evaluation.criteria == {"total_time": 1, "attitude": 2}
    assert evaluation.evaluated_at == at(5, 8)
    assert evaluation.processing_officer == office.leader
    event = AuditEvent.objects.filter(event="dossiers.evaluated").get()
    assert event.actor == office.applicant
    assert "Thank you for rating the service." in after
    assert "You rated the service “Very satisfied” on 05/03/2026. Thank you!" in after
    assert f'href="{url}"' not in after
    assert again.status_code == 409
    assert "This dossier has already been rated. Thank you!" in page(again)
    assert unchanged(dossier) == before
    assert Evaluation.objects.get(dossier=dossier).rating == "very_satisfied"
    assert 'name="rating"' not in page(form_again)


def test_the_rating_form_in_vietnamese(client, office) -> None:
    dossier, _ = completed(office)
    client.force_login(office.applicant)

    html = page(client.get(reverse("citizen:evaluate", args=[dossier.pk])))

    assert "Rất hài lòng" in html
    assert "Rất không hài lòng" in html
    assert "Tốt" in html  # a criterion's best answer


def test_a_rating_without_an_answer_is_refused_next_to_the_question(client, office) -> None:
    dossier, _ = completed(office)
    speak(client, "en")
    client.force_login(office.applicant)
    before = unchanged(dossier)

    response = client.post(
        reverse("citizen:evaluate", args=[dossier.pk]), {"step": "rate", "comment": "?"}
    )

    html = page(response)
    assert response.status_code == 400
    assert '<p class="field-error" id="id_rating-error">Choose one of the five answers.</p>' in (
        html
    )
    assert 'aria-describedby="id_rating-error"' in html
    assert unchanged(dossier) == before


@pytest.mark.parametrize("status", [Status.IN_PROCESS, Status.SUPPLEMENT_REQUESTED])
def test_nothing_to_rate_before_the_result(client, office, status) -> None:
    dossier = office.dossier(status)
    speak(client, "en")
    client.force_login(office.applicant)
    before = unchanged(dossier)

    shown = client.get(reverse("citizen:evaluate", args=[dossier.pk]))
    posted = client.post(
        reverse("citizen:evaluate", args=[dossier.pk]), {"step": "rate", "rating": "satisfied"}
    )

    assert shown.status_code == 200
    assert "You can rate the service when the result is ready." in page(shown)
    assert 'name="rating"' not in page(shown)
    assert posted.status_code == 409
    assert "You can rate the service when the result is ready." in page(posted)
    assert unchanged(dossier) == before


def test_the_receipt_holder_rates_from_the_lookup_without_an_account(client, office) -> None:
    dossier, secret = completed(office)
    speak(client, "en")

    answer = page(lookup(client, dossier.code, secret))
    receipt = {"code": dossier.code, "secret": secret}
    opened = client.post(reverse("citizen:lookup-evaluate"), receipt)
    with time_machine.travel(at(5, 8), tick=False):
        rated = client.post(
            reverse("citizen:lookup-evaluate"),
            {"code": dossier.code, "secret": secret, "step": "rate", "rating": "satisfied"},
        )
    thanks = client.get(rated["Location"])
    before = unchanged(dossier)
    again = client.post(
        reverse("citizen:lookup-evaluate"),
        {"code": dossier.code, "secret": secret, "step": "rate", "rating": "neutral"},
    )

    assert f'action="{reverse("citizen:lookup-evaluate")}"' in answer
    assert f'<input type="hidden" name="secret" value="{secret}"' in answer
    assert opened.status_code == 200
    assert "no-store" in opened["Cache-Control"]
    assert page(opened).count('type="radio" name="rating"') == 5
    assert "N. T. L." in page(opened)
    assert NAME not in page(opened)
    assert rated.status_code == 302
    assert rated["Location"] == reverse("citizen:lookup")
    assert secret not in rated["Location"]
    assert "Thank you for rating the service." in page(thanks)
    evaluation = Evaluation.objects.get(dossier=dossier)
    assert (evaluation.rating, evaluation.channel, evaluation.evaluated_at) == (
        "satisfied",
        "online",
        at(5, 8),
    )
    event = AuditEvent.objects.filter(event="dossiers.evaluated").get()
    assert (event.actor, event.data["by"], event.data["channel"]) == (None, "receipt", "online")
    assert secret not in str(event.data)
    assert again.status_code == 409
    assert "This dossier has already been rated. Thank you!" in page(again)
    assert unchanged(dossier) == before


def test_rating_from_the_lookup_with_a_wrong_secret_reveals_and_changes_nothing(
    client, office
) -> None:
    dossier, _ = completed(office)
    speak(client, "en")
    before = unchanged(dossier)

    response = client.post(
        reverse("citizen:lookup-evaluate"),
        {"code": dossier.code, "secret": "ABCDEFGH", "step": "rate", "rating": "satisfied"},
    )

    assert response.status_code == 404
    assert NOT_FOUND in page(response)
    assert office.procedure.name not in page(response)
    assert unchanged(dossier) == before


def test_rating_from_the_lookup_is_throttled_like_the_lookup(client, office) -> None:
    dossier, secret = completed(office)
    for _ in range(settings.LOOKUP_FAILURES_PER_ADDRESS):
        client.post(
            reverse("citizen:lookup-evaluate"), {"code": dossier.code, "secret": "ABCDEFGH"}
        )
    before = unchanged(dossier)

    response = client.post(
        reverse("citizen:lookup-evaluate"),
        {"code": dossier.code, "secret": secret, "step": "rate", "rating": "satisfied"},
    )

    assert response.status_code == 429
    assert unchanged(dossier) == before


def test_the_lookup_does_not_offer_rating_before_the_result(client, office) -> None:
    dossier, secret = received(office)
    speak(client, "en")
    before = unchanged(dossier)

    answer = page(lookup(client, dossier.code, secret))
    posted = client.post(
        reverse("citizen:lookup-evaluate"),
        {"code": dossier.code, "secret": secret, "step": "rate", "rating": "satisfied"},
    )

    assert reverse("citizen:lookup-evaluate") not in answer
    assert posted.status_code == 409
    assert "You can rate the service when the result is ready." in page(posted)
    assert unchanged(dossier) == before


# The service behind the QR rating -------------------------------------------------------------


def test_the_service_rates_by_receipt_once(office) -> None:
    dossier, secret = completed(office)

    evaluation = dossier_evaluate_by_receipt(
        code=dossier.code.lower(), secret=f" {secret.lower()} ", rating="neutral"
    )
    before = unchanged(dossier)
    with pytest.raises(AlreadyEvaluatedError):
        dossier_evaluate_by_receipt(code=dossier.code, secret=secret, rating="satisfied")

    assert (evaluation.dossier_id, evaluation.rating, evaluation.channel) == (
        dossier.pk,
        "neutral",
        "online",
    )
    assert evaluation.reception_officer == office.reception
    assert unchanged(dossier) == before


@pytest.mark.parametrize("wrong", ["code", "secret", "both", "empty code"])
def test_the_service_says_the_same_whichever_is_wrong(office, wrong) -> None:
    dossier, secret = completed(office)
    code = {"code": "H56.HT-260302-9999", "both": "H56.HT-260302-9999", "empty code": ""}.get(
        wrong, dossier.code
    )
    given = "ABCDEFGH" if wrong in ("secret", "both") else secret
    before = unchanged(dossier)

    refusal = r"^no dossier with this code and lookup secret$"
    with pytest.raises(Dossier.DoesNotExist, match=refusal):
        dossier_evaluate_by_receipt(code=code, secret=given, rating="satisfied")

    assert unchanged(dossier) == before


def test_the_service_refuses_before_processing_ended_and_bad_input(office) -> None:
    dossier, secret = received(office)
    before = unchanged(dossier)

    with pytest.raises(InvalidTransitionError) as not_yet:
        dossier_evaluate_by_receipt(code=dossier.code, secret=secret, rating="satisfied")
    assert (not_yet.value.action, not_yet.value.status) == ("evaluate", dossier.status)
    with pytest.raises(ValidationError) as refused:
        dossier_evaluate_by_receipt(
            code=dossier.code, secret=secret, rating="satisfied", criteria={"attitude": 3}
        )

    assert list(refused.value.message_dict) == ["criteria"]
    assert unchanged(dossier) == before


def test_the_lookup_secret_travels_into_no_other_link(client, office) -> None:
    dossier, secret = received(office)

    html = page(lookup(client, dossier.code, secret))

    assert f'href="{reverse("portal:login")}?next=/lookup/"' in html
    assert '<input name="next" type="hidden" value="/lookup/">' in html
    links = re.findall(r'(?:href|action|value)="([^"]*)"', html)
    assert [link for link in links if secret in link and "secret" in link] == []
