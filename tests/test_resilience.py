"""With the shared cache (Redis) down, what people submit still goes through: the counter
receives, a citizen signs up, a number is taken, a receipt is looked up. Throttles and
guards fail open and say so in the log."""

import time
import uuid

import pytest
from django.urls import reverse

from dossiers import codes
from dossiers.models import Dossier, Notification, Status
from dossiers.tests.conftest import office  # noqa: F401 - the commune fixture
from portal.models import ThrottleCount, User
from reception.tests.test_counter import (
    INTAKE,
    intake_data,
    login,
    papers,  # noqa: F401 - its fixture
)

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
    }
}


@pytest.fixture
def cache_down(settings, tmp_path):
    settings.CACHES = DEAD_REDIS
    settings.MEDIA_ROOT = tmp_path / "private"


def test_the_counter_receives_with_the_cache_down(
    office,  # noqa: F811
    papers,  # noqa: F811
    cache_down,
    caplog,
) -> None:
    data = intake_data(office, papers, intake_token=uuid.uuid4().hex)

    response = login(office.reception).post(INTAKE, data)

    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert dossier.status == Status.RECEIVED
    assert "cache unavailable: intake not guarded against a second send" in caplog.text


def test_a_citizen_signs_up_with_the_cache_down(client, db, cache_down, caplog) -> None:
    response = client.post(
        reverse("portal:signup"),
        {
            "full_name": "Lê Văn Tâm",
            "email": "tam@example.org",
            "phone": "",
            "citizen_id": "",
            "password1": "Khai-sinh-2026!",
            "password2": "Khai-sinh-2026!",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="tam@example.org").exists()
    assert "cache unavailable: sign-up not throttled" in caplog.text


def test_a_number_is_taken_and_a_receipt_looked_up_with_the_cache_down(
    client,
    office,  # noqa: F811
    cache_down,
) -> None:
    taken = client.post(reverse("reception:queue:take", args=[office.point.code]))
    lookup = client.get(reverse("citizen:lookup"), {"code": "H56.HT-260302-0001", "secret": "X"})

    assert taken.status_code == 302
    assert lookup.status_code == 404  # answered (no such receipt), not a server error


def test_the_counter_receives_at_once_with_the_broker_down(
    office,  # noqa: F811
    papers,  # noqa: F811
    broker_down,
    django_capture_on_commit_callbacks,
    caplog,
) -> None:
    office.applicant.email = "lan@example.org"
    office.applicant.save(update_fields=["email"])
    data = intake_data(office, papers, intake_token=uuid.uuid4().hex)
    client = login(office.reception)

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INTAKE, data)
    took = time.monotonic() - started

    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert dossier.status == Status.RECEIVED
    # The receipt's notifications wait in the outbox for the sweep; nothing was lost.
    waiting = Notification.objects.filter(dossier=dossier)
    assert waiting.count() > 0
    assert set(waiting.values_list("status", flat=True)) == {Notification.Status.PENDING}
    assert "left for the sweep: broker unavailable" in caplog.text
    assert took < 2.0, f"the reception waited {took:.1f} s on the broker"


def test_wrong_secrets_are_still_throttled_with_the_cache_down(
    client,
    office,  # noqa: F811
    cache_down,
    settings,
    caplog,
) -> None:
    dossier = office.dossier(Status.RECEIVED)
    secret = codes.issue_lookup_secret(dossier)
    dossier.save(update_fields=["lookup_secret_hash"])
    wrong = {"code": dossier.code, "secret": "ABCDEFGH"}

    answers = [
        client.post(reverse("citizen:lookup"), wrong).status_code
        for _ in range(settings.LOOKUP_FAILURES_PER_ADDRESS)
    ]
    # The address has failed as often as it may: even the right secret waits now.
    right = client.post(reverse("citizen:lookup"), {"code": dossier.code, "secret": secret})

    assert answers == [404] * settings.LOOKUP_FAILURES_PER_ADDRESS
    assert right.status_code == 429
    assert "cache unavailable: lookup throttled in the database" in caplog.text
    assert ThrottleCount.objects.filter(count=settings.LOOKUP_FAILURES_PER_ADDRESS).count() == 3
