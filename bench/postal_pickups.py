"""Pickup creation through the postal partner API under concurrent clients (issue #8).

Runs in a throwaway database (created, migrated and dropped by this script, like a test
database), so nothing is left behind. Concurrent clients are threads, each with its own
database connection and API key, posting pickups through Django's full stack (key
authentication, per-partner throttle, idempotency record, validation, the dossier service,
the shipment). Baseline, in the same run: the same number of postal dossiers submitted by
the same number of threads straight through the dossier service (no HTTP layer).

Prints pickups per second, latency p50/p95/max and peak memory (RSS)."""

import os
import platform
import resource
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.db import close_old_connections, connection
from django.test.utils import setup_test_environment
from rest_framework.test import APIClient

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
PER_CLIENT = int(os.environ.get("BENCH_PICKUPS", "250"))


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def organisation():
    from procedures.models import (
        AdministrativeUnit,
        Agency,
        Component,
        CopyType,
        Procedure,
        ReceptionPoint,
        Sector,
    )
    from procedures.services.catalogue import index
    from reception.postal.keys import partner_create

    province = AdministrativeUnit.objects.create(code="99", name="Tỉnh thử", level="province")
    commune = AdministrativeUnit.objects.create(
        code="99001", name="Xã thử", level="commune", parent=province
    )
    agency = Agency.objects.create(code="H99.001", name="UBND xã thử", unit=commune)
    point = ReceptionPoint.objects.create(
        code="bench-point", name="Một cửa thử", kind="commune_centre", unit=commune
    )
    point.agencies.add(agency)
    procedure = Procedure(
        code="9.990001",
        name="Thủ tục thử",
        level="commune",
        sector=Sector.objects.create(code="thu", name="Thử"),
        time_limit=Decimal(3),
        time_limit_unit="working_days",
        status="published",
    )
    index(procedure)
    procedure.save()
    procedure.agencies.add(agency)
    paper = Component.objects.create(
        procedure=procedure, name="Tờ khai", copy_type=CopyType.ORIGINAL
    )
    keys = []
    for number in range(CLIENTS):
        made = partner_create(
            code=f"bench-{number}",
            name=f"Bưu cục {number}",
            scopes=["pickups:create"],
            reception_points=[point],
            actor=None,
        )
        made.client.requests_per_minute = 10**6
        made.client.save()
        keys.append(made.api_key)
    return procedure, agency, point, paper.pk, keys


def run_threads(work) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        try:
            for item in range(PER_CLIENT):
                began = time.perf_counter()
                work(number, item)
                spent = time.perf_counter() - began
                with lock:
                    latencies.append(spent)
        finally:
            close_old_connections()
            connection.close()

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    return time.perf_counter() - began, latencies


def main() -> None:
    if connection.vendor != "postgresql":
        print("skipped: needs PostgreSQL (DATABASE_URL)")
        return
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        procedure, agency, point, paper, keys = organisation()
        from dossiers.services import Applicant, dossier_submit_by_post
        from reception.models import PartnerClient

        accounts = [c.account for c in PartnerClient.objects.order_by("code")]

        def direct(number: int, item: int) -> None:
            dossier_submit_by_post(
                partner=accounts[number],
                procedure=procedure,
                agency=agency,
                reception_point=point,
                applicant=Applicant(name=f"Người nộp {number}-{item}"),
                result_delivery="postal",
                delivery_address="12 Lê Lợi",
            )

        apis = []
        for key in keys:
            api = APIClient()
            api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
            apis.append(api)

        def through_api(number: int, item: int) -> None:
            reply = apis[number].post(
                "/api/v1/postal/pickups/",
                {
                    "procedure": procedure.code,
                    "reception_point": point.code,
                    "applicant": {"name": f"Người nộp {number}-{item}", "phone": "0912345678"},
                    "components_checked": [paper],
                    "bill_number": f"EB{number:02d}{item:07d}VN",
                    "service": "both",
                    "delivery_address": "12 Lê Lợi, xã thử",
                },
                format="json",
                secure=True,  # production settings redirect plain HTTP
                HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            )
            if reply.status_code != 201:
                raise RuntimeError(f"{reply.status_code} {reply.content[:300]!r}")

        baseline, base_latencies = run_threads(direct)
        api_time, latencies = run_threads(through_api)
        total = CLIENTS * PER_CLIENT
        quantiles = statistics.quantiles(latencies, n=100)
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, PostgreSQL {connection.pg_version // 10000}"
        )
        print(f"clients: {CLIENTS} concurrent, {total} pickups each phase")
        print(
            f"baseline (dossier service, no HTTP): {baseline:.2f} s, "
            f"{total / baseline:.0f} dossiers/s, p95 "
            f"{statistics.quantiles(base_latencies, n=100)[94] * 1000:.1f} ms"
        )
        print(
            f"API pickups: {api_time:.2f} s, {total / api_time:.0f} pickups/s, "
            f"p50 {quantiles[49] * 1000:.1f} ms, p95 {quantiles[94] * 1000:.1f} ms, "
            f"max {max(latencies) * 1000:.1f} ms, ratio to baseline {api_time / baseline:.2f}"
        )
        print(f"peak RSS: {rss_mib():.1f} MiB")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
