"""Applicant notifications leave through an outbox: nothing is lost when the mail server
or the broker is down. SMTP is the only thing replaced (it leaves the project)."""

import logging
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from kombu.exceptions import OperationalError

from dossiers import services, tasks
from dossiers.models import Dossier, Notification, Status
from dossiers.services import notifications
from portal.celery import app

from .conftest import Office


class FlakySmtpBackend(EmailBackend):
    """The mail server refuses the first `failures` connections."""

    failures = 2

    def send_messages(self, messages):
        if FlakySmtpBackend.failures > 0:
            FlakySmtpBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def eager():
    """Tasks run in-process (the embedded mode of `make run`)."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def receive(office: Office, django_capture_on_commit_callbacks) -> Dossier:
    dossier = office.dossier(Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_receive(dossier_id=dossier.pk, officer=office.reception)
    return Dossier.objects.get(pk=dossier.pk)


def test_reception_mails_and_texts_the_applicant(
    office, eager, django_capture_on_commit_callbacks, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="dossiers.sms")

    dossier = receive(office, django_capture_on_commit_callbacks)

    assert [message.subject for message in mail.outbox] == [
        f"Hồ sơ {dossier.code} đã được tiếp nhận"
    ]
    assert mail.outbox[0].to == ["lan@example.org"]
    assert "Kính gửi ông/bà Nguyễn Thị Lan," in mail.outbox[0].body
    assert set(Notification.objects.values_list("medium", "status", "attempts")) == {
        ("email", "sent", 1),
        ("sms", "sent", 1),
    }
    # The SMS log names neither the number nor the text.
    assert "SMS to …678" in caplog.text
    assert "0912345678" not in caplog.text
    assert dossier.code not in caplog.text


@pytest.fixture
def retries_in_process():
    """A task that retries runs again at once in-process, as a worker would after backoff."""
    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


def queued_email(office: Office) -> Notification:
    dossier = office.dossier(Status.RECEIVED, code="H56.HT-260302-0007")
    return next(
        n for n in notifications.queue_for_applicant(dossier, "received") if n.medium == "email"
    )


def test_a_failing_mail_server_is_retried_until_the_mail_is_sent(
    office, settings, retries_in_process
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FlakySmtpBackend"
    FlakySmtpBackend.failures = 2
    email = queued_email(office)

    # Each failure makes the task retry itself (on a worker, with backoff).
    result = tasks.send_notification.apply(args=[str(email.pk)])

    assert result.get() == "sent"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 3, "")
    assert [message.subject for message in mail.outbox] == [
        "Hồ sơ H56.HT-260302-0007 đã được tiếp nhận"
    ]


def test_after_the_last_attempt_the_notification_is_marked_failed_not_dropped(
    office, settings, monkeypatch, retries_in_process
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FlakySmtpBackend"
    FlakySmtpBackend.failures = 99
    monkeypatch.setattr(notifications, "MAX_ATTEMPTS", 3)
    email = queued_email(office)

    result = tasks.send_notification.apply(args=[str(email.pk)])

    assert result.get() == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 3)
    assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mail.outbox == []


def test_a_broker_outage_loses_nothing(
    office, eager, monkeypatch, django_capture_on_commit_callbacks, caplog
) -> None:
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as outage:
        outage.setattr(tasks.send_notification, "apply_async", broker_down)
        dossier = receive(office, django_capture_on_commit_callbacks)

    # The reception stands; the notifications wait in the outbox.
    assert dossier.status == "received"
    assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}
    assert "left for the sweep" in caplog.text
    assert mail.outbox == []

    # The broker is back: the periodic sweep sends them.
    assert notifications.notifications_sweep(older_than_seconds=0) == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 1


def test_sending_twice_sends_once(office, eager, django_capture_on_commit_callbacks) -> None:
    receive(office, django_capture_on_commit_callbacks)
    email = Notification.objects.get(medium="email")

    assert tasks.send_notification.apply(args=[str(email.pk)]).get() == "nothing to send"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_through_redis(celery_app, celery_worker, celery_queue, office):
    dossier = office.dossier(Status.RECEIVED, code="H56.HT-260302-0042")
    (email,) = [
        n for n in notifications.queue_for_applicant(dossier, "result_ready") if n.medium == "email"
    ]

    result = tasks.send_notification.apply_async(args=[str(email.pk)], queue=celery_queue)

    assert result.get(timeout=20) == "sent"
    email.refresh_from_db()
    assert (email.status, email.subject) == ("sent", "Hồ sơ H56.HT-260302-0042 đã có kết quả")


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
