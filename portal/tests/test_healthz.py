import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_each_service(client: Client, settings) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["database"]["status"] == "ok"
    if settings.REDIS_URL:
        assert body["redis"]["status"] == "ok"
        assert isinstance(body["redis"]["queued_tasks"], int)
    else:
        assert body["redis"] == {"status": "not_configured"}
        assert body["worker"] == {"status": "in_process"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client: Client) -> None:
    with mock.patch("portal.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["database"] == {"status": "error", "error": "OperationalError"}


@pytest.mark.django_db
def test_healthz_is_degraded_when_redis_is_down(client: Client, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = client.get("/healthz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "degraded"
    assert body["redis"] == {"status": "error", "error": "ConnectionError"}
    assert body["worker"] == {"status": "unknown"}


@pytest.mark.django_db
def test_healthz_reports_a_broker_it_cannot_reach_rather_than_fail(
    client: Client, settings, broker_down
) -> None:
    """Redis answers the health check but the workers' broker connection does not (as on
    the first call after Redis came back): reported, never a 500."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = client.get("/healthz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "degraded"
    assert body["redis"]["status"] == "ok"
    assert body["worker"] == {"status": "error", "error": "OperationalError"}
