from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.models import AuditEvent
from procedures.models import AdministrativeUnit
from tests.commands import run_command, write_csv

pytestmark = pytest.mark.django_db

HEADER = "code,name,level,parent_code,valid_from,valid_to\n"
PROVINCE = "38,Tỉnh Thanh Hóa,province,,,\n"


def write(tmp_path: Path, text: str, *, name: str = "units.csv", bom: bool = False) -> Path:
    return write_csv(tmp_path, text, name=name, bom=bom)


def run(path: Path, *args: str) -> tuple[int, str, str]:
    return run_command("import_units", str(path), *args)


def snapshot() -> tuple[list[tuple], int]:
    units = list(
        AdministrativeUnit.objects.order_by("pk").values_list(
            "code", "name", "level", "parent__code", "valid_from", "valid_to"
        )
    )
    return units, AuditEvent.objects.count()


def test_imports_a_province_with_old_districts_and_reformed_communes(tmp_path: Path) -> None:
    # Given a province, a district closed by the 2025 reform, its commune, and the new
    # commune that reuses the old commune's code from 2025-07-01
    path = write(
        tmp_path,
        "level,code,name,parent_code,valid_from,valid_to\n"  # columns in any order
        "province,38,Tỉnh Thanh Hóa,,,\n"
        "district,380,Thành phố Thanh Hóa,38,,2025-06-30\n"
        "commune,14797,Phường Đông Hải,380,,2025-06-30\n"
        "commune,14797,Phường Hạc Thành,38,2025-07-01,\n",
        bom=True,
    )

    status, out, err = run(path)

    assert (status, err) == (0, "")
    assert out == "import_units: 4 rows: 4 created, 0 updated, 0 unchanged\n"
    assert snapshot()[0] == [
        ("38", "Tỉnh Thanh Hóa", "province", None, None, None),
        ("380", "Thành phố Thanh Hóa", "district", "38", None, date(2025, 6, 30)),
        ("14797", "Phường Đông Hải", "commune", "380", None, date(2025, 6, 30)),
        ("14797", "Phường Hạc Thành", "commune", "38", date(2025, 7, 1), None),
    ]
    event = AuditEvent.objects.get()
    assert (event.event, event.data) == (
        "procedures.units_imported",
        {"file": "units.csv", "rows": 4, "created": 4, "updated": 0, "unchanged": 0},
    )


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + PROVINCE + "380,Thành phố Thanh Hóa,district,38,,2025-06-30\n")
    assert run(path)[0] == 0
    units_before = snapshot()[0]

    status, out, _ = run(path)

    assert status == 0
    assert out == "import_units: 2 rows: 0 created, 0 updated, 2 unchanged\n"
    assert snapshot()[0] == units_before


