"""kpi_report for a unit, an agency or a reception point, filtered by sector and procedure
(INTERFACES §3), against the April fixture computed by hand."""

import json

import pytest
from django.core.management.base import CommandError

from tests.commands import run_command

from .april import (
    JUSTICE_COUNTS,
    JUSTICE_RATES,
    NO_RATES,
    WARD_POINT_COUNTS,
    WARD_POINT_RATES,
    WARD_RESOLVED_BY_RECEPTION,
    ZERO,
    April,
)

APRIL_OPTIONS = ["--from", "2026-04-01", "--to", "2026-04-30"]


def report(*arguments: str) -> dict:
    status, out, _ = run_command("kpi_report", *arguments, *APRIL_OPTIONS)
    assert status == 0
    return json.loads(out)


def test_an_agency_counts_its_dossiers_wherever_received(april: April) -> None:
    result = report("--agency", "000.00.16.H56")

    assert result == {
        "scope": {"agency": "000.00.16.H56", "name": "Sở Tư pháp tỉnh Thanh Hóa"},
        "period": {"from": "2026-04-01", "to": "2026-04-30"},
        "counts": JUSTICE_COUNTS,
        "rates": JUSTICE_RATES,
    }


def test_a_reception_point_counts_what_it_received_for_every_agency(april: April) -> None:
    result = report("--reception-point", "ttpvhcc-14797")

    assert result["scope"] == {
        "reception_point": "ttpvhcc-14797",
        "name": "Trung tâm Phục vụ hành chính công Phường Hạc Thành",
    }
    assert result["counts"] == WARD_POINT_COUNTS
    assert result["rates"] == WARD_POINT_RATES


def test_a_unit_of_one_sector_named_without_diacritics(april: April) -> None:
    result = report("--unit", "14797", "--sector", "HO TICH")

    # Dossiers 1 2 3 7: the ward's civil status dossiers (not the department's 8 to 11).
    assert result["scope"] == {"unit": "14797", "name": "Phường Hạc Thành", "sector": "Hộ tịch"}
    assert result["counts"] == ZERO | {
        "received": 4,
        "received_counter": 1,  # 1
        "received_online": 2,  # 2 7
        "received_postal": 1,  # 3
        "received_online_full": 2,
        "to_process": 4,
        "resolved": 4,
        "resolved_early": 2,  # 1 7
        "resolved_on_time": 1,  # 2
        "resolved_late": 1,  # 3
        "resolved_counter": 1,
        "resolved_postal": 1,
        "resolved_online_full": 2,
    }
    assert result["rates"] == NO_RATES | {
        "online_rate": 50.0,
        "resolution_rate": 100.0,
        "on_time_rate": 75.0,
        "early_rate": 50.0,
        "on_time_only_rate": 25.0,
        "late_rate": 25.0,
        "in_progress_rate": 0.0,
        "digitization_rate": 0.0,
    }


def test_a_unit_of_one_procedure(april: April) -> None:
    result = report("--unit", "14797", "--procedure", "2.000815")

    # Dossiers 4 5 6: certified copies, one received at the province's centre.
    assert result["scope"] == {"unit": "14797", "name": "Phường Hạc Thành", "procedure": "2.000815"}
    assert result["counts"] == ZERO | {
        "received": 3,
        "received_counter": 1,  # 6
        "received_online": 2,  # 4 5
        "received_online_full": 1,  # 5
        "received_online_partial": 1,  # 4
        "to_process": 3,
        "resolved": 2,
        "resolved_early": 1,  # 4
        "resolved_on_time": 1,  # 6
        "resolved_counter": 1,
        "resolved_online_partial": 1,
        "in_progress": 1,  # 5
        "in_progress_within_deadline": 1,
    }
    assert result["rates"] == NO_RATES | {
        "online_rate": 66.67,
        "resolution_rate": 66.67,
        "on_time_rate": 100.0,
        "early_rate": 50.0,
        "on_time_only_rate": 50.0,
        "late_rate": 0.0,
        "in_progress_rate": 33.33,
        "digitization_rate": 0.0,
    }


def test_a_reception_point_of_one_sector_and_procedure(april: April) -> None:
    result = report(
        "--reception-point", "ttpvhcc-14797", "--sector", "Hộ tịch", "--procedure", "1.004873"
    )

    # Dossiers 1 and 2 (3 and 7 are births, 10 and 11 extracts).
    assert result["scope"] == {
        "reception_point": "ttpvhcc-14797",
        "name": "Trung tâm Phục vụ hành chính công Phường Hạc Thành",
        "sector": "Hộ tịch",
        "procedure": "1.004873",
    }
    assert result["counts"] == ZERO | {
        "received": 2,
        "received_counter": 1,
        "received_online": 1,
        "received_online_full": 1,
        "to_process": 2,
        "resolved": 2,
        "resolved_early": 1,
        "resolved_on_time": 1,
        "resolved_counter": 1,
        "resolved_online_full": 1,
    }
    assert result["rates"] == NO_RATES | {
        "online_rate": 50.0,
        "resolution_rate": 100.0,
        "on_time_rate": 100.0,
        "early_rate": 50.0,
        "on_time_only_rate": 50.0,
        "late_rate": 0.0,
        "in_progress_rate": 0.0,
        "digitization_rate": 0.0,
    }


def test_the_online_type_counts_of_the_ward(april: April) -> None:
    counts = report("--unit", "14797")["counts"]

    assert {name: counts[name] for name in WARD_RESOLVED_BY_RECEPTION} == (
        WARD_RESOLVED_BY_RECEPTION
    )
    assert counts["resolved"] == sum(WARD_RESOLVED_BY_RECEPTION.values()) == 6


def test_the_table_names_the_scope_and_its_filters(april: April) -> None:
    _, out, _ = run_command(
        "kpi_report", "--agency", "000.00.16.H56", "--sector", "ho tich", *APRIL_OPTIONS,
        "--format", "table",
    )  # fmt: skip

    lines = out.splitlines()
    assert lines[0] == "Sở Tư pháp tỉnh Thanh Hóa (000.00.16.H56) · Hộ tịch 2026-04-01 – 2026-04-30"
    assert "resolved_online_partial 1" in [" ".join(line.split()) for line in lines]  # 9


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "give exactly one of --unit, --agency, --reception-point (got none)"),
        (
            ["--unit", "14797", "--agency", "000.00.16.H56"],
            "give exactly one of --unit, --agency, --reception-point (got --unit and --agency)",
        ),
        (["--agency", "000.00.99.H99"], "--agency: unknown agency 000.00.99.H99"),
        (["--reception-point", "nowhere"], "--reception-point: unknown reception point nowhere"),
        (["--unit", "14797", "--sector", "Thuế"], "--sector: unknown sector 'Thuế'"),
        (["--unit", "14797", "--procedure", "9.999999"], "--procedure: unknown procedure 9.999999"),
    ],
)
def test_bad_options_are_refused(april: April, arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError) as refused:
        run_command("kpi_report", *arguments, *APRIL_OPTIONS)

    assert (refused.value.returncode, str(refused.value)) == (1, message)
