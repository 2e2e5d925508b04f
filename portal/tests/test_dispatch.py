"""Services queue tasks by name through portal.dispatch, never importing a task module."""

import subprocess
import sys

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError

from dossiers import tasks as dossier_tasks
from dossiers.services import notifications
from portal import dispatch
from portal import tasks as portal_tasks
from portal.accounts import services as accounts


def test_a_name_finds_the_task_it_was_registered_under() -> None:
    # The modules hold proxies of the registered tasks (celery's shared_task).
    send_notification = dossier_tasks.send_notification._get_current_object()
    send_account_email = portal_tasks.send_account_email._get_current_object()

    assert dispatch.task(notifications.SEND_NOTIFICATION) is send_notification
    assert dispatch.task(accounts.SEND_ACCOUNT_EMAIL) is send_account_email


def test_an_unknown_name_fails_loudly() -> None:
    with pytest.raises(KeyError):
        dispatch.task("dossiers.tasks.no_such_task")


def test_a_process_that_imported_no_task_module_finds_the_task_by_name() -> None:
    # A web process: Django set up, no `tasks` module imported before the first send.
    script = (
        "import sys, django; django.setup()\n"
        "assert 'dossiers.tasks' not in sys.modules\n"
        "from portal import dispatch\n"
        "print(dispatch.task('dossiers.tasks.send_notification').name)\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "dossiers.tasks.send_notification"


@pytest.mark.django_db
def test_eager_mode_runs_the_task_in_process(tasks_in_process, monkeypatch) -> None:
    ran: list[tuple[str, ...]] = []
    monkeypatch.setattr(
        portal_tasks.send_account_email, "run", lambda *args: ran.append(args) or "sent"
    )

    dispatch.send(accounts.SEND_ACCOUNT_EMAIL, "7", accounts.VERIFY_EMAIL, "vi")

    assert ran == [("7", accounts.VERIFY_EMAIL, "vi")]


@pytest.mark.django_db
def test_after_commit_a_broker_outage_goes_to_the_callers_handler(
    monkeypatch, django_capture_on_commit_callbacks
) -> None:
    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(portal_tasks.send_account_email, "apply_async", broker_down)
    failures: list[Exception] = []

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        dispatch.send_after_commit(
            accounts.SEND_ACCOUNT_EMAIL, "7", "verify_email", "vi", on_failure=failures.append
        )
        assert failures == []  # nothing leaves before the commit

    assert len(callbacks) == 1
    assert [type(exc) for exc in failures] == [OperationalError]
