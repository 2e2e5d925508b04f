from django.test import Client
from django.utils import timezone

from dossiers.models import Notification, Status
from portal.models import AuditEvent
from tests.factories import UserFactory

from .conftest import Office


def test_dossiers_are_shown_read_only(client: Client, office: Office) -> None:
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    dossier = office.dossier(Status.IN_PROCESS, code="H56.HT-260302-0009")

    listing = client.get("/admin/dossiers/dossier/")
    page = client.get(f"/admin/dossiers/dossier/{dossier.pk}/change/")
    refused = client.post(f"/admin/dossiers/dossier/{dossier.pk}/change/", {"status": "returned"})

    assert listing.status_code == 200
    assert "H56.HT-260302-0009" in listing.content.decode()
    assert page.status_code == 200
    assert "lookup_secret_hash" not in page.content.decode()
    assert refused.status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == "in_process"
    assert client.get("/admin/dossiers/dossier/add/").status_code == 403


def test_failed_notifications_can_be_sent_again(client: Client, office: Office) -> None:
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    dossier = office.dossier(Status.RECEIVED)
    failed = Notification.objects.create(
        dossier=dossier,
        medium="email",
        kind="received",
        recipient="lan@example.org",
        body="…",
        status="failed",
        attempts=12,
    )
    sent = Notification.objects.create(
        dossier=dossier,
        medium="sms",
        kind="received",
        recipient="0912345678",
        body="…",
        status="sent",
    )

    client.post(
        "/admin/dossiers/notification/",
        {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
    )

    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert sent.status == "sent"
    assert AuditEvent.objects.get().event == "dossiers.notification_resent"


def test_payments_are_listed_read_only_with_those_to_refund(client: Client, office: Office) -> None:
    from dossiers.models import Payment

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    dossier = office.dossier(Status.RECEIVED, fee_collected=True)
    payment = Payment.objects.create(
        dossier=dossier,
        reference="TT261125ABCDEF012345",
        provider="simulated",
        amount=50_000,
        status=Payment.Status.REFUND_DUE,
        payer=office.applicant,
        return_url="http://testserver/payments/TT261125ABCDEF012345/",
        transaction_id="SIM123",
        completed_at=timezone.now(),
    )

    listing = client.get("/admin/dossiers/payment/", {"status__exact": "refund_due"})
    refused = client.post(f"/admin/dossiers/payment/{payment.pk}/change/", {"status": "paid"})

    assert listing.status_code == 200
    assert "TT261125ABCDEF012345" in listing.content.decode()
    assert refused.status_code == 403
    payment.refresh_from_db()
    assert payment.status == "refund_due"
    assert client.get("/admin/dossiers/payment/add/").status_code == 403
