"""Hand work to a Celery task by the name it is registered under.

Task modules import the services they call; a service that queues work names the task
instead of importing its module, so no service imports a task module back. The task is
looked up in the app's registry and queued with `.delay`, which (unlike `app.send_task`)
runs it in process under CELERY_TASK_ALWAYS_EAGER, as in `make run` and the tests."""

from collections.abc import Callable

from celery import Task
from django.db import transaction

from portal.celery import app


def task(name: str) -> Task:
    """The task registered under `name`; an unknown name raises KeyError.

    A web process imports no task module by itself: the first look-up of a name not yet
    registered imports the `tasks` module of every installed app (what a worker does when
    it starts), without the worker's system checks."""
    if name not in app.tasks:
        app.autodiscover_tasks(force=True)
    return app.tasks[name]


# Publishing waits for the broker at most about this long before it gives up: a request
# that queued a side effect must never hang on Redis (the outbox and its sweep deliver what
# could not be queued).
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}


def send(name: str, *args: str | int) -> None:
    """Queue one run of the task (or run it now, in eager mode). A broker that cannot be
    reached raises within a second or two, and so does the task itself in eager mode: the
    caller decides. Fire and forget: no result is kept, so the result store (Redis, which
    retries a lost connection for some twenty seconds) is never touched."""
    task(name).apply_async(args, ignore_result=True, retry_policy=PUBLISH_RETRY_POLICY)


def send_after_commit(name: str, *args: str | int, on_failure: Callable[[Exception], None]) -> None:
    """Queue the task once the current transaction commits (at once outside one); the
    change stands whatever happens then, so a failure to queue goes to `on_failure`."""

    def queue() -> None:
        try:
            send(name, *args)
        except Exception as exc:  # broker down, or in-process retries exhausted
            on_failure(exc)

    transaction.on_commit(queue)
