import pytest
from django.db import DatabaseError, transaction

from portal import audit
from portal.models import AuditEvent
from tests.factories import UnitFactory, UserFactory


@pytest.mark.django_db
def test_record_writes_actor_target_and_details() -> None:
    officer = UserFactory(username="tiepnhan")
    unit = UnitFactory(code="38", name="Tỉnh Thanh Hóa")

    with transaction.atomic():
        event = audit.record(
            actor=officer, event="procedures.unit_renamed", target=unit, data={"to": "X"}
        )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.event, stored.target_id, stored.target_label, stored.data) == (
        officer,
        "procedures.unit_renamed",
        str(unit.pk),
        "Tỉnh Thanh Hóa (38)",
        {"to": "X"},
    )
    assert stored.target_type.model == "administrativeunit"


@pytest.mark.django_db
def test_event_rolls_back_with_the_change_it_describes() -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            audit.record(actor=None, event="portal.test")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused() -> None:
    with pytest.raises(audit.AuditOutsideTransactionError):
        audit.record(actor=None, event="portal.test")

    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("operation", ["update", "delete"])
def test_database_refuses_to_change_or_delete_events(operation: str) -> None:
    with transaction.atomic():
        audit.record(actor=None, event="portal.test", data={"n": 1})

    events = AuditEvent.objects.all()
    forge = {
        "update": lambda: events.update(event="portal.forged"),
        "delete": lambda: events.delete(),
    }[operation]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        forge()

    assert list(AuditEvent.objects.values_list("event", "data")) == [("portal.test", {"n": 1})]
