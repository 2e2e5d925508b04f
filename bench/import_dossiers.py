"""100,000 historical dossiers through `dossiers_import` (issue: import_dossiers).

Generates a CSV of a year of dossiers (20 communes, four procedures, every channel and
importable status, a fifth of the due times given and the rest computed) and imports it
into the configured database, PostgreSQL by DATABASE_URL. Baseline, measured in the same
run: the same number of minimal rows (id, code, status, received_at) read from the same
file and written by one plain COPY (executemany on SQLite) into a scratch table.

Everything runs inside one transaction that is rolled back at the end (the audit table
refuses DELETE), then the touched tables are vacuumed: the database is left as it was.
Prints rows, time, rows/s, the ratio to the baseline and peak memory (RSS)."""

import argparse
import csv
import os
import platform
import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.db import connection, transaction

from dossiers.models import Dossier, Evaluation
from dossiers.services.imports import DOSSIER_COLUMNS, dossiers_import
from portal.models import AuditEvent
from procedures.calendar import LOCAL_TIME
from procedures.models import AdministrativeUnit, Agency, Fee, Procedure, ReceptionPoint, Sector

COUNT = int(os.environ.get("BENCH_ROWS", "100000"))
TOUCHED = [
    Dossier, Evaluation, AuditEvent, AdministrativeUnit, Agency, Sector, Procedure, Fee,
    ReceptionPoint,
]  # fmt: skip
COMMUNES = 20
PROVINCE_CODE = "99"
# code, time limit, unit, online level, level, fee
PROCEDURES = [
    ("9.990001", 3, "working_days", "full", "commune", 0),
    ("9.990002", 0, "same_day", "partial", "commune", 2000),
    ("9.990003", 8, "working_hours", "none", "commune", 0),
    ("9.990004", 15, "calendar_days", "partial", "province", 200000),
]
STATUSES = {
    "returned": 52, "completed": 10, "in_process": 12, "received": 5,
    "supplement_requested": 4, "financial_obligation": 2, "withdrawn": 5, "stopped": 2,
}  # fmt: skip
CHANNELS = {"counter": 45, "online": 45, "postal": 10}
RATINGS = ["very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied"]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung", "Hoàng Minh Đức"]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def create_catalogue() -> None:
    """A province of its own (code 99) with 20 communes, each with its People's
    Committee settling the commune procedures; a provincial department the fourth."""
    if AdministrativeUnit.objects.filter(code__startswith=PROVINCE_CODE).exists():
        sys.exit(f"units with codes {PROVINCE_CODE}… exist already; use an empty database")
    province = AdministrativeUnit.objects.create(
        code=PROVINCE_CODE, name="Tỉnh Thử Nghiệm", level="province"
    )
    department = Agency.objects.create(code="000.00.16.B99", name="Sở Tư pháp", unit=province)
    sector = Sector.objects.create(code="bench-ho-tich", name="Hộ tịch (thử tải)")
    procedures = []
    for code, limit, unit, online, level, fee in PROCEDURES:
        procedure = Procedure.objects.create(
            code=code, name=f"Thủ tục thử tải {code}", sector=sector, level=level,
            time_limit=Decimal(limit), time_limit_unit=unit, online_level=online,
            legacy_level=3, status=Procedure.Status.PUBLISHED,
        )  # fmt: skip
        if fee:
            Fee.objects.create(procedure=procedure, name="Lệ phí", amount=fee)
        procedures.append(procedure)
    procedures[-1].agencies.add(department)
    for number in range(1, COMMUNES + 1):
        commune = AdministrativeUnit.objects.create(
            code=f"{PROVINCE_CODE}{number:03d}", name=f"Xã Thử {number}", level="commune",
            parent=province,
        )  # fmt: skip
        agency = Agency.objects.create(
            code=f"B99.X{number:02d}", name=f"UBND xã Thử {number}", unit=commune
        )
        for procedure in procedures[:-1]:
            procedure.agencies.add(agency)
        point = ReceptionPoint.objects.create(
            code=f"BENCH-X{number:02d}", name=f"Bộ phận một cửa xã Thử {number}",
            kind=ReceptionPoint.Kind.COMMUNE_CENTRE, unit=commune,
        )  # fmt: skip
        point.agencies.add(agency)


