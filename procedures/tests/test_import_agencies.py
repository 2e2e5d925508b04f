from datetime import date
from pathlib import Path

import pytest

from portal.models import AuditEvent
from procedures.models import AdministrativeUnit, Agency
from tests.commands import run_command, write_csv

pytestmark = pytest.mark.django_db

HEADER = "code,name,unit_code,parent_code,valid_from,valid_to\n"
PEOPLES_COMMITTEE = "000.00.16.H56,UBND tỉnh Thanh Hóa,38,,,\n"
JUSTICE = "000.00.38.H56,Sở Tư pháp,38,000.00.16.H56,,\n"
REFORM_EVE = date(2025, 6, 30)
REFORM_DAY = date(2025, 7, 1)


@pytest.fixture(autouse=True)
def units() -> None:
    """A province, a district closed by the 2025 reform, its old commune and the new
    commune that took the old commune's code 14797 on 2025-07-01."""
    province = AdministrativeUnit.objects.create(code="38", name="Tỉnh Thanh Hóa", level="province")
    district = AdministrativeUnit.objects.create(
        code="380",
        name="Thành phố Thanh Hóa",
        level="district",
        parent=province,
        valid_to=REFORM_EVE,
    )
    AdministrativeUnit.objects.create(
        code="14797", name="Phường Đông Hải", level="commune", parent=district, valid_to=REFORM_EVE
    )
    AdministrativeUnit.objects.create(
        code="14797",
        name="Phường Hạc Thành",
        level="commune",
        parent=province,
        valid_from=REFORM_DAY,
    )


def write(tmp_path: Path, text: str, *, name: str = "agencies.csv", bom: bool = False) -> Path:
    return write_csv(tmp_path, text, name=name, bom=bom)


def run(path: Path, *args: str) -> tuple[int, str, str]:
    return run_command("import_agencies", str(path), *args)


def snapshot() -> tuple[list[tuple], list[tuple]]:
    agencies = list(
        Agency.objects.order_by("pk").values_list(
            "code", "name", "unit__code", "unit__name", "parent__code", "valid_from", "valid_to"
        )
    )
    events = list(AuditEvent.objects.order_by("pk").values_list("event", "data"))
    return agencies, events


def test_imports_agencies_with_parents_and_a_code_passed_on_by_the_reform(tmp_path: Path) -> None:
    # Given the province's committee, a department under it (listed first, so its parent
    # comes later in the file), and the ward committee code H56.101 held by Đông Hải's
    # committee until the reform, then by Hạc Thành's
    path = write(
        tmp_path,
        "valid_to,parent_code,name,code,unit_code,valid_from\n"  # columns in any order
        "2025-06-30,,UBND phường Đông Hải,H56.101,14797,\n"
        ",000.00.16.H56,Sở Tư pháp,000.00.38.H56,38,\n"
        ",,UBND tỉnh Thanh Hóa,000.00.16.H56,38,\n"
        ",000.00.16.H56,UBND phường Hạc Thành,H56.101,14797,2025-07-01\n",
        bom=True,
    )

    # When it is imported
    status, out, err = run(path)

    # Then each agency belongs to the unit holding its unit_code while it is valid
    assert (status, err) == (0, "")
    assert out == "import_agencies: 4 rows: 4 created, 0 updated, 0 unchanged\n"
    assert snapshot() == (
        [
            ("H56.101", "UBND phường Đông Hải", "14797", "Phường Đông Hải", None, None,
             REFORM_EVE),
            ("000.00.38.H56", "Sở Tư pháp", "38", "Tỉnh Thanh Hóa", "000.00.16.H56", None, None),
            ("000.00.16.H56", "UBND tỉnh Thanh Hóa", "38", "Tỉnh Thanh Hóa", None, None, None),
            ("H56.101", "UBND phường Hạc Thành", "14797", "Phường Hạc Thành", "000.00.16.H56",
             REFORM_DAY, None),
        ],
        [
            (
                "procedures.agencies_imported",
                {"file": "agencies.csv", "rows": 4, "created": 4, "updated": 0, "unchanged": 0},
            )
        ],
    )  # fmt: skip


def test_an_agency_without_dates_belongs_to_the_latest_holder_of_the_unit_code(
    tmp_path: Path,
) -> None:
    # Given an agency valid at all times, named by a unit code held by two units in turn
    path = write(tmp_path, HEADER + "H56.101,UBND phường,14797,,,\n")

    # When it is imported
    assert run(path)[:2] == (0, "import_agencies: 1 rows: 1 created, 0 updated, 0 unchanged\n")

    # Then it belongs to the unit holding the code last
    assert Agency.objects.get().unit.name == "Phường Hạc Thành"


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    # Given an imported file
    path = write(tmp_path, HEADER + PEOPLES_COMMITTEE + JUSTICE)
    assert run(path)[0] == 0
    agencies_before = snapshot()[0]

    # When the same file is imported again
    status, out, err = run(path)

    # Then every row is unchanged
    assert (status, err) == (0, "")
    assert out == "import_agencies: 2 rows: 0 created, 0 updated, 2 unchanged\n"
    assert snapshot()[0] == agencies_before


