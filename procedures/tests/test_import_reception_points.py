from datetime import date
from pathlib import Path

import pytest

from portal.models import AuditEvent
from procedures.models import AdministrativeUnit, Agency, ReceptionPoint
from tests.commands import run_command, write_csv

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,unit_code,agencies,address,phone,counters,valid_from,valid_to\n"
PROVINCIAL = (
    "TTPVHCC,Trung tâm Phục vụ hành chính công tỉnh,provincial_centre,38,"
    "000.00.16.H56;000.00.38.H56,25 Trần Phú,02373123456,12,,\n"
)
WARD = (
    "HAC-THANH,Trung tâm phục vụ hành chính công phường Hạc Thành,commune_centre,14797,"
    "H56.101,,,,,\n"
)
REFORM_EVE = date(2025, 6, 30)
REFORM_DAY = date(2025, 7, 1)


@pytest.fixture(autouse=True)
def organisation() -> None:
    """The province and its two agencies, a district closed by the 2025 reform, and the
    ward code 14797 and committee code H56.101, each held by the old ward until the reform
    and by the new one since."""
    province = AdministrativeUnit.objects.create(code="38", name="Tỉnh Thanh Hóa", level="province")
    district = AdministrativeUnit.objects.create(
        code="380",
        name="Thành phố Thanh Hóa",
        level="district",
        parent=province,
        valid_to=REFORM_EVE,
    )
    old_ward = AdministrativeUnit.objects.create(
        code="14797", name="Phường Đông Hải", level="commune", parent=district, valid_to=REFORM_EVE
    )
    new_ward = AdministrativeUnit.objects.create(
        code="14797",
        name="Phường Hạc Thành",
        level="commune",
        parent=province,
        valid_from=REFORM_DAY,
    )
    committee = Agency.objects.create(code="000.00.16.H56", name="UBND tỉnh", unit=province)
    Agency.objects.create(code="000.00.38.H56", name="Sở Tư pháp", unit=province, parent=committee)
    Agency.objects.create(
        code="H56.101", name="UBND phường Đông Hải", unit=old_ward, valid_to=REFORM_EVE
    )
    Agency.objects.create(
        code="H56.101", name="UBND phường Hạc Thành", unit=new_ward, valid_from=REFORM_DAY
    )


def write(tmp_path: Path, text: str, *, name: str = "points.csv", bom: bool = False) -> Path:
    return write_csv(tmp_path, text, name=name, bom=bom)


def run(path: Path, *args: str) -> tuple[int, str, str]:
    return run_command("import_reception_points", str(path), *args)


def snapshot() -> tuple[list[tuple], list[tuple], list[tuple]]:
    points = list(
        ReceptionPoint.objects.order_by("pk").values_list(
            "code", "name", "kind", "unit__code", "unit__name", "address", "phone", "counters",
            "valid_from", "valid_to",
        )
    )  # fmt: skip
    served = list(
        ReceptionPoint.agencies.through.objects.order_by(
            "receptionpoint__code", "agency__code", "agency__valid_from"
        ).values_list("receptionpoint__code", "agency__code", "agency__name")
    )
    events = list(AuditEvent.objects.order_by("pk").values_list("event", "data"))
    return points, served, events


