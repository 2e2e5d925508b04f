"""The suite runs on the production stack: PostgreSQL, Redis and a real Celery worker.

Without REQUIRE_SERVICES=1 (a developer's laptop on SQLite) these skip; under it (CI)
they fail unless the stack is really there."""

import pytest
from django.db import connection

from portal.tasks import probe_database
from tests.factories import UserFactory


@pytest.mark.django_db
def test_database_is_postgresql(require_services: bool) -> None:
    if connection.vendor != "postgresql" and not require_services:
        pytest.skip("running on SQLite; CI runs this on PostgreSQL")
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


@pytest.mark.django_db(transaction=True)
def test_live_worker_on_redis_executes_a_task(celery_app, celery_worker, celery_queue) -> None:
    # Given a committed row the worker can only know through the database
    user = UserFactory(username="worker-probe")

    # When a task travels through Redis to the worker and back
    result = probe_database.apply_async(args=[user.pk], queue=celery_queue)

    # Then the worker read that row from the same database
    assert celery_app.conf.broker_url.startswith("redis://")
    assert result.get(timeout=20) == {"vendor": connection.vendor, "username": "worker-probe"}
    assert result.status == "SUCCESS"
