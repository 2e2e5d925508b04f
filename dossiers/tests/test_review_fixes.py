"""Cases found in review: each was wrong once."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dossiers import codes, services
from dossiers.models import Notification, Status
from dossiers.selectors import dossiers_visible_to
from dossiers.services import notifications
from dossiers.services.alerts import dossiers_mark_deadlines
from dossiers.services.attachments import attachment_add
from procedures.models import Component, CopyType

from .conftest import Office
from .test_attachments import PDF


def test_the_sweep_leaves_retrying_notifications_to_their_backoff(office: Office, monkeypatch):
    dossier = office.dossier(Status.RECEIVED)
    now = timezone.now()
    fresh, retrying, lost = (
        Notification.objects.create(
            dossier=dossier,
            medium="email",
            kind="received",
            recipient=f"{name}@example.org",
            body="…",
        )
        for name in ("fresh", "retrying", "lost")
    )
    Notification.objects.filter(pk__in=[fresh.pk, retrying.pk, lost.pk]).update(
        created_at=now - timedelta(hours=3)
    )
    Notification.objects.filter(pk=retrying.pk).update(
        attempts=3, last_attempt_at=now - timedelta(minutes=20)
    )
    Notification.objects.filter(pk=lost.pk).update(
        attempts=3, last_attempt_at=now - timedelta(hours=3)
    )
    sent: list[str] = []
    monkeypatch.setattr(notifications, "enqueue", lambda ids: sent.extend(ids))

    assert notifications.notifications_sweep() == 2
    assert sorted(sent) == sorted([str(fresh.pk), str(lost.pk)])


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


def test_drafts_are_the_applicants_alone(office: Office) -> None:
    draft = office.dossier(Status.DRAFT)
    sent = office.dossier(Status.SUBMITTED)

    assert set(dossiers_visible_to(office.reception)) == {sent}
    assert set(dossiers_visible_to(office.applicant)) == {draft, sent}


def test_codes_step_over_imported_ones(office: Office) -> None:
    today = timezone.localdate()
    office.dossier(Status.RETURNED, code=f"H56.HT-{today:%y%m%d}-0001", imported=True)

    code = codes.allocate_code(agency=office.agency, day=today)

    assert code == f"H56.HT-{today:%y%m%d}-0002"


@pytest.fixture
def group_dossier(office: Office):
    from procedures.models import InterconnectionGroup, InterconnectionMember

    group = InterconnectionGroup.objects.create(
        code="G", name="G", time_limit=3, time_limit_unit="working_days"
    )
    InterconnectionMember.objects.create(group=group, procedure=office.procedure)
    return services.dossier_receive_interconnected(
        officer=office.reception,
        group=group,
        reception_point=office.point,
        applicant=services.Applicant(name="Lan", account=office.applicant),
    ).dossier


def test_an_interconnected_parent_is_not_alerted_twice(office: Office, group_dossier) -> None:
    from dossiers.models import Dossier

    Dossier.objects.filter(interconnection_group__isnull=False).update(
        due_at=timezone.now() - timedelta(hours=1), status=Status.IN_PROCESS
    )

    result = dossiers_mark_deadlines()

    assert result["overdue"] == 1  # the member, not its parent


def test_a_parent_whose_members_all_withdrew_records_when(office: Office, group_dossier):
    member = group_dossier.children.get()

    services.dossier_withdraw(dossier_id=member.pk, actor=office.applicant)

    group_dossier.refresh_from_db()
    member.refresh_from_db()
    assert (group_dossier.status, group_dossier.withdrawn_at) == ("withdrawn", member.withdrawn_at)
