"""The demo's figures do not move under a refactor: `kpi_report --json` over the demo
catalogue and 1,200 generated dossiers (seeded, so the same every run) equals the figures
recorded in tests/golden/kpi_report_demo.json, for the province, a district, a commune,
an agency, a reception point and a sector, over a year, a quarter across the 2025 reform
and a month.

A change that is meant to move a figure regenerates the file on purpose:
    KPI_GOLDEN_UPDATE=1 make test PYTEST_ARGS=tests/test_kpi_golden.py
and the diff of the JSON shows which figures moved."""

import io
import json
import os
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from procedures.calendar import LOCAL_TIME
from tests.commands import run_command

GOLDEN = Path(__file__).parent / "golden" / "kpi_report_demo.json"

PERIODS = [("2025-01-01", "2025-12-31"), ("2025-06-01", "2025-08-31"), ("2026-10-01", "2026-10-31")]

SCOPES = [
    ("--unit", "38"),  # the province, with every unit below it
    ("--unit", "392"),  # a district, before the reform
    ("--unit", "16591"),  # a commune, after it
    ("--agency", "000.00.25.H56"),  # the provincial police
    ("--reception-point", "ttpvhcc-tinh-thanh-hoa"),
    ("--unit", "38", "--sector", "Hộ tịch"),
]


def _figures() -> dict[str, object]:
    figures: dict[str, object] = {}
    for scope in SCOPES:
        for start, end in PERIODS:
            arguments = (*scope, "--from", start, "--to", end, "--format", "json")
            try:
                status, out, err = run_command("kpi_report", *arguments)
            except CommandError as refusal:
                # A unit that did not exist in the period is refused; the refusal is kept.
                value: object = {"refused": str(refusal)}
            else:
                assert status == 0, err
                value = json.loads(out)
            figures[f"{' '.join(scope)} {start}..{end}"] = value
    return figures


# The generator settles dossiers relative to now: the clock is held at one moment.
@time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=LOCAL_TIME), tick=False)
@pytest.mark.django_db
def test_the_demo_figures_equal_the_recorded_ones() -> None:
    call_command("load_demo", stdout=io.StringIO())
    status, _, err = run_command(
        "generate_demo_dossiers", "--count", "1200", "--from", "2025-01-01", "--to", "2026-10-31"
    )
    assert status == 0, err

    figures = _figures()

    if os.environ.get("KPI_GOLDEN_UPDATE") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(figures, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    recorded = json.loads(GOLDEN.read_text())
    assert sorted(figures) == sorted(recorded)
    for key, value in figures.items():
        assert value == recorded[key], key
