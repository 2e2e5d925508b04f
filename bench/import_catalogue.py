"""A 2,000-procedure catalogue through `catalogue_import` (issue: import_catalogue).

Generates a catalogue directory (procedures.csv with every column, five papers, two fee
items and four internal steps per procedure, each procedure settled by the People's
Committees of 20 communes, 100 interconnection groups of three) and imports it into the
configured database, PostgreSQL by DATABASE_URL, then imports it again (every row
unchanged). Baseline, measured in the same run: the same procedure, paper, fee and step
rows read from the same files and written by plain `bulk_create`, no checks, in a savepoint
rolled back before the import.

Everything runs inside one transaction that is rolled back at the end (the audit table
refuses DELETE), then the touched tables are vacuumed: the database is left as it was.
Prints rows, time, rows/s, the ratio to the baseline and peak memory (RSS)."""

import argparse
import csv
import os
import platform
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.db import connection, transaction

from portal.models import AuditEvent
from procedures.models import (
    AdministrativeUnit,
    Agency,
    Component,
    Fee,
    InterconnectionGroup,
    InterconnectionMember,
    Procedure,
    Sector,
    Step,
)
from procedures.services.catalogue_import import catalogue_import
from procedures.services.catalogue_rows import index

COUNT = int(os.environ.get("BENCH_PROCEDURES", "2000"))
TOUCHED = [
    Procedure, Component, Fee, Step, InterconnectionGroup, InterconnectionMember, Sector,
    Agency, AdministrativeUnit, AuditEvent,
]  # fmt: skip
COMMUNES = 20
PROVINCE_CODE = "98"
SECTORS = ["Hộ tịch", "Chứng thực", "Cư trú", "Đất đai", "Xây dựng", "Bảo trợ xã hội"]
UNITS = ["working_days", "working_days", "calendar_days", "same_day", "working_hours"]
COPY_TYPES = ["original", "certified_copy", "plain_copy"]
LEGAL_BASIS = (
    "Luật Hộ tịch số 60/2014/QH13; Nghị định số 123/2015/NĐ-CP; Thông tư số 04/2020/TT-BTP"
)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def code(number: int) -> str:
    return f"8.9{number:05d}"


def write(path: Path, header: list[str], rows) -> int:
    written = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            written += 1
    return written


