"""Satisfaction evaluations (RULES.md §8): the service, one per dossier, and the counter's
tablet that offers the dossier just handled there, holding a kiosk credential rather than
an officer's session."""

import re

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dossiers import services as dossier_services
from dossiers.errors import InvalidTransitionError
from dossiers.models import Dossier, Evaluation, Status
from dossiers.services.evaluations import CRITERIA, AlreadyEvaluatedError, dossier_evaluate
from dossiers.tests.test_clock import at
from portal.models import AuditEvent
from portal.roles import Role
from procedures.models import Assignment
from reception.queue import credentials, selectors, services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_GOOD = dict.fromkeys(CRITERIA, 2)


def completed(office) -> Dossier:
    """A dossier whose result the leader signed, through the service that records it."""
    dossier = office.dossier(Status.IN_PROCESS)
    return dossier_services.dossier_complete(dossier_id=dossier.pk, officer=office.leader)


def unchanged(dossier: Dossier) -> tuple:
    dossier = Dossier.objects.get(pk=dossier.pk)
    return (dossier.status, dossier.version, Evaluation.objects.count(), AuditEvent.objects.count())


# The service -----------------------------------------------------------------------------


def test_the_applicant_rates_online_with_the_nine_criteria(office) -> None:
    dossier = completed(office)
    version = Dossier.objects.get(pk=dossier.pk).version

    with time_machine.travel(at(9, 10), tick=False):
        evaluation = dossier_evaluate(
            dossier_id=dossier.pk,
            actor=office.applicant,
            rating="very_satisfied",
            criteria={**ALL_GOOD, "contacts": 1, "total_time": 0},
            comment="  Cán bộ nhiệt tình.  ",
            channel="online",
        )

    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert evaluation.dossier_id == dossier.pk
    assert evaluation.rating == "very_satisfied"
    assert evaluation.criteria == {
        "total_time": 0,
        "agency_time": 2,
        "contacts": 1,
        "agencies_contacted": 2,
        "one_stop": 2,
        "publicity": 2,
        "attitude": 2,
        "feedback": 2,
        "online_service": 2,
    }
    assert evaluation.comment == "Cán bộ nhiệt tình."
    assert evaluation.channel == "online"
    assert evaluation.evaluated_at == at(9, 10)
    assert evaluation.reception_officer == office.reception
    assert evaluation.processing_officer == office.leader
    assert Dossier.objects.get(pk=dossier.pk).version == version + 1
    event = AuditEvent.objects.filter(event="dossiers.evaluated").get()
    assert (event.actor, event.target_id) == (office.applicant, str(dossier.pk))
    assert event.data["rating"] == "very_satisfied"
    assert event.data["channel"] == "online"


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.RETURNED, Status.STOPPED])
@pytest.mark.parametrize("channel", ["kiosk", "paper"])
def test_a_reception_officer_records_a_kiosk_or_paper_rating(office, status, channel) -> None:
    dossier = office.dossier(status)

    evaluation = dossier_evaluate(
        dossier_id=dossier.pk, actor=office.reception, rating="satisfied", channel=channel
    )

    assert (evaluation.channel, evaluation.criteria, evaluation.comment) == (channel, {}, "")
    assert evaluation.reception_officer == office.reception
    assert evaluation.processing_officer is None  # made without the completing service


@pytest.mark.parametrize(
    ("who", "channel"),
    [
        ("applicant", "kiosk"),  # a kiosk rating is recorded through the officer's tablet
        ("applicant", "paper"),
        ("reception", "online"),  # online is the applicant's own
        ("other_reception", "kiosk"),
        ("processing", "paper"),
        ("leader", "kiosk"),
        ("other_leader", "online"),
    ],
)
def test_others_may_not_record_an_evaluation(office, who, channel) -> None:
    dossier = completed(office)
    before = unchanged(dossier)

    with pytest.raises(PermissionDenied):
        dossier_evaluate(
            dossier_id=dossier.pk, actor=getattr(office, who), rating="satisfied", channel=channel
        )

    assert unchanged(dossier) == before