def test_imports_reception_points_with_the_agencies_they_serve(tmp_path: Path) -> None:
    # Given the provincial centre, the new ward's centre (codes held by whoever holds them
    # while the point is open) and the old ward's desk, closed by the reform
    path = write(
        tmp_path,
        "unit_code,code,kind,name,counters,agencies,phone,address,valid_to,valid_from\n"
        "38,TTPVHCC,provincial_centre,Trung tâm Phục vụ hành chính công tỉnh,12,"
        "000.00.16.H56;000.00.38.H56,02373123456,25 Trần Phú,,\n"
        "14797,HAC-THANH,commune_centre,Trung tâm phường Hạc Thành,,H56.101,,,,2025-07-01\n"
        "14797,DONG-HAI,reception_desk,Bộ phận một cửa phường Đông Hải,2, H56.101 ,,,"
        "2025-06-30,\n",
        bom=True,
    )

    # When it is imported
    status, out, err = run(path)

    # Then each point is stored with its unit, its counters (1 by default) and its agencies
    assert (status, err) == (0, "")
    assert out == "import_reception_points: 3 rows: 3 created, 0 updated, 0 unchanged\n"
    assert snapshot() == (
        [
            ("TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh", "provincial_centre", "38",
             "Tỉnh Thanh Hóa", "25 Trần Phú", "02373123456", 12, None, None),
            ("HAC-THANH", "Trung tâm phường Hạc Thành", "commune_centre", "14797",
             "Phường Hạc Thành", "", "", 1, REFORM_DAY, None),
            ("DONG-HAI", "Bộ phận một cửa phường Đông Hải", "reception_desk", "14797",
             "Phường Đông Hải", "", "", 2, None, REFORM_EVE),
        ],
        [
            ("DONG-HAI", "H56.101", "UBND phường Đông Hải"),
            ("HAC-THANH", "H56.101", "UBND phường Hạc Thành"),
            ("TTPVHCC", "000.00.16.H56", "UBND tỉnh"),
            ("TTPVHCC", "000.00.38.H56", "Sở Tư pháp"),
        ],
        [
            (
                "procedures.reception_points_imported",
                {"file": "points.csv", "rows": 3, "created": 3, "updated": 0, "unchanged": 0},
            )
        ],
    )  # fmt: skip


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    # Given an imported file
    path = write(tmp_path, HEADER + PROVINCIAL + WARD)
    assert run(path)[0] == 0
    points, served, _ = snapshot()

    # When the same file is imported again
    status, out, err = run(path)

    # Then every row is unchanged
    assert (status, err) == (0, "")
    assert out == "import_reception_points: 2 rows: 0 created, 0 updated, 2 unchanged\n"
    assert snapshot()[:2] == (points, served)


def test_changed_row_is_refused_without_update_and_applied_with_it(tmp_path: Path) -> None:
    # Given the provincial centre serving the committee and the department
    assert run(write(tmp_path, HEADER + PROVINCIAL + WARD))[0] == 0
    changed = write(
        tmp_path,
        HEADER + "TTPVHCC,Trung tâm Phục vụ hành chính công tỉnh,provincial_centre,38,"
        "000.00.38.H56;H56.101,25 Trần Phú,02373123456,14,,\n" + WARD,
        name="changed.csv",
    )
    before = snapshot()

    # When a file gives it more counters and another list of agencies, without --update
    status, out, err = run(changed)

    # Then the file is refused, naming what differs, and nothing changes
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        "row 2: code: TTPVHCC already exists with other counters, agencies; "
        "use --update to change it",
        "import_reception_points: 1 problems, nothing imported",
    ]
    assert snapshot() == before

    # When it is imported with --update
    status, out, err = run(changed, "--update")

    # Then the counters change and the list replaces the stored one
    assert (status, err) == (0, "")
    assert out == "import_reception_points: 2 rows: 0 created, 1 updated, 1 unchanged\n"
    points, served, _ = snapshot()
    assert points[0][7] == 14
    assert served == [
        ("HAC-THANH", "H56.101", "UBND phường Hạc Thành"),
        ("TTPVHCC", "000.00.38.H56", "Sở Tư pháp"),
        ("TTPVHCC", "H56.101", "UBND phường Hạc Thành"),
    ]


def test_update_with_an_empty_list_leaves_the_point_serving_no_agency(tmp_path: Path) -> None:
    assert run(write(tmp_path, HEADER + WARD))[0] == 0
    emptied = WARD.replace("H56.101", "")

    status, out, _ = run(write(tmp_path, HEADER + emptied, name="emptied.csv"), "--update")

    assert status == 0
    assert out == "import_reception_points: 1 rows: 0 created, 1 updated, 0 unchanged\n"
    assert snapshot()[1] == []