def generate(directory: Path, count: int) -> dict[str, int]:
    agencies = ";".join(f"B98.X{n:02d}" for n in range(1, COMMUNES + 1))
    sizes = {}

    def procedures():
        for n in range(count):
            unit = UNITS[n % len(UNITS)]
            limit = 0 if unit == "same_day" else 3 + n % 20
            yield [
                code(n), f"Thủ tục hành chính thử tải số {n} về đăng ký và cấp giấy tờ",
                SECTORS[n % len(SECTORS)], "commune", limit, unit, "full", 4, 10000 + n,
                "true", "false", agencies, "Ủy ban nhân dân cấp xã",
                "Công dân Việt Nam; người nước ngoài cư trú tại Việt Nam",
                "Có đủ giấy tờ theo quy định", "Giấy chứng nhận (bản chính)", "true", "true",
                LEGAL_BASIS, "Quyết định số 1234/QĐ-UBND", "published", "2025-07-01",
            ]  # fmt: skip

    sizes["procedures.csv"] = write(
        directory / "procedures.csv",
        [
            "code", "name", "sector", "level", "time_limit", "time_limit_unit", "online_level",
            "legacy_level", "fee", "postal_intake", "postal_return", "agencies",
            "deciding_authority", "applicants", "conditions", "result_name", "result_paper",
            "result_electronic", "legal_basis", "publication_decision", "status", "valid_from",
        ],
        procedures(),
    )  # fmt: skip
    sizes["papers.csv"] = write(
        directory / "papers.csv",
        ["procedure_code", "position", "name", "copy_type", "count", "required", "note"],
        (
            [code(n), p, f"Giấy tờ số {p} của hồ sơ", COPY_TYPES[p % 3], 1 + p % 2,
             "true" if p < 4 else "false", "Xuất trình bản chính để đối chiếu" if p == 2 else ""]
            for n in range(count)
            for p in range(1, 6)
        ),
    )  # fmt: skip
    sizes["fees.csv"] = write(
        directory / "fees.csv",
        ["procedure_code", "position", "kind", "name", "amount", "exemptions"],
        (
            [code(n), 1, "charge", "Lệ phí cấp giấy", 10000 + n, "Miễn cho hộ nghèo"]
            if f == 1
            else [code(n), 2, "fee", "Phí thẩm định", 0, ""]
            for n in range(count)
            for f in (1, 2)
        ),
    )  # fmt: skip
    sizes["steps.csv"] = write(
        directory / "steps.csv",
        ["procedure_code", "position", "name", "responsible", "budget_hours"],
        (
            [code(n), s, f"Bước {s} của quy trình nội bộ", "Công chức Tư pháp - Hộ tịch", 2 * s]
            for n in range(count)
            for s in range(1, 5)
        ),
    )  # fmt: skip
    sizes["groups.csv"] = write(
        directory / "groups.csv",
        ["code", "name", "time_limit", "time_limit_unit", "legal_basis", "procedure_code",
         "position"],
        (
            [f"BENCH-{g}", f"Nhóm liên thông thử tải {g}", 5, "working_days",
             "Nghị định số 63/2024/NĐ-CP", code(3 * g + m), m + 1]
            for g in range(min(100, count // 3))
            for m in range(3)
        ),
    )  # fmt: skip
    return sizes


def create_agencies() -> None:
    if AdministrativeUnit.objects.filter(code__startswith=PROVINCE_CODE).exists():
        sys.exit(f"units with codes {PROVINCE_CODE}… exist already; use an empty database")
    province = AdministrativeUnit.objects.create(
        code=PROVINCE_CODE, name="Tỉnh Thử Danh Mục", level="province"
    )
    for number in range(1, COMMUNES + 1):
        commune = AdministrativeUnit.objects.create(
            code=f"{PROVINCE_CODE}{number:03d}", name=f"Xã Thử {number}", level="commune",
            parent=province,
        )  # fmt: skip
        Agency.objects.create(code=f"B98.X{number:02d}", name=f"UBND xã {number}", unit=commune)


def baseline(directory: Path) -> float:
    """The same rows by plain bulk_create, no checks; rolled back to its savepoint."""
    tic = time.perf_counter()
    with transaction.atomic():
        sectors = {
            name: Sector.objects.create(name=name, code=f"bench-{number}")
            for number, name in enumerate(SECTORS)
        }
        with (directory / "procedures.csv").open(encoding="utf-8", newline="") as file:
            procedures = [
                Procedure(
                    code=r["code"],
                    name=r["name"],
                    sector=sectors[r["sector"]],
                    level=r["level"],
                    time_limit=Decimal(r["time_limit"]),
                    time_limit_unit=r["time_limit_unit"],
                    legal_basis=r["legal_basis"],
                    applicants=r["applicants"],
                )
                for r in csv.DictReader(file)
            ]
        for procedure in procedures:
            index(procedure)
        Procedure.objects.bulk_create(procedures, batch_size=1000)
        ids = {procedure.code: procedure.pk for procedure in procedures}
        for name, model, fields in (
            ("papers.csv", Component, ("position", "name", "copy_type", "count", "note")),
            ("fees.csv", Fee, ("position", "kind", "name", "amount", "exemptions")),
            ("steps.csv", Step, ("position", "name", "responsible", "budget_hours")),
        ):
            with (directory / name).open(encoding="utf-8", newline="") as file:
                model.objects.bulk_create(
                    (
                        model(procedure_id=ids[r["procedure_code"]], **{f: r[f] for f in fields})
                        for r in csv.DictReader(file)
                    ),
                    batch_size=2000,
                )
        transaction.set_rollback(True)
    return time.perf_counter() - tic


def vacuum() -> None:
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in TOUCHED]
    tables.append(Procedure.agencies.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")


def timed(directory: Path, **options) -> tuple[float, object]:
    tic = time.perf_counter()
    summary = catalogue_import(directory=directory, **options)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # deferred foreign keys, as a commit would
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return time.perf_counter() - tic, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=COUNT)
    parser.add_argument("--allow-sqlite", action="store_true")
    options = parser.parse_args()
    if connection.vendor == "sqlite" and not options.allow_sqlite:
        print("skipped: set DATABASE_URL to a PostgreSQL database (or pass --allow-sqlite)")
        return

    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        sizes = generate(directory, options.procedures)
        rows = sum(sizes.values())
        size_mib = sum(path.stat().st_size for path in directory.iterdir()) / 2**20
        vacuum()
        with transaction.atomic():
            create_agencies()
            baseline_seconds = baseline(directory)
            rss_before = peak_rss_mib()
            seconds, summary = timed(directory)
            again_seconds, again = timed(directory)
            stored = (
                Procedure.objects.filter(code__startswith="8.9").count(),
                Component.objects.filter(procedure__code__startswith="8.9").count(),
                Procedure.agencies.through.objects.filter(
                    procedure__code__startswith="8.9"
                ).count(),
            )
            transaction.set_rollback(True)
        vacuum()

    base_rows = sum(
        sizes[name] for name in ("procedures.csv", "papers.csv", "fees.csv", "steps.csv")
    )
    print(f"database:              {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"machine:               {os.cpu_count()} cores, {platform.python_version()}")
    print(f"files:                 {rows:,} rows ({sizes}), {size_mib:.1f} MiB")
    print(f"import summary:        {summary}")
    print(f"stored (procedures, papers, agency links): {stored}")
    print(
        f"baseline (bulk_create, no checks, {base_rows:,} rows): {baseline_seconds:6.2f} s  "
        f"{base_rows / baseline_seconds:,.0f} rows/s"
    )
    print(
        f"catalogue_import:      {seconds:6.2f} s  {rows / seconds:,.0f} rows/s  "
        f"ratio {seconds / baseline_seconds:.1f} of baseline"
    )
    print(
        f"again, all unchanged:  {again_seconds:6.2f} s  {rows / again_seconds:,.0f} rows/s  "
        f"({str(again).split(';')[0]})"
    )
    print(f"peak memory (RSS):     {peak_rss_mib():6.1f} MiB ({rss_before:.1f} before import)")
    print("rolled back and vacuumed: nothing of the run is left in the database")


if __name__ == "__main__":
    main()