def test_changed_row_is_refused_without_update_and_applied_with_it(tmp_path: Path) -> None:
    assert run(write(tmp_path, HEADER + PROVINCE))[0] == 0
    renamed = write(tmp_path, HEADER + "38,Tỉnh Thanh Hoá,province,,,\n", name="renamed.csv")
    before = snapshot()

    status, _, err = run(renamed)

    assert status == 1
    assert err.splitlines()[0] == (
        "row 2: code: 38 already exists with other name; use --update to change it"
    )
    assert snapshot() == before

    status, out, _ = run(renamed, "--update")
    assert status == 0
    assert out == "import_units: 1 rows: 0 created, 1 updated, 0 unchanged\n"
    assert AdministrativeUnit.objects.get().name == "Tỉnh Thanh Hoá"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            "code,level,parent_code\n38,province,\n",
            ["row 1: name: missing column"],
            id="missing column",
        ),
        pytest.param(
            "code,name,level,population\n38,Tỉnh Thanh Hóa,province,3700000\n",
            ["row 1: population: unknown column"],
            id="unknown column",
        ),
        pytest.param(
            HEADER + "38,Tỉnh Thanh Hóa,region,,,\n",
            ["row 2: level: 'region' is not one of province, district, commune"],
            id="bad level",
        ),
        pytest.param(
            HEADER + PROVINCE + "380,Thành phố Thanh Hóa,district,40,,\n",
            ["row 3: parent_code: unknown unit 40"],
            id="unknown parent",
        ),
        pytest.param(
            HEADER
            + PROVINCE
            + "14797,Phường Hạc Thành,commune,38,,\n"
            + "380,Thành phố Thanh Hóa,district,14797,,\n",
            [
                "row 4: parent_code: 14797 is a commune; a district's parent must be a province",
            ],
            id="parent of a lower level",
        ),
        pytest.param(
            HEADER + PROVINCE + "38,Tỉnh Thanh Hóa (bản sao),province,,,\n",
            ["row 3: code: 38 repeats row 2"],
            id="duplicate code",
        ),
        pytest.param(
            HEADER + PROVINCE + "380,Thành phố Thanh Hóa,district,38,,30/06/2025\n",
            ["row 3: valid_to: not a date (YYYY-MM-DD): '30/06/2025'"],
            id="bad date",
        ),
        pytest.param(
            HEADER + "38,Tỉnh Thanh Hóa,province,,2025-07-01,2025-06-30\n",
            ["row 2: valid_to: 2025-06-30 is before valid_from 2025-07-01"],
            id="period ends before it starts",
        ),
        pytest.param(
            HEADER + PROVINCE + "14797,Phường Đông Hải,commune,38,,2025-06-30\n"
            "14797,Phường Hạc Thành,commune,38,2025-06-01,\n",
            ["row 4: valid_from: 14797 is also Phường Đông Hải (row 3) during this period"],
            id="code reused in an overlapping period",
        ),
        pytest.param(
            HEADER + "380,Thành phố Thanh Hóa,district,,,\n" + "3,Tỉnh,province,,,\n",
            [
                "row 2: parent_code: required for a district",
                "row 3: code: a province code has exactly 2 digits, not '3'",
            ],
            id="missing parent and bad code length",
        ),
        pytest.param(
            HEADER + PROVINCE + "380,Thành phố Thanh Hóa,district,38\n",
            ["row 3: file: 4 cells where the header has 6"],
            id="short row",
        ),
        pytest.param(
            HEADER + PROVINCE + ",,,,,\n" + "380,,district,38,,\n",
            ["row 4: name: required"],
            id="blank line skipped, empty required cell named",
        ),
    ],
)
def test_bad_file_writes_nothing_and_names_every_problem(
    tmp_path: Path, content: str, expected: list[str]
) -> None:
    before = snapshot()

    status, out, err = run(write(tmp_path, content))

    assert status == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[:-1] == expected
    assert lines[-1] == f"import_units: {len(expected)} problems, nothing imported"
    assert snapshot() == before


def test_a_good_row_is_not_written_when_another_row_is_bad(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + PROVINCE + "380,Thành phố Thanh Hóa,district,38,,2025-13-01\n")

    status, _, err = run(path)

    assert status == 1
    assert "row 3: valid_to: not a date (YYYY-MM-DD): '2025-13-01'" in err
    assert AdministrativeUnit.objects.count() == 0


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")

    status, _, err = run(path)

    assert status == 1
    assert err.splitlines()[0] == "row 1: file: binary content, not CSV text"
    assert snapshot() == ([], 0)


def test_text_in_another_encoding_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    # "Thành phố" as a legacy Windows code page writes it: not UTF-8
    path.write_bytes((HEADER + PROVINCE).encode() + b"380,Th\xe0nh ph\xf4,district,38,,\n")

    status, _, err = run(path)

    assert status == 1
    assert err.splitlines()[0] == "row 3: file: not UTF-8 text"


def test_empty_file_has_no_header(tmp_path: Path) -> None:
    status, _, err = run(write(tmp_path, ""))

    assert status == 1
    assert err.splitlines()[0] == "row 1: header: the file has no header row"


def test_parent_may_already_be_stored(tmp_path: Path) -> None:
    assert run(write(tmp_path, HEADER + PROVINCE))[0] == 0
    path = write(tmp_path, HEADER + "14797,Phường Hạc Thành,commune,38,2025-07-01,\n", name="c.csv")

    assert run(path)[0] == 0
    assert AdministrativeUnit.objects.get(code="14797").parent.code == "38"


def test_child_cannot_outlive_its_closed_parent(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + PROVINCE + "380,Thành phố Thanh Hóa,district,38,,2025-06-30\n"
        "14797,Phường Đông Hải,commune,380,,\n",
    )

    status, _, err = run(path)

    assert status == 1
    assert err.splitlines()[0] == (
        "row 4: valid_to: the unit outlives its parent 380, closed on 2025-06-30"
    )


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no-such\.csv: no such file"):
        call_command("import_units", str(tmp_path / "no-such.csv"))
