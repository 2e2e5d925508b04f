"""Readiness checks for /healthz: database, Redis and the Celery worker queue."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection

from portal.celery import app as celery_app

REDIS_TIMEOUT_SECONDS = 1.0
WORKER_PING_SECONDS = 0.5


def check_database() -> dict[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"status": "error", "error": type(error).__name__}
    return {"status": "ok", "vendor": connection.vendor}


def check_redis() -> dict[str, object]:
    if not settings.REDIS_URL:
        return {"status": "not_configured"}
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        client.ping()
        queued = client.llen(celery_app.conf.task_default_queue)
    except redis.RedisError as error:
        return {"status": "error", "error": type(error).__name__}
    return {"status": "ok", "queued_tasks": queued}


def check_workers(redis_status: str) -> dict[str, object]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "in_process"}
    if redis_status != "ok":
        return {"status": "unknown"}
    try:
        replies = celery_app.control.ping(timeout=WORKER_PING_SECONDS)
    except Exception as error:  # a stale broker connection, a refused one…
        # Health never answers 500: the first ping after Redis came back may find the
        # broker connection of before.
        return {"status": "error", "error": type(error).__name__}
    if not replies:
        return {"status": "error", "workers": 0}
    return {"status": "ok", "workers": len(replies)}
