"""The load benchmark's instrument (bench/load/): its scenarios are defined, and the bare view
it measures them against is served only when the benchmark asks for it. No load is run.

Both checks run in a child interpreter: importing locust patches the standard library for
gevent, and the URLs are read from the environment once, at start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from portal import views

ROOT = Path(__file__).resolve().parents[1]
LOAD = ROOT / "bench" / "load"

DESCRIBE_SCENARIOS = """
import json, locustfile, scenarios
print(json.dumps({
    name: {
        "class": user.__name__,
        "abstract": user.abstract,
        "tasks": sorted(task.__name__ for task in user.tasks),
    }
    for name, user in locustfile.USERS.items()
}))
"""

RESOLVE_BARE = """
import django
django.setup()
from django.urls import Resolver404, resolve
try:
    print(resolve("/bench/bare").func.__name__)
except Resolver404:
    print("absent")
"""


def child(code: str, *, cwd: Path, **environment: str) -> str:
    inherited = {
        name: value for name, value in os.environ.items() if name != "PORTAL_BENCH_BARE_VIEW"
    }
    variables = {**inherited, **environment}
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code],
        cwd=cwd,
        env=variables,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_locustfile_defines_a_user_with_one_task_per_scenario():
    described = json.loads(child(DESCRIBE_SCENARIOS, cwd=LOAD))

    assert described == {
        "bare view": {"class": "BareView", "abstract": False, "tasks": ["bare"]},
        "province dashboard": {
            "class": "ProvinceManager",
            "abstract": False,
            "tasks": ["dashboard"],
        },
        "commune dashboard": {"class": "CommuneManager", "abstract": False, "tasks": ["dashboard"]},
        "province overdue list": {"class": "OverdueList", "abstract": False, "tasks": ["overdue"]},
        "inbox": {"class": "ProcessingOfficer", "abstract": False, "tasks": ["inbox"]},
        "counter home": {
            "class": "ReceptionOfficer",
            "abstract": False,
            "tasks": ["counter_home"],
        },
        "lookup": {"class": "Citizen", "abstract": False, "tasks": ["lookup"]},
        "pickups": {"class": "PostalPartner", "abstract": False, "tasks": ["pickup"]},
    }


@pytest.mark.parametrize(
    ("variable", "found"), [({}, "absent"), ({"PORTAL_BENCH_BARE_VIEW": "1"}, "bare")]
)
def test_the_bare_view_is_routed_only_when_the_benchmark_asks(variable, found):
    assert (
        child(RESOLVE_BARE, cwd=ROOT, DJANGO_SETTINGS_MODULE="portal.settings", **variable) == found
    )


def test_the_bare_view_answers_ok():
    response = views.bare(RequestFactory().get("/bench/bare"))

    assert (response.status_code, response.content) == (200, b"ok")
