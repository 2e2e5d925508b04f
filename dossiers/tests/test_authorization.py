"""Who may act on a dossier: every action against anonymous users, another citizen, the
officers of a neighbouring commune and the wrong role at this one. Denials change nothing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dossiers import services
from dossiers.models import Status
from dossiers.selectors import dossiers_visible_to
from tests.factories import UserFactory

from .conftest import Office
from .test_transitions import footprint

S = Status

# action → (state it is allowed in, the call with a given actor, who may do it)
CASES = {
    "submit": (S.DRAFT, lambda d, a: services.dossier_submit(dossier_id=d.pk, applicant=a),
               {"applicant"}),
    "receive": (S.SUBMITTED, lambda d, a: services.dossier_receive(dossier_id=d.pk, officer=a),
                {"reception"}),
    "reject": (S.SUBMITTED, lambda d, a: services.dossier_reject(
        dossier_id=d.pk, officer=a, reason="Không đủ điều kiện"), {"reception"}),
    "request_supplement_at_intake": (S.SUBMITTED, lambda d, a: (
        services.dossier_request_supplement_at_intake(
            dossier_id=d.pk, officer=a, items=["Tờ khai"], reason="Thiếu")), {"reception"}),
    "transfer": (S.RECEIVED, lambda d, a: services.dossier_transfer(dossier_id=d.pk, officer=a),
                 {"reception"}),
    "hand_over": (S.IN_PROCESS, lambda d, a: services.dossier_hand_over(
        dossier_id=d.pk, officer=a, to_label="Lãnh đạo"), {"processing", "leader"}),
    "request_supplement": (S.IN_PROCESS, lambda d, a: services.dossier_request_supplement(
        dossier_id=d.pk, officer=a, items=["CCCD"], reason="Thiếu"), {"processing", "leader"}),
    "supplement": (S.SUPPLEMENT_REQUESTED, lambda d, a: services.dossier_supplement(
        dossier_id=d.pk, actor=a), {"applicant", "reception", "processing", "leader"}),
    "request_financial_obligation": (S.IN_PROCESS, lambda d, a: (
        services.dossier_request_financial_obligation(dossier_id=d.pk, officer=a, reason="Thuế")),
        {"processing", "leader"}),
    "fulfil_financial_obligation": (S.FINANCIAL_OBLIGATION, lambda d, a: (
        services.dossier_fulfil_financial_obligation(dossier_id=d.pk, actor=a)),
        {"applicant", "reception", "processing", "leader"}),
    "apologise": (S.IN_PROCESS, lambda d, a: services.dossier_apologise(
        dossier_id=d.pk, officer=a, reason="Chậm", new_due_at=d.due_at + timedelta(days=2)),
        {"processing", "leader"}),
    "stop": (S.IN_PROCESS, lambda d, a: services.dossier_stop(
        dossier_id=d.pk, officer=a, reason="Không đủ điều kiện"), {"leader"}),
    "complete": (S.IN_PROCESS, lambda d, a: services.dossier_complete(
        dossier_id=d.pk, officer=a), {"leader"}),
    "return_result": (S.COMPLETED, lambda d, a: services.dossier_return_result(
        dossier_id=d.pk, officer=a, delivery="counter"), {"reception"}),
    "withdraw": (S.IN_PROCESS, lambda d, a: services.dossier_withdraw(
        dossier_id=d.pk, actor=a), {"applicant", "reception"}),
}  # fmt: skip

ACTORS = [
    "anonymous",
    "other_citizen",
    "applicant",
    "reception",
    "processing",
    "leader",
    "other_reception",
    "other_processing",
    "other_leader",
]


def actor(office: Office, name: str):
    if name == "anonymous":
        return AnonymousUser()
    if name == "other_citizen":
        return UserFactory(username="hangxom")
    return getattr(office, name)


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("action", sorted(CASES))
def test_authorization_matrix(office: Office, action: str, who: str) -> None:
    state, call, allowed = CASES[action]
    dossier = office.dossier(state)
    dossier.due_at = dossier.due_at or timezone.now() + timedelta(days=3)

    if who in allowed:
        call(dossier, actor(office, who))
        assert footprint(dossier)[1] == 2  # version bumped: it happened
        return

    before = footprint(dossier)
    with pytest.raises(PermissionDenied):
        call(dossier, actor(office, who))
    assert footprint(dossier) == before


def test_officers_see_only_their_own_dossiers(office: Office) -> None:
    here = office.dossier(Status.IN_PROCESS)
    there = office.dossier(
        Status.IN_PROCESS, agency=office.other_agency, reception_point=office.other_point
    )

    def visible(user) -> set:
        return set(dossiers_visible_to(user).values_list("pk", flat=True))

    assert visible(office.reception) == {here.pk}
    assert visible(office.processing) == {here.pk}
    assert visible(office.leader) == {here.pk}
    assert visible(office.other_processing) == {there.pk}
    assert visible(office.applicant) == {here.pk, there.pk}
    assert visible(UserFactory(username="hangxom")) == set()
    assert visible(AnonymousUser()) == set()


def test_drafts_are_the_applicants_alone(office: Office) -> None:
    draft = office.dossier(Status.DRAFT)
    sent = office.dossier(Status.SUBMITTED)

    assert set(dossiers_visible_to(office.reception)) == {sent}
    assert set(dossiers_visible_to(office.applicant)) == {draft, sent}
