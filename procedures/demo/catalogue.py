"""Demo procedure catalogue: real national procedures (codes, time limits, fees, papers)
offered by the demo agencies of procedures/management/commands/load_demo.py.

procedures.csv goes through import_procedures like any operator's file; catalogue.json
adds what the CSV format does not carry (papers, fee items, steps, who decides, where),
once, to procedures that have no papers yet: an administrator's later edits are kept."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from portal.csv_import import CsvFile
from procedures.models import (
    AdministrativeUnit,
    Agency,
    Component,
    Fee,
    InterconnectionGroup,
    InterconnectionMember,
    Procedure,
    Step,
)
from procedures.services import procedures_import
from procedures.services.catalogue import PROCEDURE_COLUMNS

DEMO_DIR = Path(__file__).resolve().parent
LAST_DAY_BEFORE_REFORM = date(2025, 6, 30)
REFORM_DAY = date(2025, 7, 1)


def load_catalogue() -> int:
    """Import the demo catalogue if any of it is missing; return its size."""
    path = DEMO_DIR / "procedures.csv"
    csv_file = CsvFile(path, columns=PROCEDURE_COLUMNS, required=["code"])
    codes = {row.values["code"] for row in csv_file.rows()}
    if Procedure.objects.filter(code__in=codes).count() < len(codes):
        procedures_import(path=path)
    details = json.loads((DEMO_DIR / "catalogue.json").read_text(encoding="utf-8"))
    with transaction.atomic():
        agencies = _agencies_by_kind()
        for procedure in Procedure.objects.filter(code__in=codes, components__isnull=True):
            _describe(procedure, details["procedures"][procedure.code], agencies)
        for group in details["groups"]:
            _group(group)
    return len(codes)


def _agencies_by_kind() -> dict[str, list[Agency]]:
    agencies = Agency.objects.select_related("unit")
    return {
        "communes": list(
            agencies.filter(unit__level=AdministrativeUnit.Level.COMMUNE, valid_from=REFORM_DAY)
        ),
        "districts": list(agencies.filter(unit__level=AdministrativeUnit.Level.DISTRICT)),
    }


def _describe(procedure: Procedure, data: dict[str, Any], agencies: dict[str, list]) -> None:
    for name in (
        "deciding_authority",
        "applicants",
        "conditions",
        "result_paper",
        "result_electronic",
        "legal_basis",
    ):
        setattr(procedure, name, data.get(name, getattr(procedure, name)))
    procedure.result_name = data.get("result", "")
    offered_by = data["offered_by"]
    if offered_by == "districts":
        # District-level procedures ended with the districts on 2025-06-30; old dossiers
        # and their indicators still refer to them.
        procedure.valid_to = LAST_DAY_BEFORE_REFORM
        procedure.status = Procedure.Status.REPEALED
    procedure.save()
    if isinstance(offered_by, str):
        procedure.agencies.set(agencies[offered_by])
    else:
        procedure.agencies.set(Agency.objects.filter(code__in=offered_by))
    Component.objects.bulk_create(
        Component(
            procedure=procedure,
            position=position,
            name=item["name"],
            copy_type=item["copy_type"],
            count=item.get("count", 1),
            required=item.get("required", True),
            note=item.get("note", ""),
        )
        for position, item in enumerate(data["components"], 1)
    )
    procedure.fees.all().delete()  # the import's single total, replaced by the items
    Fee.objects.bulk_create(
        Fee(
            procedure=procedure,
            position=position,
            kind=item["kind"],
            name=item["name"],
            amount=item["amount"],
            exemptions=item.get("exemptions", ""),
        )
        for position, item in enumerate(data["fees"], 1)
        if item["amount"] or item.get("exemptions")
    )
    Step.objects.bulk_create(
        Step(
            procedure=procedure,
            position=position,
            name=item["name"],
            responsible=item.get("responsible", ""),
            budget_hours=Decimal(str(item["hours"])),
        )
        for position, item in enumerate(data["steps"], 1)
    )


def _group(data: dict[str, Any]) -> None:
    group, _ = InterconnectionGroup.objects.get_or_create(
        code=data["code"],
        defaults={
            "name": data["name"],
            "time_limit": Decimal(str(data["time_limit"])),
            "time_limit_unit": data["time_limit_unit"],
            "legal_basis": data.get("legal_basis", ""),
        },
    )
    members = Procedure.objects.in_bulk(data["procedures"], field_name="code")
    for position, code in enumerate(data["procedures"], 1):
        InterconnectionMember.objects.get_or_create(
            group=group, procedure=members[code], defaults={"position": position}
        )