def test_a_parent_may_already_be_stored(tmp_path: Path) -> None:
    # Given the province's committee already imported
    assert run(write(tmp_path, HEADER + PEOPLES_COMMITTEE))[0] == 0

    # When a file names it as the parent of a new department
    status, out, _ = run(write(tmp_path, HEADER + JUSTICE, name="justice.csv"))

    # Then the department hangs under the stored agency
    assert status == 0
    assert out == "import_agencies: 1 rows: 1 created, 0 updated, 0 unchanged\n"
    assert Agency.objects.get(code="000.00.38.H56").parent.code == "000.00.16.H56"


def test_changed_row_is_refused_without_update_and_applied_with_it(tmp_path: Path) -> None:
    # Given the committee and the department imported
    assert run(write(tmp_path, HEADER + PEOPLES_COMMITTEE + JUSTICE))[0] == 0
    changed = write(
        tmp_path,
        HEADER + PEOPLES_COMMITTEE + "000.00.38.H56,Sở Tư pháp tỉnh Thanh Hóa,38,,,\n",
        name="changed.csv",
    )
    before = snapshot()

    # When the department is renamed and detached without --update
    status, out, err = run(changed)

    # Then the file is refused, naming what differs, and nothing changes
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        "row 3: code: 000.00.38.H56 already exists with other name, parent_code; "
        "use --update to change it",
        "import_agencies: 1 problems, nothing imported",
    ]
    assert snapshot() == before

    # When it is imported with --update
    status, out, err = run(changed, "--update")

    # Then the department is changed and the committee left alone
    assert (status, err) == (0, "")
    assert out == "import_agencies: 2 rows: 0 created, 1 updated, 1 unchanged\n"
    assert snapshot()[0] == [
        ("000.00.16.H56", "UBND tỉnh Thanh Hóa", "38", "Tỉnh Thanh Hóa", None, None, None),
        ("000.00.38.H56", "Sở Tư pháp tỉnh Thanh Hóa", "38", "Tỉnh Thanh Hóa", None, None, None),
    ]


def test_closing_a_stored_agency_and_passing_its_code_on_in_one_file(tmp_path: Path) -> None:
    # Given the ward committee H56.101 stored without an end
    assert run(write(tmp_path, HEADER + "H56.101,UBND phường Đông Hải,14797,,,\n"))[0] == 0

    # When one file closes it on the reform's eve and gives the code to the new ward's
    path = write(
        tmp_path,
        HEADER + "H56.101,UBND phường Đông Hải,14797,,,2025-06-30\n"
        "H56.101,UBND phường Hạc Thành,14797,,2025-07-01,\n",
        name="reform.csv",
    )
    status, out, err = run(path, "--update")

    # Then both holders are stored, each with the unit of its own period
    assert (status, err) == (0, "")
    assert out == "import_agencies: 2 rows: 1 created, 1 updated, 0 unchanged\n"
    assert snapshot()[0] == [
        ("H56.101", "UBND phường Đông Hải", "14797", "Phường Đông Hải", None, None, REFORM_EVE),
        ("H56.101", "UBND phường Hạc Thành", "14797", "Phường Hạc Thành", None, REFORM_DAY, None),
    ]


def test_check_writes_nothing_but_prints_the_summary(tmp_path: Path) -> None:
    # Given a good file
    path = write(tmp_path, HEADER + PEOPLES_COMMITTEE + JUSTICE)

    # When it is only checked
    status, out, err = run(path, "--check")

    # Then the summary says what would happen, and nothing is stored
    assert (status, err) == (0, "")
    assert out == (
        "import_agencies: no problems, nothing written (--check): "
        "2 rows: 2 created, 0 updated, 0 unchanged\n"
    )
    assert snapshot() == ([], [])


