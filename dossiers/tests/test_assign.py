"""Phân công: who may give a dossier to whom, in which states; every refusal changes
nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from dossiers.errors import DossierConflictError, DossierError, InvalidTransitionError
from dossiers.models import OPEN, Dossier, Status
from dossiers.services import dossier_assign
from portal.models import AuditEvent
from portal.roles import Role
from procedures.models import InterconnectionGroup
from tests.factories import UserFactory

from .conftest import Office, _officer


def state(dossier: Dossier) -> tuple:
    fresh = Dossier.objects.get(pk=dossier.pk)
    return fresh.assigned_to_id, fresh.assigned_at, fresh.version, AuditEvent.objects.count()


def test_an_officer_takes_a_free_dossier(office: Office) -> None:
    dossier = office.dossier(Status.IN_PROCESS)

    dossier_assign(
        dossier_id=dossier.pk, officer=office.processing, assignee=office.processing,
        expected_version=1,
    )  # fmt: skip

    dossier.refresh_from_db()
    assert (dossier.assigned_to, dossier.version, dossier.status) == (
        office.processing,
        2,
        Status.IN_PROCESS,
    )
    assert dossier.assigned_at is not None
    event = AuditEvent.objects.get()
    assert (event.event, event.actor, event.target_id) == (
        "dossiers.assigned",
        office.processing,
        str(dossier.pk),
    )
    assert event.data == {
        "previous": None,
        "assignee": office.processing.pk,
        "assignee_name": str(office.processing),
    }


def test_an_officer_gives_back_their_own_dossier(office: Office) -> None:
    dossier = office.dossier(Status.IN_PROCESS, assigned_to=office.processing)

    dossier_assign(dossier_id=dossier.pk, officer=office.processing, assignee=None)

    dossier.refresh_from_db()
    assert (dossier.assigned_to, dossier.assigned_at, dossier.version) == (None, None, 2)
    assert AuditEvent.objects.get().data["previous"] == office.processing.pk


@pytest.mark.parametrize(
    ("holder", "assignee"),
    [
        ("leader", "processing"),  # taking a dossier someone else holds
        (None, "leader"),  # giving a free one to someone else
        ("leader", None),  # unassigning someone else
    ],
)
def test_only_a_leader_assigns_others(office: Office, holder, assignee) -> None:
    dossier = office.dossier(
        Status.IN_PROCESS, assigned_to=getattr(office, holder) if holder else None
    )
    before = state(dossier)

    with pytest.raises(PermissionDenied):
        dossier_assign(
            dossier_id=dossier.pk,
            officer=office.processing,
            assignee=getattr(office, assignee) if assignee else None,
        )
    assert state(dossier) == before


def test_a_leader_assigns_anyone_of_the_agency_and_unassigns(office: Office) -> None:
    dossier = office.dossier(Status.RECEIVED, assigned_to=office.leader)
    # Through a unit assignment: the unit covers its agencies (officer_scope's rule).
    colleague = _officer("thuly3", Role.PROCESSING_OFFICER, unit=office.unit)

    dossier_assign(dossier_id=dossier.pk, officer=office.leader, assignee=colleague)
    dossier.refresh_from_db()
    assert dossier.assigned_to == colleague

    dossier_assign(dossier_id=dossier.pk, officer=office.leader, assignee=None)
    dossier.refresh_from_db()
    assert (dossier.assigned_to, dossier.version) == (None, 3)
    assert [event.data["assignee"] for event in AuditEvent.objects.order_by("pk")] == [
        colleague.pk,
        None,
    ]


@pytest.mark.parametrize("who", ["other_processing", "reception", "applicant", "stranger"])
def test_the_assignee_must_be_an_officer_of_the_agency(office: Office, who: str) -> None:
    dossier = office.dossier(Status.IN_PROCESS)
    assignee = UserFactory(username="nguoila") if who == "stranger" else getattr(office, who)
    before = state(dossier)

    with pytest.raises(ValidationError) as refused:
        dossier_assign(dossier_id=dossier.pk, officer=office.leader, assignee=assignee)

    assert refused.value.code == "dossier.assignee_outside_agency"
    with translation.override("en"):
        assert refused.value.message_dict == {
            "assignee": ["This officer does not process dossiers of the competent agency."]
        }
    assert state(dossier) == before


def test_an_inactive_officer_cannot_be_assigned(office: Office) -> None:
    dossier = office.dossier(Status.IN_PROCESS)
    office.processing.is_active = False
    office.processing.save()

    with pytest.raises(ValidationError):
        dossier_assign(dossier_id=dossier.pk, officer=office.leader, assignee=office.processing)


@pytest.mark.parametrize("who", ["other_processing", "other_leader", "reception", "applicant"])
def test_outsiders_may_not_assign(office: Office, who: str) -> None:
    dossier = office.dossier(Status.IN_PROCESS)
    actor = getattr(office, who)
    before = state(dossier)

    with pytest.raises(PermissionDenied):
        dossier_assign(dossier_id=dossier.pk, officer=actor, assignee=actor)
    assert state(dossier) == before


@pytest.mark.parametrize("status", sorted(set(Status.values) - set(OPEN)))
def test_only_open_dossiers_are_assigned(office: Office, status: str) -> None:
    dossier = office.dossier(status)
    before = state(dossier)

    with pytest.raises(InvalidTransitionError):
        dossier_assign(dossier_id=dossier.pk, officer=office.leader, assignee=office.processing)
    assert state(dossier) == before


@pytest.mark.parametrize("status", sorted(OPEN))
def test_open_dossiers_are_assigned(office: Office, status: str) -> None:
    dossier = office.dossier(status)
    dossier_assign(dossier_id=dossier.pk, officer=office.leader, assignee=office.processing)
    assert Dossier.objects.get(pk=dossier.pk).assigned_to == office.processing


def test_a_stale_version_is_refused(office: Office) -> None:
    dossier = office.dossier(Status.IN_PROCESS)
    dossier_assign(dossier_id=dossier.pk, officer=office.leader, assignee=office.leader)
    before = state(dossier)

    with pytest.raises(DossierConflictError):
        dossier_assign(
            dossier_id=dossier.pk,
            officer=office.leader,
            assignee=office.processing,
            expected_version=1,
        )
    assert state(dossier) == before


def test_assigning_again_to_the_same_officer_changes_nothing(office: Office) -> None:
    dossier = office.dossier(Status.IN_PROCESS, assigned_to=office.processing)
    before = state(dossier)

    dossier_assign(dossier_id=dossier.pk, officer=office.leader, assignee=office.processing)

    assert state(dossier) == before


def test_an_interconnected_parent_is_not_assigned(office: Office) -> None:
    group = InterconnectionGroup.objects.create(
        code="khai-sinh", name="Khai sinh liên thông", time_limit=5, time_limit_unit="working_days"
    )
    parent = office.dossier(Status.IN_PROCESS, interconnection_group=group)
    before = state(parent)

    with pytest.raises(DossierError):
        dossier_assign(dossier_id=parent.pk, officer=office.leader, assignee=office.leader)
    assert state(parent) == before