@pytest.mark.parametrize(
    "status",
    [Status.SUBMITTED, Status.RECEIVED, Status.IN_PROCESS, Status.REJECTED, Status.WITHDRAWN],
)
def test_nothing_to_rate_before_processing_ended(office, status) -> None:
    dossier = office.dossier(status)
    before = unchanged(dossier)

    with pytest.raises(InvalidTransitionError) as refused:
        dossier_evaluate(
            dossier_id=dossier.pk, actor=office.applicant, rating="satisfied", channel="online"
        )

    assert (refused.value.code, refused.value.action, refused.value.status) == (
        "dossier.invalid_transition",
        "evaluate",
        status,
    )

    assert unchanged(dossier) == before


def test_one_evaluation_per_dossier(office) -> None:
    dossier = completed(office)
    dossier_evaluate(
        dossier_id=dossier.pk, actor=office.reception, rating="dissatisfied", channel="kiosk"
    )
    before = unchanged(dossier)

    with pytest.raises(AlreadyEvaluatedError):
        dossier_evaluate(
            dossier_id=dossier.pk,
            actor=office.applicant,
            rating="very_satisfied",
            channel="online",
        )

    assert unchanged(dossier) == before
    assert Evaluation.objects.get(dossier=dossier).rating == "dissatisfied"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rating": "excellent"}, "rating"),
        ({"channel": "sms"}, "channel"),
        ({"criteria": {"speed": 2}}, "criteria"),
        ({"criteria": {"attitude": 3}}, "criteria"),
        ({"criteria": {"attitude": -1}}, "criteria"),
        ({"criteria": {"attitude": True}}, "criteria"),
        ({"criteria": {"attitude": "2"}}, "criteria"),
        ({"comment": "x" * 2001}, "comment"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(office, changes, field) -> None:
    dossier = completed(office)
    before = unchanged(dossier)
    arguments = {"rating": "satisfied", "channel": "online", **changes}

    with pytest.raises(ValidationError) as refused:
        dossier_evaluate(dossier_id=dossier.pk, actor=office.applicant, **arguments)

    assert list(refused.value.message_dict) == [field]
    assert unchanged(dossier) == before


def test_an_unknown_dossier_is_not_found(office) -> None:
    with pytest.raises(Dossier.DoesNotExist):
        dossier_evaluate(
            dossier_id="00000000-0000-0000-0000-000000000000",
            actor=office.applicant,
            rating="satisfied",
            channel="online",
        )


# The tablet at the counter ---------------------------------------------------------------


def kiosk_url(office, name: str = "kiosk", counter: int = 1, point=None) -> str:
    return reverse(f"reception:queue:{name}", args=[(point or office.point).code, counter])


def served_at_counter(office, dossier: Dossier, when, *, counter: int = 1, point=None) -> None:
    """A number called to the counter and the dossier handled while serving it."""
    point = point or office.point
    officer = office.reception if point == office.point else office.other_reception
    with time_machine.travel(when, tick=False):
        services.queue_take_number(point=point)
        services.queue_call_next(officer=officer, point=point, counter=counter)
        services.counter_note_dossier(officer=officer, dossier=dossier)


def start_kiosk(client, office, when=None, *, counter: int = 1, officer=None):
    """What the officer does on the tablet: sign in, open the kiosk's address and press
    "Start the kiosk on this device"."""
    client.force_login(officer or office.reception)
    with time_machine.travel(when or at(9, 9), tick=False):
        response = client.post(kiosk_url(office, "kiosk-start", counter))
    assert response.status_code == 302
    assert response["Location"] == kiosk_url(office, counter=counter)
    return response


def test_the_kiosk_offers_the_dossier_just_served_and_thanks(client, office) -> None:
    dossier = completed(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    start_kiosk(client, office)
    with time_machine.travel(at(9, 9), tick=False):
        services.queue_take_number(point=office.point)
        waiting = client.get(kiosk_url(office))
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
        services.counter_note_dossier(officer=office.reception, dossier=dossier)
        poll = client.get(kiosk_url(office, "kiosk-current"), {"k": "waiting"})
        key = selectors.kiosk_dossier(office.point, 1).key
        again = client.get(kiosk_url(office, "kiosk-current"), {"k": key})
        rated = client.post(
            kiosk_url(office, "kiosk-evaluate"),
            {"dossier": str(dossier.pk), "rating": "satisfied", "criterion_attitude": "2"},
        )
        thanks = client.get(rated["Location"])
        after = client.get(kiosk_url(office, "kiosk-current"), {"k": "thanks"})

    assert waiting.status_code == 200
    assert "When you have been served at this counter" in waiting.content.decode()
    html = poll.content.decode()
    assert poll.status_code == 200
    assert f"Dossier {dossier.code}" in html
    assert office.procedure.name in html
    assert "N. T. L." in html
    assert "Nguyễn Thị Lan" not in html
    assert "0912345678" not in html
    assert html.count('name="rating"') == 5
    assert again.status_code == 204
    assert rated.status_code == 302
    assert rated["Location"] == kiosk_url(office) + "?thanks=1"
    assert "Thank you!" in thanks.content.decode()
    assert "When you have been served at this counter" in after.content.decode()
    evaluation = Evaluation.objects.get(dossier=dossier)
    assert (evaluation.rating, evaluation.channel, evaluation.criteria) == (
        "satisfied",
        "kiosk",
        {"attitude": 2},
    )
    assert evaluation.reception_officer == office.reception
    assert evaluation.processing_officer == office.leader


def test_a_second_rating_at_the_kiosk_is_refused_with_a_message(client, office) -> None:
    dossier = completed(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    start_kiosk(client, office)
    served_at_counter(office, dossier, at(9, 9))
    form = {"dossier": str(dossier.pk), "rating": "very_satisfied"}
    with time_machine.travel(at(9, 9, 1), tick=False):
        client.post(kiosk_url(office, "kiosk-evaluate"), form)
        before = unchanged(dossier)
        second = client.post(kiosk_url(office, "kiosk-evaluate"), form | {"rating": "neutral"})

    assert second.status_code == 409
    assert "This dossier has already been rated. Thank you!" in second.content.decode()
    assert unchanged(dossier) == before
    assert Evaluation.objects.get(dossier=dossier).rating == "very_satisfied"


def test_a_rating_given_elsewhere_meanwhile_is_refused_at_the_kiosk(client, office) -> None:
    dossier = completed(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    start_kiosk(client, office)
    served_at_counter(office, dossier, at(9, 9))
    with time_machine.travel(at(9, 9, 1), tick=False):
        page = client.get(kiosk_url(office))
    assert 'name="rating"' in page.content.decode()
    # The applicant rated online from the receipt's QR code while the tablet showed the form.
    dossier_evaluate(
        dossier_id=dossier.pk, actor=office.applicant, rating="neutral", channel="online"
    )
    before = unchanged(dossier)

    with time_machine.travel(at(9, 9, 2), tick=False):
        response = client.post(
            kiosk_url(office, "kiosk-evaluate"),
            {"dossier": str(dossier.pk), "rating": "very_satisfied"},
        )

    assert response.status_code == 409
    assert unchanged(dossier) == before


def test_a_dossier_just_received_cannot_be_rated_yet(client, office) -> None:
    dossier = office.dossier(Status.RECEIVED)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    start_kiosk(client, office)
    served_at_counter(office, dossier, at(9, 9))
    with time_machine.travel(at(9, 9, 1), tick=False):
        page = client.get(kiosk_url(office))
        before = unchanged(dossier)
        refused = client.post(
            kiosk_url(office, "kiosk-evaluate"), {"dossier": str(dossier.pk), "rating": "neutral"}
        )

    assert "Your dossier has been received" in page.content.decode()
    assert 'name="rating"' not in page.content.decode()
    assert refused.status_code == 409
    assert "when its result is ready" in refused.content.decode()
    assert unchanged(dossier) == before


def test_the_kiosk_rates_only_the_dossier_it_offers(client, office) -> None:
    offered, other = completed(office), completed(office)
    start_kiosk(client, office)
    served_at_counter(office, offered, at(9, 9))
    before = unchanged(other)

    with time_machine.travel(at(9, 9, 1), tick=False):
        response = client.post(
            kiosk_url(office, "kiosk-evaluate"), {"dossier": str(other.pk), "rating": "neutral"}
        )

    assert response.status_code == 409
    assert unchanged(other) == before


def test_the_kiosk_forgets_a_dossier_after_half_an_hour_or_the_next_call(client, office) -> None:
    first, second = completed(office), completed(office)
    served_at_counter(office, first, at(9, 9))

    with time_machine.travel(at(9, 9, 29), tick=False):
        fresh = selectors.kiosk_dossier(office.point, 1)
    with time_machine.travel(at(9, 9, 31), tick=False):
        stale = selectors.kiosk_dossier(office.point, 1)
    served_at_counter(office, second, at(9, 10))
    with time_machine.travel(at(9, 10, 1), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
        after_next_call = selectors.kiosk_dossier(office.point, 1)

    assert fresh is not None
    assert fresh.id == str(first.pk)
    assert stale is None
    assert after_next_call is None


def test_a_rating_without_an_answer_is_refused(client, office) -> None:
    dossier = completed(office)
    start_kiosk(client, office)
    served_at_counter(office, dossier, at(9, 9))
    before = unchanged(dossier)

    with time_machine.travel(at(9, 9, 1), tick=False):
        response = client.post(kiosk_url(office, "kiosk-evaluate"), {"dossier": str(dossier.pk)})

    assert response.status_code == 400
    assert unchanged(dossier) == before


# The kiosk's credential: the tablet never holds an officer's session ----------------------


def kiosk_events() -> int:
    return AuditEvent.objects.filter(event="reception.kiosk_started").count()


def test_starting_the_kiosk_signs_the_officer_out_and_leaves_only_the_kiosk(client, office) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(office.reception)
    with time_machine.travel(at(9, 9), tick=False):
        page = client.get(kiosk_url(office))
        started = start_kiosk(client, office)
        workspace = client.get("/reception/")
        kiosk_page = client.get(kiosk_url(office))

    assert page.status_code == 200
    assert "Start the kiosk on this device" in page.content.decode()
    assert 'name="rating"' not in page.content.decode()
    cookie = started.cookies[credentials.COOKIE]
    assert cookie["path"] == kiosk_url(office) == "/reception/queue/kiosk/ttpvhcc-14797/1/"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert bool(cookie["secure"]) is settings.SESSION_COOKIE_SECURE  # True but under DEBUG
    assert cookie["max-age"] == 12 * 3600
    with time_machine.travel(at(9, 20, 59), tick=False):
        credential = credentials.read(cookie.value)
    assert credential == credentials.KioskCredential(
        point_id=office.point.pk,
        counter=1,
        officer_id=office.reception.pk,
        expires=at(9, 21),
    )
    assert "_auth_user_id" not in client.session
    assert workspace.status_code == 302
    assert workspace["Location"].startswith(reverse("admin:login"))
    assert kiosk_page.status_code == 200
    assert "When you have been served at this counter" in kiosk_page.content.decode()
    event = AuditEvent.objects.get(event="reception.kiosk_started")
    assert (event.actor, event.target_id, event.data) == (
        office.reception,
        str(office.point.pk),
        {"counter": 1, "hours": 12},
    )


@pytest.mark.parametrize("who", ["anonymous", "applicant", "other_reception", "leader"])
def test_only_an_officer_of_the_point_starts_the_kiosk(client, office, who) -> None:
    if who != "anonymous":
        client.force_login(getattr(office, who))

    with time_machine.travel(at(9, 9), tick=False):
        response = client.post(kiosk_url(office, "kiosk-start"))
        as_get = client.get(kiosk_url(office, "kiosk-start"))

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == 404
        assert client.session["_auth_user_id"] == str(getattr(office, who).pk)
    assert credentials.COOKIE not in response.cookies
    assert as_get.status_code == 405
    assert kiosk_events() == 0


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", (302, 302, 302)),
        ("applicant", (404, 404, 404)),
        ("other_reception", (404, 404, 404)),
        ("leader", (404, 404, 404)),
        # The officer's own session opens the page that starts the kiosk; it does not rate.
        ("reception", (200, 404, 404)),
    ],
)
def test_without_the_kiosk_credential_nobody_rates(client, office, who, expected) -> None:
    dossier = completed(office)
    served_at_counter(office, dossier, at(9, 9))
    if who != "anonymous":
        client.force_login(getattr(office, who))
    before = unchanged(dossier)

    with time_machine.travel(at(9, 9, 1), tick=False):
        page = client.get(kiosk_url(office))
        poll = client.get(kiosk_url(office, "kiosk-current"))
        rated = client.post(
            kiosk_url(office, "kiosk-evaluate"), {"dossier": str(dossier.pk), "rating": "satisfied"}
        )

    assert (page.status_code, poll.status_code, rated.status_code) == expected
    if who == "anonymous":
        assert rated["Location"].startswith(reverse("admin:login"))
    assert 'name="rating"' not in page.content.decode()
    assert unchanged(dossier) == before


def test_the_kiosk_records_ratings_in_the_name_of_the_officer_who_started_it(
    client, office
) -> None:
    colleague = UserFactory(username="tiepnhan3", is_staff=True)
    Assignment.objects.create(
        user=colleague, role=Role.RECEPTION_OFFICER, reception_point=office.point
    )
    dossier = completed(office)  # received by office.reception
    start_kiosk(client, office, officer=colleague)
    served_at_counter(office, dossier, at(9, 9))

    with time_machine.travel(at(9, 9, 1), tick=False):
        rated = client.post(
            kiosk_url(office, "kiosk-evaluate"),
            {"dossier": str(dossier.pk), "rating": "very_satisfied"},
        )

    assert rated.status_code == 302
    evaluation = Evaluation.objects.get(dossier=dossier)
    assert (evaluation.rating, evaluation.channel) == ("very_satisfied", "kiosk")
    # The dossier's own reception officer keeps the per-officer figure; the kiosk's
    # officer is who recorded it.
    assert evaluation.reception_officer == office.reception
    event = AuditEvent.objects.get(event="dossiers.evaluated", target_id=str(dossier.pk))
    assert event.actor == colleague
    assert event.data["channel"] == "kiosk"


@pytest.mark.parametrize("where", ["other_counter", "other_point"])
def test_the_credential_works_only_at_its_own_counter(client, office, where) -> None:
    office.point.counters = 2
    office.point.save(update_fields=["counters"])
    if where == "other_counter":
        dossier, counter, point = completed(office), 2, office.point
    else:
        dossier = office.dossier(
            Status.RETURNED, reception_point=office.other_point, agency=office.other_agency
        )
        counter, point = 1, office.other_point
    served_at_counter(office, dossier, at(9, 9), counter=counter, point=point)
    start_kiosk(client, office)  # counter 1 of office.point
    before = unchanged(dossier)

    with time_machine.travel(at(9, 9, 1), tick=False):
        page = client.get(kiosk_url(office, counter=counter, point=point))
        poll = client.get(kiosk_url(office, "kiosk-current", counter=counter, point=point))
        rated = client.post(
            kiosk_url(office, "kiosk-evaluate", counter=counter, point=point),
            {"dossier": str(dossier.pk), "rating": "very_satisfied"},
        )

    assert (page.status_code, poll.status_code, rated.status_code) == (404, 404, 404)
    assert unchanged(dossier) == before


def tampered(value: str) -> str:
    """The credential with one character of its payload changed."""
    index = 2
    return value[:index] + ("A" if value[index] != "A" else "B") + value[index + 1 :]


@pytest.mark.parametrize(
    "forge",
    [
        tampered,
        # Signed with the project's key but for another purpose (another salt).
        lambda value: signing.dumps(signing.loads(value, salt=credentials.SALT), salt="other"),
        # Signed as the credential but not as one (no counter).
        lambda value: signing.dumps({"p": 1, "o": 1, "e": 2**40}, salt=credentials.SALT),
        lambda value: "",
    ],
    ids=["tampered", "other-salt", "malformed", "empty"],
)
def test_a_tampered_credential_is_refused(client, office, forge) -> None:
    dossier = completed(office)
    served_at_counter(office, dossier, at(9, 9))
    started = start_kiosk(client, office)
    client.cookies[credentials.COOKIE] = forge(started.cookies[credentials.COOKIE].value)
    before = unchanged(dossier)

    with time_machine.travel(at(9, 9, 1), tick=False):
        page = client.get(kiosk_url(office))
        poll = client.get(kiosk_url(office, "kiosk-current"), headers={"HX-Request": "true"})
        rated = client.post(
            kiosk_url(office, "kiosk-evaluate"), {"dossier": str(dossier.pk), "rating": "neutral"}
        )

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("admin:login"))
    assert poll["HX-Refresh"] == "true"
    assert rated.status_code == 302
    assert rated["Location"].startswith(reverse("admin:login"))
    assert unchanged(dossier) == before


def test_the_credential_expires_after_kiosk_hours(client, office) -> None:
    still, gone = at(2, 19, 59), at(2, 20, 1)  # started at 8:00 for 12 hours
    start_kiosk(client, office, at(2, 8))
    first, second = completed(office), completed(office)
    served_at_counter(office, first, still)
    with time_machine.travel(still, tick=False):
        rated_in_time = client.post(
            kiosk_url(office, "kiosk-evaluate"), {"dossier": str(first.pk), "rating": "neutral"}
        )
    served_at_counter(office, second, gone)
    before = unchanged(second)

    with time_machine.travel(gone, tick=False):
        page = client.get(kiosk_url(office))
        rated_late = client.post(
            kiosk_url(office, "kiosk-evaluate"), {"dossier": str(second.pk), "rating": "neutral"}
        )

    assert rated_in_time.status_code == 302
    assert rated_in_time["Location"].endswith("?thanks=1")
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("admin:login"))
    assert rated_late.status_code == 302
    assert rated_late["Location"].startswith(reverse("admin:login"))
    assert unchanged(second) == before


def test_the_kiosk_runs_as_long_as_the_setting_says(client, office, settings) -> None:
    settings.KIOSK_HOURS = 2
    started = start_kiosk(client, office, at(2, 8))

    with time_machine.travel(at(2, 9, 59), tick=False):
        in_time = client.get(kiosk_url(office))
    with time_machine.travel(at(2, 10, 1), tick=False):
        late = client.get(kiosk_url(office))

    assert started.cookies[credentials.COOKIE]["max-age"] == 2 * 3600
    assert in_time.status_code == 200
    assert late.status_code == 302


def test_the_kiosk_stops_when_its_officer_no_longer_works_at_the_point(client, office) -> None:
    dossier = completed(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    start_kiosk(client, office)
    served_at_counter(office, dossier, at(9, 9))
    Assignment.objects.filter(user=office.reception, role=Role.RECEPTION_OFFICER).delete()
    before = unchanged(dossier)

    with time_machine.travel(at(9, 9, 1), tick=False):
        page = client.get(kiosk_url(office))
        poll = client.get(kiosk_url(office, "kiosk-current"), headers={"HX-Request": "true"})
        rated = client.post(
            kiosk_url(office, "kiosk-evaluate"), {"dossier": str(dossier.pk), "rating": "neutral"}
        )

    assert page.status_code == 403
    html = page.content.decode()
    assert "This kiosk has stopped" in html
    assert "no longer works at this reception point" in html
    assert 'name="rating"' not in html
    assert poll["HX-Refresh"] == "true"
    assert rated.status_code == 403
    assert unchanged(dossier) == before


WAY_OUT = re.compile(r'(?:href|action|src|hx-get|hx-post)="([^"]*)"')


def test_the_kiosk_pages_have_no_way_out_of_the_kiosk(client, office) -> None:
    dossier = completed(office)
    start_kiosk(client, office)
    with time_machine.travel(at(9, 9), tick=False):
        waiting = client.get(kiosk_url(office))
    served_at_counter(office, dossier, at(9, 9))
    with time_machine.travel(at(9, 9, 1), tick=False):
        offered = client.get(kiosk_url(office))
        thanks = client.get(kiosk_url(office), {"thanks": "1"})
    Assignment.objects.filter(user=office.reception).delete()
    with time_machine.travel(at(9, 9, 2), tick=False):
        stopped = client.get(kiosk_url(office))

    for response in (waiting, offered, thanks, stopped):
        html = response.content.decode()
        assert 'name="rating"' in html or response is not offered
        assert re.search(r'<html lang="vi">', html)
        assert "<title>" in html
        assert '<main id="main"' in html
        assert "queue.css" in html
        for forbidden in ("/admin/", "/account/", 'href="/reception/"', "site-header", "<nav"):
            assert forbidden not in html
        targets = WAY_OUT.findall(html)
        assert targets
        for target in targets:
            assert target.startswith((kiosk_url(office), settings.STATIC_URL)), target


def test_an_officer_signing_in_on_the_device_sees_the_kiosk_and_may_stop_it(client, office) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    start_kiosk(client, office)
    client.force_login(office.reception)  # the officer signs in again on the tablet

    with time_machine.travel(at(9, 10), tick=False):
        page = client.get(kiosk_url(office))
        stopped = client.post(kiosk_url(office, "kiosk-stop"))
        after = client.get(kiosk_url(office))

    html = page.content.decode()
    assert "This device runs the kiosk of this counter, started by" in html
    assert "until 21:00, 09/03/2026" in html
    assert "Stop the kiosk on this device" in html
    assert stopped.status_code == 302
    assert stopped.cookies[credentials.COOKIE].value == ""
    assert stopped.cookies[credentials.COOKIE]["path"] == kiosk_url(office)
    assert stopped.cookies[credentials.COOKIE]["max-age"] == 0
    assert "The kiosk has stopped on this device." in after.content.decode()
    assert "This device runs the kiosk" not in after.content.decode()


def test_the_device_stops_its_own_kiosk(client, office) -> None:
    start_kiosk(client, office)
    with time_machine.travel(at(9, 10), tick=False):
        stopped = client.post(kiosk_url(office, "kiosk-stop"))
        client.cookies.pop(credentials.COOKIE)  # as the browser does with the cleared cookie
        after = client.get(kiosk_url(office))

    assert stopped.status_code == 302
    assert stopped.cookies[credentials.COOKIE]["max-age"] == 0
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 302), ("applicant", 404)])
def test_nobody_else_stops_a_kiosk(client, office, who, expected) -> None:
    if who != "anonymous":
        client.force_login(office.applicant)

    response = client.post(kiosk_url(office, "kiosk-stop"))

    assert response.status_code == expected
    assert credentials.COOKIE not in response.cookies


def test_a_counter_the_point_does_not_have_has_no_kiosk(client, office) -> None:
    client.force_login(office.reception)

    assert client.get(kiosk_url(office, counter=2)).status_code == 404
    assert client.get(kiosk_url(office, counter=0)).status_code == 404
    assert client.post(kiosk_url(office, "kiosk-start", counter=2)).status_code == 404
    assert kiosk_events() == 0


def test_initials_keep_only_the_first_letters() -> None:
    assert selectors.initials("Nguyễn Thị Lan") == "N. T. L."
    assert selectors.initials("  đặng   văn  an ") == "Đ. V. A."
    assert selectors.initials("") == ""


def test_the_tablet_reloads_when_the_kiosk_ends(client, office) -> None:
    response = client.get(kiosk_url(office, "kiosk-current"), headers={"HX-Request": "true"})

    assert response["HX-Refresh"] == "true"
