"""The processing inbox: what officers and leaders see (their agency's dossiers, overdue
first, due soon highlighted), every action through its page, who may do what, and that a
refusal changes nothing."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dossiers import services
from dossiers.models import Apology, Attachment, Dossier, HandOver, Notification, Pause, Status
from dossiers.services.common import calendar_of
from dossiers.tests.conftest import Office
from dossiers.tests.test_attachments import PDF, PNG, zip_bytes
from dossiers.tests.test_clock import at
from portal.models import AuditEvent
from tests.factories import ProcedureFactory, SectorFactory, UserFactory

S = Status
INBOX = "/reception/inbox/"


def page_of(dossier: Dossier) -> str:
    return f"{INBOX}{dossier.pk}/"


def action_url(dossier: Dossier, action: str) -> str:
    return f"{INBOX}{dossier.pk}/{action}/"


def trace(dossier: Dossier) -> tuple:
    """Everything an inbox action could write."""
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.due_at,
        fresh.paused_at,
        fresh.supplement_count,
        fresh.processing_ended_at,
        fresh.rescheduled_due_at,
        fresh.assigned_to_id,
        fresh.result_ready_at,
        AuditEvent.objects.count(),
        list(Pause.objects.values_list("pk", "resumed_at")),
        list(HandOver.objects.values_list("pk", "finished_at")),
        Apology.objects.count(),
        Notification.objects.count(),
        Attachment.objects.count(),
    )


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def browser(user=None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def codes(response) -> list[str]:
    return [row.dossier.code for row in response.context["rows"]]


def numbered(office: Office, status: str, number: int, **fields) -> Dossier:
    return office.dossier(status, code=f"H56.HT-260303-{number:04d}", **fields)


# What officers see -----------------------------------------------------------------------


def test_overdue_first_then_by_due_time_with_due_soon_flagged(office: Office) -> None:
    # Tuesday 3 March 2026, 09:00: office hours 07:30–11:30 and 13:30–17:00.
    with time_machine.travel(at(3, 9), tick=False):
        numbered(office, S.IN_PROCESS, 1, due_at=at(5, 17))
        numbered(office, S.IN_PROCESS, 2, due_at=at(2, 8))  # overdue since Monday
        numbered(office, S.RECEIVED, 3, due_at=at(3, 16))  # 5 working hours left
        numbered(office, S.IN_PROCESS, 4, due_at=at(3, 8))  # overdue this morning
        numbered(office, S.IN_PROCESS, 5, due_at=at(9, 17))
        numbered(office, S.COMPLETED, 6, due_at=at(1, 17))  # not to process any more
        numbered(office, S.SUPPLEMENT_REQUESTED, 7, due_at=at(2, 17))  # waiting apart

        response = browser(office.processing).get(INBOX)

    assert response.status_code == 200
    assert codes(response) == [
        "H56.HT-260303-0002",
        "H56.HT-260303-0004",
        "H56.HT-260303-0003",
        "H56.HT-260303-0001",
        "H56.HT-260303-0005",
    ]
    rows = response.context["rows"]
    assert [row.timeliness for row in rows] == [
        "overdue",
        "overdue",
        "due_soon",
        "within_deadline",
        "within_deadline",
    ]
    assert [row.working_time for row in rows[:3]] == [(1, 1, 0), (0, 1, 0), (0, 5, 0)]
    assert response.context["counts"] == {"active": 5, "waiting": 1, "results": 1, "overdue": 2}
    html = response.content.decode()
    assert html.count('<tr class="timeliness-due_soon">') == 1
    assert html.count('<span class="badge badge-due-soon">Due soon</span>') == 2  # card, row
    assert "5 h 0 min left" in html
    assert "1 d 1 h overdue" in html
    assert "2 dossiers to process are overdue." in html


def test_waiting_and_results_trays(office: Office) -> None:
    with time_machine.travel(at(3, 9), tick=False):
        numbered(office, S.IN_PROCESS, 1)
        numbered(office, S.SUPPLEMENT_REQUESTED, 2, due_at=at(4, 17))
        numbered(office, S.FINANCIAL_OBLIGATION, 3, due_at=at(3, 17))
        first = numbered(office, S.COMPLETED, 4, processing_ended_at=at(2, 10))
        numbered(office, S.COMPLETED, 5, processing_ended_at=at(3, 8), result_ready_at=at(3, 8))
        numbered(office, S.RETURNED, 6)
        # Asked to complete its papers at the counter, not received yet: the counter's.
        office.dossier(S.SUPPLEMENT_REQUESTED, received_at=None, due_at=None, code=None)
        client = browser(office.processing)

        waiting = client.get(INBOX, {"tray": "waiting"})
        results = client.get(INBOX, {"tray": "results"})
        only_obligations = client.get(INBOX, {"tray": "waiting", "status": S.FINANCIAL_OBLIGATION})

    assert codes(waiting) == ["H56.HT-260303-0003", "H56.HT-260303-0002"]
    assert codes(results) == ["H56.HT-260303-0004", "H56.HT-260303-0005"]
    assert codes(only_obligations) == ["H56.HT-260303-0003"]
    html = results.content.decode()
    assert "Paper result not marked ready" in html
    assert "Paper result ready" in html
    assert str(first.pk) in html


def test_filters_by_holder_state_procedure_and_code(office: Office) -> None:
    other_procedure = ProcedureFactory(
        code="1.000001", name="Đăng ký khai sinh", sector=SectorFactory(name="Hộ tịch")
    )
    other_procedure.agencies.add(office.agency)
    mine = numbered(office, S.IN_PROCESS, 1, assigned_to=office.processing)
    numbered(office, S.IN_PROCESS, 2, assigned_to=office.leader)
    free = numbered(office, S.RECEIVED, 3)
    birth = numbered(office, S.IN_PROCESS, 4, procedure=other_procedure)
    client = browser(office.processing)

    def found(**query) -> set[str]:
        return set(codes(client.get(INBOX, query)))

    assert found(holder="mine") == {mine.code}
    assert found(holder="unassigned") == {free.code, birth.code}
    assert len(found(holder="all")) == 4
    assert found(status=S.RECEIVED) == {free.code}
    assert found(procedure=other_procedure.pk) == {birth.code}
    assert found(code="0004") == {birth.code}
    assert found(code="h56.ht-260303-000") == {
        mine.code,
        free.code,
        birth.code,
        "H56.HT-260303-0002",
    }
    # A value that is not one of the choices is ignored rather than failing the page.
    assert len(found(status="returned", holder="nobody")) == 4


def test_paginated_with_the_filters_kept(office: Office) -> None:
    for number in range(1, 28):
        numbered(office, S.IN_PROCESS, number, due_at=at(3, 17) + timedelta(hours=number))
    client = browser(office.leader)

    first = client.get(INBOX, {"holder": "unassigned"})
    second = client.get(INBOX, {"holder": "unassigned", "page": 2})

    assert len(first.context["rows"]) == 25
    assert codes(second) == ["H56.HT-260303-0026", "H56.HT-260303-0027"]
    assert 'href="?holder=unassigned&amp;page=2"' in first.content.decode()


def test_the_queries_do_not_grow_with_the_rows(office: Office) -> None:
    client = browser(office.leader)
    for number in range(1, 4):
        numbered(office, S.IN_PROCESS, number, assigned_to=office.processing)
    client.get(INBOX)  # the working calendar is built once per process

    with CaptureQueriesContext(connection) as few:
        assert len(client.get(INBOX).context["rows"]) == 3
    for number in range(4, 16):
        numbered(office, S.IN_PROCESS, number, assigned_to=office.leader)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(INBOX).context["rows"]) == 15

    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_dossier_page_shows_papers_pauses_hand_overs_and_timeline(office: Office) -> None:
    dossier = office.dossier(S.RECEIVED)
    services.dossier_transfer(dossier_id=dossier.pk, officer=office.reception)
    services.dossier_request_supplement(
        dossier_id=dossier.pk, officer=office.processing, items=["Bản sao CCCD"], reason="Mờ"
    )

    response = browser(office.processing).get(page_of(dossier))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Dossier {dossier.code}" in html
    assert "Nguyễn Thị Lan" in html
    assert "Thẩm định" in html  # the form 05 row the transfer opened
    assert "Supplement requested" in html
    assert "Bản sao CCCD" in html
    assert "Transferred to the agency" in html
    assert set(response.context["forms"]) == {"take", "supplement"}
    # Right after the request nothing has come back: the box says so, not the opposite.
    assert "Waiting for the applicant's papers" in html
    assert "The applicant has not sent the papers asked for yet." in html
    assert "brought or sent the papers" not in html


# Every action through the pages ----------------------------------------------------------

Check = Callable[[Dossier, Office], None]


def _assigned_to(name: str) -> Check:
    def check(dossier: Dossier, office: Office) -> None:
        assert dossier.assigned_to == person(office, name)

    return check


def _actor_took_it(dossier: Dossier, office: Office) -> None:
    assert dossier.assigned_to_id == AuditEvent.objects.order_by("pk").last().actor_id


def _status(status: str) -> Check:
    def check(dossier: Dossier, office: Office) -> None:
        assert dossier.status == status

    return check


def _handed_over(dossier: Dossier, office: Office) -> None:
    row = HandOver.objects.get(dossier=dossier, sequence=2)
    assert (row.to_label, row.step_name, row.note) == ("Lãnh đạo UBND phường", "Phê duyệt", "Gấp")


def promised_day(dossier: Dossier) -> date:
    """A working day a week after the due date."""
    day = timezone.localtime(dossier.due_at).date() + timedelta(days=7)
    return calendar_of(dossier).next_working_day(day)


def _apologised(dossier: Dossier, office: Office) -> None:
    assert dossier.apology.reason == "Cần xác minh"
    assert dossier.rescheduled_due_at == calendar_of(dossier).closing_time(promised_day(dossier))


def _result_attached(dossier: Dossier, office: Office) -> None:
    result = Attachment.objects.get(dossier=dossier)
    assert (result.kind, result.content_type, result.size) == (
        "result",
        "application/pdf",
        len(PDF),
    )


def _result_ready(dossier: Dossier, office: Office) -> None:
    assert dossier.result_ready_at is not None


def _form(dossier: Dossier, office: Office, action: str) -> dict:
    fields = {
        "assign": {"assignee": office.leader.pk},
        "hand_over": {"to_label": "Lãnh đạo UBND phường", "to_agency": "", "note": "Gấp"},
        "request_supplement": {"items": "Bản sao CCCD\n\nGiấy ủy quyền", "reason": "Thiếu"},
        "request_financial_obligation": {"reason": "Lệ phí trước bạ", "amount": "500000"},
        "apologise": {
            "reason": "Cần xác minh",
            "new_due_date": promised_day(dossier).isoformat(),
        },
        "stop": {"reason": "Không đủ điều kiện"},
        "attach_result": {"file": SimpleUploadedFile("ket-qua.pdf", PDF)},
    }.get(action, {})
    return {f"{action}-{name}": value for name, value in fields.items()} | {
        f"{action}-version": dossier.version
    }


# action → (state, extra fields of the dossier, who may, what it leaves)
CASES: dict[str, tuple[str, dict, set[str], Check]] = {
    "take": (S.IN_PROCESS, {}, {"processing", "leader"}, _actor_took_it),
    # An officer may take a free dossier, but only a leader gives it to someone else.
    "assign": (S.IN_PROCESS, {}, {"leader"}, _assigned_to("leader")),
    "release": (S.IN_PROCESS, {"assigned_to": "processing"}, {"processing", "leader"},
                _assigned_to("nobody")),
    "hand_over": (S.IN_PROCESS, {}, {"processing", "leader"}, _handed_over),
    "request_supplement": (S.IN_PROCESS, {}, {"processing", "leader"},
                           _status(S.SUPPLEMENT_REQUESTED)),
    "supplement": (S.SUPPLEMENT_REQUESTED, {}, {"processing", "leader"}, _status(S.IN_PROCESS)),
    "request_financial_obligation": (S.IN_PROCESS, {}, {"processing", "leader"},
                                     _status(S.FINANCIAL_OBLIGATION)),
    "fulfil_financial_obligation": (S.FINANCIAL_OBLIGATION, {}, {"processing", "leader"},
                                    _status(S.IN_PROCESS)),
    "apologise": (S.IN_PROCESS, {}, {"processing", "leader"}, _apologised),
    "complete": (S.IN_PROCESS, {}, {"leader"}, _status(S.COMPLETED)),
    "stop": (S.IN_PROCESS, {}, {"leader"}, _status(S.STOPPED)),
    "attach_result": (S.COMPLETED, {}, {"processing", "leader"}, _result_attached),
    "mark_result_ready": (S.COMPLETED, {}, {"processing", "leader"}, _result_ready),
}  # fmt: skip

ACTORS = ["anonymous", "citizen", "reception", "other_processing", "other_leader",
          "processing", "leader"]  # fmt: skip
# Inside the agency but without the capacity: the officer sees the dossier, so a refusal
# says so (403); anyone else must not learn that it exists (404).
IN_SCOPE = {"processing", "leader"}


def person(office: Office, name: str):
    return {
        "anonymous": None,
        "nobody": None,
        "citizen": office.applicant,
    }.get(name, getattr(office, name, None))


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("action", sorted(CASES))
def test_authorization_matrix_of_the_actions(
    office: Office, private_media, action: str, who: str
) -> None:
    state, fields, allowed, check = CASES[action]
    dossier = office.dossier(
        state, **{name: person(office, value) for name, value in fields.items()}
    )
    before = trace(dossier)

    response = browser(person(office, who)).post(
        action_url(dossier, action), _form(dossier, office, action)
    )

    if who in allowed:
        assert response.status_code == 302
        assert response.url == page_of(dossier)
        dossier.refresh_from_db()
        assert dossier.version == 2
        check(dossier, office)
        return
    if who == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
    else:
        assert response.status_code == (403 if who in IN_SCOPE else 404)
    assert trace(dossier) == before


@pytest.mark.parametrize(
    ("who", "inbox_status", "page_status"),
    [
        ("anonymous", 302, 302),
        ("citizen", 403, 404),
        ("reception", 403, 404),
        ("other_processing", 200, 404),
        ("other_leader", 200, 404),
        ("processing", 200, 200),
        ("leader", 200, 200),
    ],
)
def test_authorization_matrix_of_the_pages(
    office: Office, who: str, inbox_status: int, page_status: int
) -> None:
    ours = office.dossier(S.IN_PROCESS)
    theirs = office.dossier(
        S.IN_PROCESS, agency=office.other_agency, reception_point=office.other_point
    )
    client = browser(person(office, who))

    listing = client.get(INBOX)
    page = client.get(page_of(ours))

    assert (listing.status_code, page.status_code) == (inbox_status, page_status)
    if inbox_status == 200:
        expected = {theirs.code} if who.startswith("other_") else {ours.code}
        assert set(codes(listing)) == expected
    if who == "anonymous":
        assert listing.url == f"/admin/login/?next={INBOX}"


def test_actions_offered_follow_the_capacities(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS)

    officer = browser(office.processing).get(page_of(dossier)).context["forms"]
    leader = browser(office.leader).get(page_of(dossier)).context["forms"]

    assert list(officer) == [
        "take",
        "hand_over",
        "request_supplement",
        "request_financial_obligation",
        "apologise",
    ]
    assert list(leader) == [
        "assign",
        "hand_over",
        "complete",
        "request_supplement",
        "request_financial_obligation",
        "apologise",
        "stop",
    ]
    html = browser(office.leader).get(page_of(dossier)).content.decode()
    assert "Approve and send the result to the reception point</button>" in html
    assert ">Hand over</button>" in html


def test_a_change_made_meanwhile_is_not_overwritten(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS)
    seen = dossier.version
    services.dossier_assign(dossier_id=dossier.pk, officer=office.leader, assignee=office.leader)
    before = trace(dossier)

    response = browser(office.leader).post(
        action_url(dossier, "complete"), {"complete-version": seen}
    )

    assert response.status_code == 409
    assert "Someone else changed this dossier after you opened it" in response.content.decode()
    assert trace(dossier) == before
    # The page now carries the version it shows: approving again works.
    assert response.context["forms"]["complete"]["version"].value() == str(seen + 1)


def test_an_action_the_state_no_longer_allows_is_refused(office: Office) -> None:
    dossier = office.dossier(S.COMPLETED)
    before = trace(dossier)

    response = browser(office.leader).post(
        action_url(dossier, "complete"), {"complete-version": dossier.version}
    )

    assert response.status_code == 409
    assert "This cannot be done while the dossier is “Result ready”." in response.content.decode()
    assert trace(dossier) == before


def test_an_unknown_action_is_not_found(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS)
    response = browser(office.leader).post(action_url(dossier, "delete"), {"delete-version": 1})
    assert response.status_code == 404


def test_the_pages_answer_only_get_and_the_actions_only_post(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS)
    client = browser(office.leader)
    assert client.post(INBOX).status_code == 405
    assert client.get(action_url(dossier, "complete")).status_code == 405


def test_csrf_is_required(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS)
    client = Client(enforce_csrf_checks=True)
    client.force_login(office.leader)
    before = trace(dossier)

    response = client.post(action_url(dossier, "complete"), {"complete-version": 1})

    assert response.status_code == 403
    assert trace(dossier) == before


# Form errors next to their fields --------------------------------------------------------


def test_a_hand_over_needs_someone_to_take_it(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS, terms={"steps": []})
    before = trace(dossier)

    response = browser(office.processing).post(
        action_url(dossier, "hand_over"), {"hand_over-version": 1, "hand_over-to_label": " "}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="id_hand_over-to_label-help id_hand_over-to_label-error"' in html
    error = "Say who takes the dossier over."
    assert f'<p class="field-error" id="id_hand_over-to_label-error">{error}</p>' in html
    assert trace(dossier) == before


def test_a_hand_over_to_another_agency_is_named_after_it(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS)

    response = browser(office.processing).post(
        action_url(dossier, "hand_over"),
        {
            "hand_over-version": 1,
            "hand_over-to_label": "",
            "hand_over-to_agency": office.other_agency.pk,
        },
    )

    assert response.status_code == 302
    row = HandOver.objects.get(dossier=dossier, sequence=2)
    assert (row.to_label, row.to_agency) == (str(office.other_agency), office.other_agency)


def test_a_supplement_request_needs_papers_and_a_reason(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS)
    before = trace(dossier)

    response = browser(office.processing).post(
        action_url(dossier, "request_supplement"),
        {"request_supplement-version": 1, "request_supplement-items": "\n \n"},
    )

    assert response.status_code == 400
    errors = response.context["forms"]["request_supplement"].errors
    assert errors == {
        "items": ["Name at least one paper to supplement."],
        "reason": ["Give the reason."],
    }
    assert trace(dossier) == before


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-03-05", "Choose a date after the current due date."),
        ("2026-03-07", "Choose a working day."),  # a Saturday
        ("", "Choose the new date."),
    ],
)
def test_an_apology_promises_a_later_working_day(office: Office, day: str, message: str) -> None:
    dossier = office.dossier(S.IN_PROCESS, due_at=at(5, 17))
    before = trace(dossier)

    response = browser(office.processing).post(
        action_url(dossier, "apologise"),
        {"apologise-version": 1, "apologise-reason": "Chậm", "apologise-new_due_date": day},
    )

    assert response.status_code == 400
    assert response.context["forms"]["apologise"].errors == {"new_due_date": [message]}
    assert response.context["open_form"] == "apologise"  # shown unfolded, with the error
    assert trace(dossier) == before


def test_a_leader_assigns_only_officers_of_the_agency(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS)
    before = trace(dossier)

    response = browser(office.leader).post(
        action_url(dossier, "assign"),
        {"assign-version": 1, "assign-assignee": office.other_processing.pk},
    )

    assert response.status_code == 400
    form = response.context["forms"]["assign"]
    assert list(form.errors) == ["assignee"]
    assert set(form.fields["assignee"].queryset) == {office.processing, office.leader}
    assert trace(dossier) == before


# The electronic result ----------------------------------------------------------------


def _stored(root) -> list:
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ket-qua.pdf", PNG, "The file name does not match its content, which is PNG: "
         "rename it or choose another file."),
        ("ket-qua.pdf", zip_bytes(), "This file is application/zip, not a PDF, JPEG or PNG "
         "document."),
        ("ket-qua.pdf", b"", "The file is empty."),
        ("ket-qua.pdf", PDF + bytes(2048), "The file is larger than 2 KB."),
    ],
)  # fmt: skip
def test_a_bad_result_file_is_refused_next_to_the_field(
    office: Office, private_media, settings, name: str, content: bytes, message: str
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 2048
    dossier = office.dossier(S.COMPLETED)
    before = trace(dossier)

    response = browser(office.processing).post(
        action_url(dossier, "attach_result"),
        {"attach_result-version": 1, "attach_result-file": SimpleUploadedFile(name, content)},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert f'<p class="field-error" id="id_attach_result-file-error">{message}</p>' in html
    assert 'aria-describedby="id_attach_result-file-error" aria-invalid="true"' in html
    assert trace(dossier) == before
    assert _stored(private_media) == []


def test_the_applicant_downloads_the_electronic_result(office: Office, private_media) -> None:
    dossier = office.dossier(S.COMPLETED)
    browser(office.processing).post(
        action_url(dossier, "attach_result"),
        {"attach_result-version": 1, "attach_result-file": SimpleUploadedFile("kq.pdf", PDF)},
    )
    result = Attachment.objects.get(dossier=dossier)

    mine = browser(office.applicant).get(f"/dossiers/attachments/{result.pk}/")
    stranger = browser(UserFactory(username="hangxom")).get(f"/dossiers/attachments/{result.pk}/")

    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == PDF
    assert stranger.status_code == 404
    page = browser(office.processing).get(page_of(dossier)).content.decode()
    assert f'href="/dossiers/attachments/{result.pk}/"' in page


# The journey the browser test will take ----------------------------------------------


def test_received_handed_over_approved_then_returned_at_the_counter(office: Office) -> None:
    dossier = office.dossier(S.RECEIVED)
    services.dossier_transfer(dossier_id=dossier.pk, officer=office.reception)
    officer, leader = browser(office.processing), browser(office.leader)

    def post(client: Client, action: str, **fields) -> None:
        version = Dossier.objects.get(pk=dossier.pk).version
        data = {f"{action}-{name}": value for name, value in fields.items()}
        response = client.post(action_url(dossier, action), data | {f"{action}-version": version})
        assert response.status_code == 302, response.content.decode()[:2000]

    post(officer, "take")
    # The form offers the next step of the procedure; the officer only presses the button.
    form = officer.get(page_of(dossier)).context["forms"]["hand_over"]
    post(officer, "hand_over", to_label=form["to_label"].value(), to_agency="", note="")
    post(leader, "complete")
    post(officer, "mark_result_ready")

    dossier.refresh_from_db()
    assert (dossier.status, dossier.assigned_to) == (S.COMPLETED, office.processing)
    rows = list(dossier.hand_overs.values_list("to_label", "finished_at"))
    assert [label for label, _ in rows] == [
        str(office.agency),
        "Phê duyệt",
        str(office.point),  # sent back to the reception point with the result
    ]
    assert rows[-1][1] is None  # until the counter hands the result over
    services.dossier_return_result(
        dossier_id=dossier.pk, officer=office.reception, delivery="counter"
    )
    dossier.refresh_from_db()
    assert dossier.status == S.RETURNED
    assert list(
        AuditEvent.objects.filter(target_id=str(dossier.pk))
        .order_by("pk")
        .values_list("event", flat=True)
    ) == [
        "dossiers.transferred",
        "dossiers.assigned",
        "dossiers.handed_over",
        "dossiers.completed",
        "dossiers.result_ready",
        "dossiers.result_returned",
    ]


def test_an_action_without_the_version_seen_is_refused(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS)
    before = trace(dossier)

    response = browser(office.leader).post(action_url(dossier, "complete"), {})

    assert response.status_code == 400
    assert "The form lost the dossier&#x27;s version: reload the page." in response.content.decode()
    assert trace(dossier) == before


def test_a_returned_dossier_is_history_only(office: Office) -> None:
    dossier = office.dossier(S.RETURNED)

    response = browser(office.leader).get(page_of(dossier))

    assert response.status_code == 200
    assert response.context["forms"] == {}
    assert "Nothing for you to do on this dossier now." in response.content.decode()
    assert codes(browser(office.leader).get(INBOX, {"tray": "results"})) == []


def test_a_late_apology_is_recorded_with_a_warning(office: Office) -> None:
    with time_machine.travel(at(3, 9), tick=False):
        dossier = office.dossier(S.IN_PROCESS, due_at=at(3, 16))
        response = browser(office.processing).post(
            action_url(dossier, "apologise"),
            {
                "apologise-version": 1,
                "apologise-reason": "Cần xác minh",
                "apologise-new_due_date": "2026-03-06",
            },
            follow=True,
        )

    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
        ("success", "The apology with the new date is recorded (form 04)."),
        ("warning", "It was issued less than one working day before the due time."),
    ]
    dossier.refresh_from_db()
    assert (dossier.rescheduled_due_at, dossier.apology.issued_late) == (at(6, 17), True)


def test_an_amount_beyond_any_fee_is_a_field_error(office: Office) -> None:
    dossier = office.dossier(S.IN_PROCESS)
    before = trace(dossier)

    response = browser(office.processing).post(
        action_url(dossier, "request_financial_obligation"),
        {
            "request_financial_obligation-version": dossier.version,
            "request_financial_obligation-reason": "Lệ phí trước bạ",
            "request_financial_obligation-amount": str(10**19),
        },
    )

    assert response.status_code == 400
    assert "request_financial_obligation-amount-error" in response.content.decode()
    assert trace(dossier) == before


def test_an_agency_handed_a_coordinated_step_sees_it_and_hands_it_back(office: Office) -> None:
    """Cơ quan phối hợp: while its step is open, the other agency sees the dossier in its
    inbox and may only hand it on; then it is the lead agency's alone again."""
    dossier = office.dossier(S.IN_PROCESS)
    assert browser(office.other_processing).get(page_of(dossier)).status_code == 404

    browser(office.processing).post(
        action_url(dossier, "hand_over"),
        {
            "hand_over-version": 1,
            "hand_over-to_label": "",
            "hand_over-to_agency": office.other_agency.pk,
        },
    )
    theirs = browser(office.other_processing)
    listing = theirs.get(INBOX)
    page = theirs.get(page_of(dossier))
    leader_page = browser(office.other_leader).get(page_of(dossier))
    before = trace(dossier)
    refused = browser(office.other_leader).post(
        action_url(dossier, "complete"), {"complete-version": 2}
    )

    assert codes(listing) == [dossier.code]
    assert page.status_code == 200
    assert list(page.context["forms"]) == ["hand_over"]
    assert list(leader_page.context["forms"]) == ["hand_over"]
    assert refused.status_code in (403, 404)
    assert trace(dossier) == before

    back = theirs.post(
        action_url(dossier, "hand_over"),
        {"hand_over-version": 2, "hand_over-to_label": "Ủy ban nhân dân Phường Hạc Thành"},
    )

    assert back.status_code == 302
    rows = list(dossier.hand_overs.order_by("sequence").values_list("to_agency", "sent_by"))
    assert rows == [
        (office.agency.pk, office.reception.pk),
        (office.other_agency.pk, office.processing.pk),
        (None, office.other_processing.pk),
    ]
    assert theirs.get(page_of(dossier)).status_code == 404
    assert codes(theirs.get(INBOX)) == []
    assert browser(office.processing).get(page_of(dossier)).status_code == 200