def test_check_reports_the_problems_of_a_bad_file(tmp_path: Path) -> None:
    status, out, err = run(write(tmp_path, HEADER + "000.00.16.H56,UBND,40,,,\n"), "--check")

    assert (status, out) == (1, "")
    assert err.splitlines() == [
        "row 2: unit_code: unknown unit 40",
        "import_agencies: 1 problems, nothing imported",
    ]
    assert snapshot() == ([], [])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            HEADER + "H56-101,UBND phường Hạc Thành,14797,,,\n",
            ["row 2: code: 'H56-101' is not an identifier code like 000.00.16.H56 or H56.101"],
            id="bad code",
        ),
        pytest.param(
            HEADER + "000.00.16.H40,UBND tỉnh Nghệ An,40,,,\n",
            ["row 2: unit_code: unknown unit 40"],
            id="unknown unit",
        ),
        pytest.param(
            HEADER + "H56.380,UBND thành phố Thanh Hóa,380,,2025-07-01,\n",
            ["row 2: unit_code: no unit 380 in force while the agency is"],
            id="unit code held only outside the agency's validity",
        ),
        pytest.param(
            HEADER + "000.00.38.H56,Sở Tư pháp,38,000.00.99.H56,,\n",
            ["row 2: parent_code: unknown agency 000.00.99.H56"],
            id="unknown parent",
        ),
        pytest.param(
            HEADER
            + PEOPLES_COMMITTEE
            + "H56.101,UBND phường Hạc Thành,14797,H56.380,2025-07-01,\n",
            ["row 3: parent_code: unknown agency H56.380 on 2025-07-01"],
            id="unknown parent on the agency's first day",
        ),
        pytest.param(
            HEADER + "000.00.38.H56,Sở Tư pháp,38,000.00.38.H56,,\n",
            ["row 2: parent_code: an agency is not its own parent"],
            id="its own parent",
        ),
        pytest.param(
            HEADER + "000.00.37.H56,Sở Nội vụ,38,000.00.38.H56,,\n"
            "000.00.38.H56,Sở Tư pháp,38,000.00.37.H56,,\n",
            [
                "row 2: parent_code: 000.00.37.H56 would be its own ancestor",
                "row 3: parent_code: 000.00.38.H56 would be its own ancestor",
            ],
            id="parent cycle",
        ),
        pytest.param(
            HEADER + PEOPLES_COMMITTEE + "000.00.16.H56,UBND tỉnh (bản sao),38,,,\n",
            ["row 3: code: 000.00.16.H56 repeats row 2"],
            id="duplicate code",
        ),
        pytest.param(
            HEADER + "H56.101,UBND phường Đông Hải,14797,,,2025-06-30\n"
            "H56.101,UBND phường Hạc Thành,14797,,2025-06-01,\n",
            ["row 3: valid_from: H56.101 is also UBND phường Đông Hải (row 2) during this period"],
            id="code reused with overlapping validity",
        ),
        pytest.param(
            HEADER + "H56.101,UBND phường Hạc Thành,14797,,2025-07-01,2025-06-30\n",
            ["row 2: valid_to: 2025-06-30 is before valid_from 2025-07-01"],
            id="period ends before it starts",
        ),
        pytest.param(
            HEADER + "000.00.16.H56,,38,,01/07/2025,\n",
            ["row 2: name: required", "row 2: valid_from: not a date (YYYY-MM-DD): '01/07/2025'"],
            id="missing name and bad date",
        ),
        pytest.param(
            "code,name,unit_code,province\n000.00.16.H56,UBND tỉnh,38,Thanh Hóa\n",
            ["row 1: province: unknown column"],
            id="unknown column",
        ),
        pytest.param(
            "code,name\n000.00.16.H56,UBND tỉnh\n",
            ["row 1: unit_code: missing column"],
            id="missing column",
        ),
    ],
)
def test_bad_file_writes_nothing_and_names_every_problem(
    tmp_path: Path, content: str, expected: list[str]
) -> None:
    # Given the committee already stored
    assert run(write(tmp_path, HEADER + PEOPLES_COMMITTEE, name="stored.csv"))[0] == 0
    before = snapshot()

    # When a bad file is imported
    status, out, err = run(write(tmp_path, content))

    # Then every problem is named, and nothing is written
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        *expected,
        f"import_agencies: {len(expected)} problems, nothing imported",
    ]
    assert snapshot() == before


def test_code_reused_over_a_stored_holder_is_refused(tmp_path: Path) -> None:
    # Given H56.101 stored without an end
    assert run(write(tmp_path, HEADER + "H56.101,UBND phường Đông Hải,14797,,,\n"))[0] == 0
    before = snapshot()

    # When a file gives the code to a new agency from the reform without closing the old one
    path = write(
        tmp_path, HEADER + "H56.101,UBND phường Hạc Thành,14797,,2025-07-01,\n", name="n.csv"
    )
    status, _, err = run(path)

    # Then the new row is refused against the stored holder
    assert status == 1
    assert err.splitlines() == [
        "row 2: valid_from: H56.101 is also UBND phường Đông Hải (a stored agency) during this "
        "period",
        "import_agencies: 1 problems, nothing imported",
    ]
    assert snapshot() == before


def test_the_admin_refuses_an_identifier_held_by_another_agency_at_the_time() -> None:
    from django.core.exceptions import ValidationError
    from django.utils import translation

    province = AdministrativeUnit.objects.create(code="40", name="Tỉnh Nghệ An", level="province")
    Agency.objects.create(code="H40.101", name="UBND cũ", unit=province, valid_to=date(2025, 6, 30))
    overlapping = Agency(
        code="H40.101", name="UBND mới", unit=province, valid_from=date(2025, 6, 1)
    )
    after = Agency(code="H40.101", name="UBND mới", unit=province, valid_from=date(2025, 7, 1))

    with translation.override("vi"):
        with pytest.raises(ValidationError) as refused:
            overlapping.full_clean()
        after.full_clean()

        assert refused.value.message_dict == {
            "code": ["Mã định danh này đang thuộc một cơ quan khác trong thời gian này."]
        }
