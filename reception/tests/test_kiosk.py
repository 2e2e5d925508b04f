"""Satisfaction evaluations (RULES.md §8): the service, one per dossier, and the counter's
tablet that offers the dossier just handled there."""

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dossiers import services as dossier_services
from dossiers.errors import InvalidTransitionError
from dossiers.models import Dossier, Evaluation, Status
from dossiers.services.evaluations import CRITERIA, AlreadyEvaluatedError, dossier_evaluate
from dossiers.tests.test_clock import at
from portal.models import AuditEvent
from reception.queue import selectors, services

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

    with pytest.raises(
        InvalidTransitionError, match=f"cannot evaluate a dossier in state {status}"
    ):
        dossier_evaluate(
            dossier_id=dossier.pk, actor=office.applicant, rating="satisfied", channel="online"
        )

    assert unchanged(dossier) == before


def test_one_evaluation_per_dossier(office) -> None:
    dossier = completed(office)
    dossier_evaluate(
        dossier_id=dossier.pk, actor=office.reception, rating="dissatisfied", channel="kiosk"
    )
    before = unchanged(dossier)

    with pytest.raises(AlreadyEvaluatedError, match="already been evaluated"):
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


def kiosk_url(office, name: str = "kiosk", counter: int = 1) -> str:
    return reverse(f"reception:queue:{name}", args=[office.point.code, counter])


def served_at_counter(office, dossier: Dossier, when) -> None:
    """A number called to counter 1 and the dossier handled while serving it."""
    with time_machine.travel(when, tick=False):
        services.queue_take_number(point=office.point)
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
        services.counter_note_dossier(officer=office.reception, dossier=dossier)


def test_the_kiosk_offers_the_dossier_just_served_and_thanks(client, office) -> None:
    dossier = completed(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(office.reception)
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
    client.force_login(office.reception)
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
    client.force_login(office.reception)
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
    client.force_login(office.reception)
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
    client.force_login(office.reception)
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
    client.force_login(office.reception)
    served_at_counter(office, dossier, at(9, 9))
    before = unchanged(dossier)

    with time_machine.travel(at(9, 9, 1), tick=False):
        response = client.post(kiosk_url(office, "kiosk-evaluate"), {"dossier": str(dossier.pk)})

    assert response.status_code == 400
    assert unchanged(dossier) == before


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("applicant", 404),
        ("other_reception", 404),
        ("leader", 404),
        ("reception", None),
    ],
)
@pytest.mark.parametrize(
    ("name", "method", "success"),
    [
        ("kiosk", "get", 200),
        ("kiosk-current", "get", 200),
        ("kiosk-evaluate", "post", 302),
    ],
)
def test_who_may_use_the_kiosk(client, office, who, expected, name, method, success) -> None:
    dossier = completed(office)
    served_at_counter(office, dossier, at(9, 9))
    if who != "anonymous":
        client.force_login(getattr(office, who))
    before = unchanged(dossier)

    with time_machine.travel(at(9, 9, 1), tick=False):
        response = getattr(client, method)(
            kiosk_url(office, name),
            {"dossier": str(dossier.pk), "rating": "satisfied"} if method == "post" else {},
        )

    assert response.status_code == (expected or success)
    if who == "anonymous":
        assert response["Location"].startswith(reverse("admin:login"))
    if who == "reception" and method == "post":
        assert Evaluation.objects.get(dossier=dossier).channel == "kiosk"
    else:
        assert unchanged(dossier) == before


def test_a_counter_the_point_does_not_have_has_no_kiosk(client, office) -> None:
    client.force_login(office.reception)

    assert client.get(kiosk_url(office, counter=2)).status_code == 404
    assert client.get(kiosk_url(office, counter=0)).status_code == 404


def test_initials_keep_only_the_first_letters() -> None:
    assert selectors.initials("Nguyễn Thị Lan") == "N. T. L."
    assert selectors.initials("  đặng   văn  an ") == "Đ. V. A."
    assert selectors.initials("") == ""


def test_the_tablet_reloads_when_the_officer_session_ends(client, office) -> None:
    response = client.get(kiosk_url(office, "kiosk-current"), headers={"HX-Request": "true"})

    assert response["HX-Refresh"] == "true"