def test_check_writes_nothing_but_prints_the_summary(tmp_path: Path) -> None:
    # Given a good file
    path = write(tmp_path, HEADER + PROVINCIAL + WARD)

    # When it is only checked
    status, out, err = run(path, "--check")

    # Then the summary says what would happen, and nothing is stored
    assert (status, err) == (0, "")
    assert out == (
        "import_reception_points: no problems, nothing written (--check): "
        "2 rows: 2 created, 0 updated, 0 unchanged\n"
    )
    assert snapshot() == ([], [], [])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            HEADER + WARD.replace("HAC-THANH", "HAC THANH"),
            ["row 2: code: 'HAC THANH': only letters, digits and '-'"],
            id="bad code",
        ),
        pytest.param(
            HEADER + WARD.replace("commune_centre", "ward_centre"),
            [
                "row 2: kind: 'ward_centre' is not one of provincial_centre, commune_centre, "
                "reception_desk"
            ],
            id="bad kind",
        ),
        pytest.param(
            HEADER + WARD.replace(",14797,", ",40,"),
            ["row 2: unit_code: unknown unit 40"],
            id="unknown unit",
        ),
        pytest.param(
            HEADER + "TP-THANH-HOA,Bộ phận một cửa,reception_desk,380,,,,,2025-07-01,\n",
            ["row 2: unit_code: no unit 380 in force while the point is"],
            id="unit code held by no unit while the point is open",
        ),
        pytest.param(
            HEADER + WARD.replace("H56.101", "H56.101;000.00.99.H56"),
            ["row 2: agencies: unknown agency 000.00.99.H56"],
            id="unknown agency in the list",
        ),
        pytest.param(
            HEADER + WARD.replace("H56.101", "H56.101;000.00.38.H56; H56.101"),
            ["row 2: agencies: H56.101 is listed twice"],
            id="agency listed twice",
        ),
        pytest.param(
            HEADER + WARD.replace(",,,,,\n", ",,,0,,\n"),
            ["row 2: counters: must be at least 1"],
            id="no counter",
        ),
        pytest.param(
            HEADER + WARD.replace(",,,,,\n", ",,,hai,,\n"),
            ["row 2: counters: not a whole number: 'hai'"],
            id="counters not a number",
        ),
        pytest.param(
            HEADER + WARD.replace(",,,,,\n", ",,,1000,,\n"),
            ["row 2: counters: at most 999"],
            id="too many counters",
        ),
        pytest.param(
            HEADER + WARD + WARD.replace("Trung tâm", "Bản sao trung tâm"),
            ["row 3: code: HAC-THANH repeats row 2"],
            id="duplicate code",
        ),
        pytest.param(
            HEADER + WARD.replace(",,,,,\n", ",,,,2025-07-01,2025-06-30\n"),
            ["row 2: valid_to: 2025-06-30 is before valid_from 2025-07-01"],
            id="period ends before it starts",
        ),
        pytest.param(
            HEADER + ",,commune_centre,14797,,,,,,\n",
            ["row 2: code: required", "row 2: name: required"],
            id="missing code and name",
        ),
        pytest.param(
            "code,name,kind,unit_code,opening_hours\n"
            "HAC-THANH,Trung tâm,commune_centre,14797,7:30\n",
            ["row 1: opening_hours: unknown column"],
            id="unknown column",
        ),
    ],
)
def test_bad_file_writes_nothing_and_names_every_problem(
    tmp_path: Path, content: str, expected: list[str]
) -> None:
    # Given the provincial centre already stored
    assert run(write(tmp_path, HEADER + PROVINCIAL, name="stored.csv"))[0] == 0
    before = snapshot()

    # When a bad file is imported
    status, out, err = run(write(tmp_path, content))

    # Then every problem is named, and nothing is written
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        *expected,
        f"import_reception_points: {len(expected)} problems, nothing imported",
    ]
    assert snapshot() == before
