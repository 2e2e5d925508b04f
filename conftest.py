"""Shared fixtures. `REQUIRE_SERVICES=1` (CI) turns the stack checks from skips into
failures: the suite must then run on PostgreSQL with a live Celery worker on Redis."""

import os
import uuid

import pytest

pytest_plugins = ("celery.contrib.pytest",)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def require_services() -> bool:
    return REQUIRE_SERVICES


@pytest.fixture
def celery_app():
    """The portal's own Celery app against the real broker, not celery's in-memory one."""
    # The test worker insists on knowing the `celery.ping` task.
    import celery.contrib.testing.tasks  # noqa: F401
    from django.conf import settings

    from portal.celery import app

    if not settings.REDIS_URL:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but REDIS_URL is not set")
        pytest.skip("needs REDIS_URL (a live Redis) for a real worker")
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture
def celery_queue() -> str:
    """A queue of this test's own, so no other worker or run can take its tasks."""
    return f"portal-test-{uuid.uuid4().hex}"


@pytest.fixture
def celery_worker_parameters(celery_queue: str) -> dict[str, object]:
    # The start-up ping would travel on the default queue, which this worker leaves alone;
    # the test's own task proves the worker is up.
    return {"queues": (celery_queue,), "perform_ping_check": False}


@pytest.fixture
def tasks_in_process():
    """Celery tasks run in-process, as in the embedded mode of `make run`, even when
    REDIS_URL names a broker: for tests about what a task does, not how it travels."""
    from portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _throttle_counts_per_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """API throttles count requests in the cache, which Redis keeps across tests; every
    test starts with its own empty counts."""
    from django.core.cache.backends.locmem import LocMemCache
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "cache", LocMemCache(uuid.uuid4().hex, {}))


@pytest.fixture(autouse=True)
def _simulated_payments(settings) -> None:
    """Production offers no online payment until a provider is configured; the tests pay
    through the built-in simulated gateway, as `make run` does."""
    settings.PAYMENT_PROVIDER = "simulated"


@pytest.fixture(autouse=True)
def _cache_of_its_own(settings) -> None:
    """The cache (Redis under CI) outlives a run: each test reads and writes under a key
    prefix of its own, so counts, throttles and tokens never leak between tests or runs."""
    settings.CACHES = {
        name: {**options, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, options in settings.CACHES.items()
    }


@pytest.fixture
def broker_down():
    """The Celery broker and result store unreachable, as when Redis stops: the portal's
    own app pointed at a port nothing listens on, its connection pools dropped."""
    from portal.celery import app

    before = (app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager)
    app.conf.broker_url = app.conf.result_backend = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager = before
    app._pool = None
    app.amqp._producer_pool = None