def generate(path: Path, count: int) -> None:
    rng = random.Random(766)
    start = datetime(2025, 7, 1, tzinfo=LOCAL_TIME)
    statuses, status_weights = list(STATUSES), list(STATUSES.values())
    channels, channel_weights = list(CHANNELS), list(CHANNELS.values())
    fees = {code: fee for code, *_, fee in PROCEDURES}
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=DOSSIER_COLUMNS)
        writer.writeheader()
        for number in range(count):
            commune = rng.randint(1, COMMUNES)
            procedure = PROCEDURES[number % len(PROCEDURES)][0]
            status = rng.choices(statuses, status_weights)[0]
            channel = rng.choices(channels, channel_weights)[0]
            # Mostly office hours; some at night or at the weekend (online, postal).
            received = start + timedelta(
                days=rng.randrange(365), minutes=rng.choice([450, 480, 600, 840, 900, 1300])
            ) + timedelta(seconds=rng.randrange(3600))  # fmt: skip
            completed = received + timedelta(hours=rng.randint(1, 400))
            # The three shapes of legacy codes provinces carry over, kept verbatim.
            code = [
                f"B99.X{commune:02d}-{received:%y%m%d}-{number:06d}",
                f"LX-{received:%Y}/{number:06d}",
                f"C-{number}",
            ][number % 3]
            row = {
                "code": code,
                "procedure_code": procedure,
                "unit_code": f"{PROVINCE_CODE}{commune:03d}",
                "channel": channel,
                "received_at": received.isoformat(timespec="seconds"),
                "status": status,
                "supplement_count": rng.choice(["", "", "", "0", "1", "2"]),
                "digitized": rng.choice(["true", "false", ""]),
                "result_delivery": rng.choice(["counter", "postal", "online", ""]),
                "applicant_name": rng.choice(NAMES),
            }
            if rng.random() < 0.2:
                row["due_at"] = (received + timedelta(days=7)).isoformat(timespec="seconds")
            if status in ("stopped", "completed", "returned"):
                row["completed_at"] = completed.isoformat(timespec="seconds")
            if status == "returned":
                row["returned_at"] = (completed + timedelta(hours=rng.randint(1, 72))).isoformat()
                if rng.random() < 0.4:
                    row["satisfaction"] = rng.choice(RATINGS)
            if status == "withdrawn":
                row["withdrawn_at"] = completed.isoformat(timespec="seconds")
            if fees[procedure]:
                row["fee_amount"] = str(fees[procedure])
                row["paid_online"] = "true" if channel == "online" else "false"
            if channel == "online" and rng.random() < 0.5:
                row["online_level"] = rng.choice(["partial", "full"])
            if channel == "online":
                row["submitted_at"] = (
                    received - timedelta(minutes=rng.randint(1, 900))
                ).isoformat()
            if number % 2 and procedure != PROCEDURES[-1][0]:
                # Half name their agency and reception point; the rest take the defaults.
                row["agency_code"] = f"B99.X{commune:02d}"
                row["reception_point_code"] = f"BENCH-X{commune:02d}"
            if status == "returned":
                row["result_electronic"] = rng.choice(["true", "false"])
                row["result_digitized"] = row["result_electronic"]
            writer.writerow(row)


def baseline(path: Path) -> float:
    """Read the same file, write (id, code, status, received_at) with one plain COPY."""
    tic = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        code, status, received = (header.index(c) for c in ("code", "status", "received_at"))
        rows = [(uuid.uuid4(), r[code], r[status], r[received]) for r in reader]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_baseline (id uuid PRIMARY KEY, "
            "code varchar(48) UNIQUE, status varchar(24), received_at timestamp with time zone)"
        )
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                "COPY bench_baseline (id, code, status, received_at) FROM STDIN"
            ) as copy:
                for values in rows:
                    copy.write_row(values)
        else:
            cursor.executemany(
                "INSERT INTO bench_baseline VALUES (%s, %s, %s, %s)",
                [(str(i), c, s, r) for i, c, s, r in rows],
            )
        cursor.execute("SELECT count(*) FROM bench_baseline")
        assert cursor.fetchone()[0] == len(rows)
    return time.perf_counter() - tic


def vacuum() -> None:
    """Rolled-back rows stay behind as dead tuples until vacuumed: left there, they would
    bloat the database and slow the next run down."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in TOUCHED]
    tables.append(Procedure.agencies.through._meta.db_table)
    tables.append(ReceptionPoint.agencies.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=COUNT)
    parser.add_argument("--allow-sqlite", action="store_true")
    options = parser.parse_args()
    if connection.vendor == "sqlite" and not options.allow_sqlite:
        # Not an error: `make bench` runs every script, also on the embedded SQLite default.
        print("skipped: set DATABASE_URL to a PostgreSQL database (or pass --allow-sqlite)")
        return

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "dossiers.csv"
        generate(path, options.rows)
        size_mib = path.stat().st_size / 2**20
        vacuum()
        with transaction.atomic():
            create_catalogue()
            rss_before = peak_rss_mib()
            tic = time.perf_counter()
            summary = dossiers_import(path=path)
            if connection.vendor == "postgresql":
                # Foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED); the
                # run rolls back, so make PostgreSQL check them now, inside the timing.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds = time.perf_counter() - tic
            rss_import = peak_rss_mib()
            # After the import, so that its peak memory is its own.
            baseline_seconds = baseline(path)
            stored = (
                Dossier.objects.filter(imported=True).count(),
                Evaluation.objects.filter(channel="imported").count(),
                AuditEvent.objects.filter(event="dossiers.imported").count(),
            )
            transaction.set_rollback(True)
        vacuum()

    print(
        f"database:                      {connection.vendor} ({connection.settings_dict['NAME']})"
    )
    print(f"machine:                       {os.cpu_count()} cores, {platform.python_version()}")
    print(f"file:                          {options.rows:,} rows, {size_mib:.1f} MiB")
    print(f"import summary:                {summary}")
    print(f"stored (dossiers, evaluations, audit events): {stored}")
    plain = "COPY" if connection.vendor == "postgresql" else "executemany"
    print(f"baseline (csv + {plain}, 4 cols): {baseline_seconds:7.2f} s")
    print(
        f"dossiers_import:               {seconds:7.2f} s  {options.rows / seconds:,.0f} rows/s  "
        f"ratio {seconds / baseline_seconds:.1f} of baseline"
    )
    print(f"peak memory (RSS):             {rss_import:7.1f} MiB ({rss_before:.1f} before import)")
    print("rolled back and vacuumed: nothing of the run is left in the database")


if __name__ == "__main__":
    main()
