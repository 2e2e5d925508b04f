"""Webhooks to a receiver on loopback: signed, retried, disabled after repeated failures,
resent by the administrator."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from dossiers import services as dossier_services
from portal.celery import app
from reception import tasks
from reception.models import PartnerClient, WebhookDelivery
from reception.postal import webhooks

from .test_postal_api import pickup, post


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that records what it is sent."""

    def __init__(self, status: int = 200) -> None:
        self.status, self.calls = status, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/portal"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


@pytest.fixture
def retries_in_process():
    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


def received_by_post(api, office, papers, vnpost, receiver, bill="EB123456789VN"):
    PartnerClient.objects.filter(pk=vnpost.client.pk).update(webhook_url=receiver.url)
    created = post(
        api, "/api/v1/postal/pickups/", pickup(office, papers, bill_number=bill), key=bill
    ).json()
    dossier_id = vnpost.client.shipments.get(bill_number=bill).dossier_id
    dossier_services.dossier_receive(dossier_id=dossier_id, officer=office.reception)
    return created


def test_a_signed_webhook_tells_the_partner_its_dossier_was_received(
    api, office, papers, vnpost, receiver
) -> None:
    created = received_by_post(api, office, papers, vnpost, receiver)

    (delivery_id,) = webhooks.webhooks_collect()
    assert webhooks.webhooks_collect() == []  # once per event
    assert webhooks.webhook_deliver(delivery_id=delivery_id) == "sent"

    ((headers, body),) = receiver.calls
    timestamp, signature = (
        part.split("=", 1)[1] for part in headers["X-Portal-Signature"].split(",")
    )
    expected = hmac.new(
        vnpost.webhook_secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(signature, expected)
    message = json.loads(body)
    assert message["event"] == "dossier.received"
    assert message["dossier"]["reference"] == created["dossier"]["reference"]
    assert message["dossier"]["status"] == "received"
    assert message["dossier"]["code"].startswith("H56.HT-")
    assert WebhookDelivery.objects.get().status == "sent"


def test_a_failing_receiver_is_retried_then_disabled_and_resent_by_the_admin(
    api, office, papers, vnpost, receiver, settings, retries_in_process
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS, settings.WEBHOOK_DISABLE_AFTER = 3, 2
    receiver.status = 500
    for bill in ("EB0001", "EB0002"):
        received_by_post(api, office, papers, vnpost, receiver, bill=bill)
    first, second = webhooks.webhooks_collect()

    # Each failure retries with exponential backoff (30 s, 60 s, … up to an hour).
    assert (tasks.deliver_webhook.retry_backoff, tasks.deliver_webhook.retry_backoff_max) == (
        30,
        3600,
    )
    assert tasks.deliver_webhook.apply(args=[first]).get() == "failed"
    assert tasks.deliver_webhook.apply(args=[second]).get() == "failed"

    assert len(receiver.calls) == 6  # three attempts each
    client = PartnerClient.objects.get(pk=vnpost.client.pk)
    assert client.webhook_disabled_at is not None
    assert client.webhook_failures == 2
    assert WebhookDelivery.objects.get(pk=first).last_error == "HTTP 500"

    receiver.status = 200
    assert webhooks.webhooks_resend(client=client) == 2
    assert [tasks.deliver_webhook.apply(args=[pk]).get() for pk in (first, second)] == [
        "sent",
        "sent",
    ]
    assert PartnerClient.objects.get(pk=client.pk).webhook_disabled_at is None


def test_the_admin_resends_from_the_partner_list(client, api, office, papers, vnpost, receiver):
    from tests.factories import UserFactory

    received_by_post(api, office, papers, vnpost, receiver)
    (delivery_id,) = webhooks.webhooks_collect()
    WebhookDelivery.objects.filter(pk=delivery_id).update(status="failed", attempts=8)
    PartnerClient.objects.filter(pk=vnpost.client.pk).update(
        webhook_disabled_at="2026-11-25T10:00:00+07:00", webhook_failures=3
    )
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    client.post(
        "/admin/reception/partnerclient/",
        {"action": "resend_webhooks", "_selected_action": [vnpost.client.pk]},
    )

    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert PartnerClient.objects.get(pk=vnpost.client.pk).webhook_disabled_at is None
    assert client.get("/admin/reception/webhookdelivery/").status_code == 200
