"""The indicators of RULES.md §6 against a fixture computed by hand (March 2026)."""

import json
from datetime import date

import pytest
from django.core.management.base import CommandError

from dossiers.tests.conftest import Office
from reporting.indicators import Period, Scope, compute, rate
from tests.commands import run_command

from .march import EXPECTED_COUNTS, EXPECTED_RATES, MARCH


def test_every_indicator_of_march(march, office: Office) -> None:
    result = compute(Scope.of_unit(office.unit), MARCH)

    assert result.counts == EXPECTED_COUNTS
    assert result.rates == EXPECTED_RATES


def test_the_province_sees_both_communes(march, office: Office) -> None:
    province = office.unit.parent

    result = compute(Scope.of_unit(province), MARCH)

    assert result.counts["received"] == 8
    assert result.counts["evaluations"] == 3


def test_an_agency_scope_and_an_empty_period(march, office: Office) -> None:
    agency = compute(Scope(agency_id=office.other_agency.pk), MARCH)
    empty = compute(Scope.of_unit(office.unit), Period(date(2025, 1, 1), date(2025, 1, 31)))

    assert agency.counts["received"] == 1
    assert set(empty.counts.values()) == {0}
    assert set(empty.rates.values()) == {None}


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (1, 3, 33.33),
        (2, 3, 66.67),
        (1, 8, 12.5),
        (1, 800, 0.13),
        (3, 800, 0.38),
        (0, 5, 0.0),
        (5, 0, None),
    ],
)
def test_rates_round_half_up(numerator: int, denominator: int, expected) -> None:
    assert rate(numerator, denominator) == expected


def test_kpi_report_prints_the_contract(march, office: Office) -> None:
    status, out, _ = run_command(
        "kpi_report", "--unit", "14797", "--from", "2026-03-01", "--to", "2026-03-31"
    )

    assert status == 0
    assert json.loads(out) == {
        "scope": {"unit": "14797", "name": "Phường Hạc Thành"},
        "period": {"from": "2026-03-01", "to": "2026-03-31"},
        "counts": EXPECTED_COUNTS,
        "rates": EXPECTED_RATES,
    }


def test_kpi_report_as_a_table(march, office: Office) -> None:
    _, out, _ = run_command(
        "kpi_report",
        "--unit",
        "14797",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "table",
    )

    lines = out.splitlines()
    assert lines[0] == "Phường Hạc Thành (14797) 2026-03-01 – 2026-03-31"
    assert lines[36].startswith("online_rate")
    assert lines[36].endswith("42.86")
    assert any(line.startswith("received ") and line.endswith(" 7") for line in lines)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--unit", "99999", "--from", "2026-03-01", "--to", "2026-03-31"],
            "--unit: unknown unit 99999",
        ),
        (
            ["--unit", "14797", "--from", "2026-03-32", "--to", "2026-03-31"],
            "--from: '2026-03-32' is not a date (YYYY-MM-DD)",
        ),
        (
            ["--unit", "14797", "--from", "2026-04-01", "--to", "2026-03-31"],
            "--to: the period ends (2026-03-31) before it starts (2026-04-01)",
        ),
    ],
)
def test_kpi_report_refuses_bad_arguments(office: Office, arguments, message) -> None:
    with pytest.raises(CommandError) as refused:
        run_command("kpi_report", *arguments)

    assert str(refused.value) == message
