"""The load scenarios of bench/load/run.py, one locust user class each.

Every user asks as fast as it is answered (no think time): N users are N requests in
flight, so a figure at 16 users is what 16 busy people get from the server, queueing
included. A request counts as an error unless it has exactly the expected status (no
redirect is followed: a session that expired would otherwise pass as a 200 login page).

The run prepares what the users need (bench/load/prepare.py) in a JSON file named by
LOADBENCH_FIXTURE: one session cookie per user and role, the pages to ask for, lookup
codes with their secrets, the partner's API key and pickup details. Every address is
127.0.0.1."""

import itertools
import json
import os
import random
import uuid
from functools import cache
from typing import Any

from locust import FastHttpUser, constant, task
from scenarios import SCENARIOS


@cache
def fixture() -> dict[str, Any]:
    with open(os.environ["LOADBENCH_FIXTURE"], encoding="utf-8") as file:
        return json.load(file)


class PortalUser(FastHttpUser):
    """One person: a session of their own (if the role signs in), one kind of request."""

    abstract = True
    wait_time = constant(0)
    role = ""  # the key of the fixture's sessions for this role, "" for no session
    expected = 200
    # Hands each new user the next of the role's sessions (gevent: no two at once).
    _numbers = itertools.count()

    def on_start(self) -> None:
        self.headers: dict[str, str] = {}
        if self.role:
            sessions = fixture()["sessions"][self.role]
            number = next(self._numbers)
            self.headers["Cookie"] = f"sessionid={sessions[number % len(sessions)]}"

    def ask(self, path: str, name: str, **options: Any) -> None:
        method = options.pop("method", "GET")
        headers = {**self.headers, **options.pop("headers", {})}
        with self.client.request(
            method,
            path,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
            **options,
        ) as response:
            if response.status_code != self.expected:
                response.failure(f"HTTP {response.status_code}")


class BareView(PortalUser):
    """The baseline: the smallest view, through the same middleware."""

    @task
    def bare(self) -> None:
        self.ask("/bench/bare", "bare view")


class ProvinceManager(PortalUser):
    role = "province_manager"

    @task
    def dashboard(self) -> None:
        self.ask(fixture()["pages"]["province_dashboard"], "province dashboard")


class CommuneManager(PortalUser):
    role = "commune_manager"

    @task
    def dashboard(self) -> None:
        self.ask(fixture()["pages"]["commune_dashboard"], "commune dashboard")


class OverdueList(PortalUser):
    """A province manager on the province's list of overdue dossiers (live, not a snapshot)."""

    role = "province_manager"

    @task
    def overdue(self) -> None:
        self.ask(fixture()["pages"]["province_overdue"], "province overdue list")


class ProcessingOfficer(PortalUser):
    role = "processing_officer"

    @task
    def inbox(self) -> None:
        self.ask("/reception/inbox/", "inbox")


class ReceptionOfficer(PortalUser):
    role = "reception_officer"

    @task
    def counter_home(self) -> None:
        self.ask("/reception/", "counter home")


class Citizen(PortalUser):
    """Lookups by receipt from many addresses, as through the TLS proxy (the server trusts
    one proxy): the throttle allows 60 successful lookups per address in 15 minutes, which
    one user asking without pause would reach in seconds from a single address."""

    @task
    def lookup(self) -> None:
        code, secret = random.choice(fixture()["lookups"])
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        self.ask(
            f"/lookup/?code={code}&secret={secret}",
            "lookup",
            headers={"X-Forwarded-For": address},
        )


class PostalPartner(PortalUser):
    """The postal partner creating pickups (each writes a dossier, a shipment, its event,
    an audit event and an idempotency record) at the run's own reception point."""

    expected = 201

    @task
    def pickup(self) -> None:
        partner = fixture()["partner"]
        body = {
            "procedure": partner["procedure"],
            "reception_point": partner["reception_point"],
            "applicant": {"name": "Nguyễn Văn Thử", "phone": "0912345678"},
            "components_checked": partner["components"],
            "bill_number": f"LB{uuid.uuid4().hex[:24]}",
            "service": "both",
            "delivery_address": "12 Lê Lợi",
        }
        self.ask(
            "/api/v1/postal/pickups/",
            "pickup",
            method="POST",
            json=body,
            headers={
                "Authorization": f"Api-Key {partner['api_key']}",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )


# Each scenario's user class, by the scenario's name.
USERS: dict[str, type[PortalUser]] = {name: globals()[user] for name, user in SCENARIOS.items()}
