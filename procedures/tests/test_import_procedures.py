from decimal import Decimal
from pathlib import Path

import pytest

from portal.models import AuditEvent
from procedures.models import Fee, Procedure, Sector
from tests.commands import run_command, write_csv
from tests.factories import AgencyFactory, UnitFactory

pytestmark = pytest.mark.django_db

HEADER = "code,name,sector,level,time_limit,time_limit_unit,online_level,legacy_level,fee,postal\n"
BIRTH = "1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,full,4,0,true\n"
COPY = "2.000815,Chứng thực bản sao từ bản chính,Chứng thực,commune,0,same_day,,,2000,\n"
RECORD = (
    "2.000488,Cấp Phiếu lý lịch tư pháp,Lý lịch tư pháp,province,10,working_days,partial,3,"
    "200000,false\n"
)


def run(path: Path, *args: str) -> tuple[int, str, str]:
    return run_command("import_procedures", str(path), *args)


def snapshot() -> tuple[list[tuple], list[tuple], list[str], int]:
    procedures = list(
        Procedure.objects.order_by("code").values_list(
            "code",
            "name",
            "sector__name",
            "level",
            "time_limit",
            "time_limit_unit",
            "online_level",
            "legacy_level",
            "postal_intake",
            "postal_return",
            "status",
            "version",
        )
    )
    fees = list(Fee.objects.order_by("procedure__code").values_list("procedure__code", "amount"))
    sectors = list(Sector.objects.order_by("code").values_list("name", flat=True))
    return procedures, fees, sectors, AuditEvent.objects.count()


def test_imports_procedures_with_their_sectors_fees_and_defaults(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER + BIRTH + COPY + RECORD, bom=True)

    status, out, err = run(path)

    assert (status, err) == (0, "")
    assert out == "import_procedures: 3 rows: 3 created, 0 updated, 0 unchanged\n"
    procedures, fees, sectors, _ = snapshot()
    assert procedures == [
        ("1.001193", "Đăng ký khai sinh", "Hộ tịch", "commune", Decimal(0), "same_day",
         "full", 4, True, True, "published", 1),
        ("2.000488", "Cấp Phiếu lý lịch tư pháp", "Lý lịch tư pháp", "province", Decimal(10),
         "working_days", "partial", 3, False, False, "published", 1),
        ("2.000815", "Chứng thực bản sao từ bản chính", "Chứng thực", "commune", Decimal(0),
         "same_day", "none", None, True, True, "published", 1),
    ]  # fmt: skip
    assert fees == [("2.000488", 200000), ("2.000815", 2000)]
    assert sectors == ["Chứng thực", "Hộ tịch", "Lý lịch tư pháp"]
    assert list(Sector.objects.order_by("code").values_list("code", flat=True)) == [
        "chung-thuc",
        "ho-tich",
        "ly-lich-tu-phap",
    ]
    birth = Procedure.objects.get(code="1.001193")
    assert (birth.sort_name, birth.search_text) == (
        "dang ky khai sinh",
        "1.001193 dang ky khai sinh ho tich",
    )
    event = AuditEvent.objects.get()
    assert (event.event, event.data) == (
        "procedures.procedures_imported",
        {"file": "import.csv", "rows": 3, "created": 3, "updated": 0, "unchanged": 0},
    )


def test_reimporting_the_same_file_is_a_no_op(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER + BIRTH + COPY + RECORD)
    assert run(path)[0] == 0
    procedures, fees, sectors, events = snapshot()

    status, out, _ = run(path)

    assert status == 0
    assert out == "import_procedures: 3 rows: 0 created, 0 updated, 3 unchanged\n"
    assert snapshot() == (procedures, fees, sectors, events + 1)


def test_changed_rows_are_refused_without_update_and_applied_with_it(tmp_path: Path) -> None:
    assert run(write_csv(tmp_path, HEADER + COPY + RECORD))[0] == 0
    before = snapshot()
    changed = write_csv(
        tmp_path,
        HEADER
        + "2.000815,Chứng thực bản sao từ bản chính,Chứng thực,commune,0,same_day,,,0,\n"
        + "2.000488,Cấp Phiếu lý lịch tư pháp,Tư pháp,province,12,working_days,full,4,"
        + "250000,true\n",
        name="changed.csv",
    )

    status, _, err = run(changed)

    assert status == 1
    assert err.splitlines() == [
        "row 2: code: 2.000815 already exists with other fee; use --update to change it",
        "row 3: code: 2.000488 already exists with other time_limit, online_level, "
        "legacy_level, sector, fee, postal; use --update to change it",
        "import_procedures: 2 problems, nothing imported",
    ]
    assert snapshot() == before

    status, out, _ = run(changed, "--update")

    assert status == 0
    assert out == "import_procedures: 2 rows: 0 created, 2 updated, 0 unchanged\n"
    procedures, fees, _, _ = snapshot()
    assert procedures == [
        ("2.000488", "Cấp Phiếu lý lịch tư pháp", "Tư pháp", "province", Decimal(12),
         "working_days", "full", 4, True, True, "published", 2),
        ("2.000815", "Chứng thực bản sao từ bản chính", "Chứng thực", "commune", Decimal(0),
         "same_day", "none", None, True, True, "published", 2),
    ]  # fmt: skip
    assert fees == [("2.000488", 250000)]
    assert Procedure.objects.get(code="2.000488").search_text == (
        "2.000488 cap phieu ly lich tu phap tu phap"
    )


def test_a_procedure_with_several_fee_items_keeps_them(tmp_path: Path) -> None:
    assert run(write_csv(tmp_path, HEADER + COPY))[0] == 0
    copy = Procedure.objects.get(code="2.000815")
    Fee.objects.create(procedure=copy, name="Phí chứng thực trang thứ ba trở lên", amount=1000)
    before = snapshot()

    status, _, err = run(write_csv(tmp_path, HEADER + COPY, name="again.csv"), "--update")

    assert status == 1
    assert err.splitlines()[0] == (
        "row 2: fee: 2.000815 has 2 fee items; change them in the administration"
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "code,name,sector,level,time_limit\n" + "1.001193,A,B,commune,1\n",
            ["row 1: time_limit_unit: missing column"],
            id="missing-column",
        ),
        pytest.param(
            HEADER.strip() + ",agency\n" + BIRTH.strip() + ",H56.HT\n",
            ["row 1: agency: unknown column"],
            id="unknown-column",
        ),
        pytest.param(
            HEADER + "1001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,,,,\n",
            ["row 2: code: '1001193' is not a national procedure code like 1.001193"],
            id="bad-code",
        ),
        pytest.param(
            HEADER + "1.001193,,Hộ tịch,commune,0,same_day,,,,\n",
            ["row 2: name: required"],
            id="empty-name",
        ),
        pytest.param(
            HEADER + f"1.001193,{'x' * 501},Hộ tịch,commune,0,same_day,,,,\n",
            ["row 2: name: longer than 500 characters"],
            id="name-too-long",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,,commune,0,same_day,,,,\n",
            ["row 2: sector: required"],
            id="empty-sector",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,ward,0,same_day,,,,\n",
            ["row 2: level: 'ward' is not one of province, district, commune"],
            id="bad-level",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune,ba,working_days,,,,\n",
            ["row 2: time_limit: not a number: 'ba'"],
            id="time-limit-not-a-number",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune,-1,working_days,,,,\n",
            ["row 2: time_limit: must be at least 0"],
            id="negative-time-limit",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune,1.5,working_days,,,,\n",
            ["row 2: time_limit: working_days are whole days; give working_hours instead"],
            id="fractional-days",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune,1,same_day,,,,\n",
            ["row 2: time_limit: 0 with same_day (the result is due the same day)"],
            id="same-day-with-a-limit",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune,1,days,,,,\n",
            [
                "row 2: time_limit_unit: 'days' is not one of working_days, working_hours, "
                "calendar_days, same_day"
            ],
            id="bad-unit",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,level4,,,\n",
            ["row 2: online_level: 'level4' is not one of none, partial, full"],
            id="bad-online-level",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,,5,,\n",
            ["row 2: legacy_level: '5' is not one of 1, 2, 3, 4"],
            id="bad-legacy-level",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,,,-5,\n",
            ["row 2: fee: must be at least 0"],
            id="negative-fee",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,,,8.000,\n",
            ["row 2: fee: not a whole number: '8.000'"],
            id="fee-not-an-integer",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,,,,yes\n",
            ["row 2: postal: 'yes' is not true, false, 1 or 0"],
            id="bad-boolean",
        ),
        pytest.param(
            HEADER + BIRTH + COPY + BIRTH,
            ["row 4: code: 1.001193 repeats row 2"],
            id="duplicate-code",
        ),
        pytest.param(
            HEADER + BIRTH + "1.000894,Đăng ký kết hôn,Hộ Tịch,commune,0,same_day,,,,\n",
            ["row 3: sector: 'Hộ Tịch' differs from 'Hộ tịch' only in form"],
            id="sector-spelt-differently",
        ),
        pytest.param(
            HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune\n",
            ["row 2: file: 4 cells where the header has 10"],
            id="short-row",
        ),
    ],
)
def test_bad_files_are_refused_whole(tmp_path: Path, text: str, expected: list[str]) -> None:
    # A good row first: nothing of it may be written either.
    run(write_csv(tmp_path, HEADER + RECORD, name="first.csv"))
    before = snapshot()

    status, out, err = run(write_csv(tmp_path, text))

    assert (status, out) == (1, "")
    lines = err.splitlines()
    assert lines[:-1] == expected
    assert lines[-1] == f"import_procedures: {len(expected)} problems, nothing imported"
    assert snapshot() == before


def test_every_problem_of_the_file_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        HEADER
        + "1.00119,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,,,,\n"
        + "1.000894,Đăng ký kết hôn,Hộ tịch,xa,0,same_day,,,-1,\n"
    )

    status, _, err = run(write_csv(tmp_path, text))

    assert status == 1
    assert err.splitlines() == [
        "row 2: code: '1.00119' is not a national procedure code like 1.001193",
        "row 3: fee: must be at least 0",
        "row 3: level: 'xa' is not one of province, district, commune",
        "import_procedures: 3 problems, nothing imported",
    ]
    assert Procedure.objects.count() == 0


def test_binary_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    binary = tmp_path / "catalogue.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00" + bytes(64))
    legacy = tmp_path / "catalogue.csv"
    legacy.write_bytes(
        HEADER.encode()
        + b"1.001193,\xd0\xe3ng k\xfd khai sinh"  # "Đăng ký" in Windows-1258
        + b"\n"
    )

    assert run(binary)[0:2] == (1, "")
    assert run(binary)[2].splitlines()[0] == "row 1: file: binary content, not CSV text"
    assert run(legacy)[2].splitlines()[0] == "row 2: file: not UTF-8 text"
    assert Procedure.objects.count() == 0


AGENCY_HEADER = "code,name,sector,level,time_limit,time_limit_unit,agencies\n"


def agencies_of(code: str) -> list[str]:
    procedure = Procedure.objects.get(code=code)
    return list(procedure.agencies.order_by("code").values_list("code", flat=True))


@pytest.fixture
def agencies() -> None:
    unit = UnitFactory(code="38")
    for code in ("H56.HT", "H56.101", "000.00.16.H56"):
        AgencyFactory(code=code, unit=unit)


@pytest.mark.usefixtures("agencies")
def test_agencies_column_sets_who_settles_a_procedure(tmp_path: Path) -> None:
    text = AGENCY_HEADER + "1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,H56.HT; H56.101\n"

    status, out, _ = run(write_csv(tmp_path, text))

    assert (status, out) == (0, "import_procedures: 1 rows: 1 created, 0 updated, 0 unchanged\n")
    assert agencies_of("1.001193") == ["H56.101", "H56.HT"]


@pytest.mark.usefixtures("agencies")
def test_the_same_agencies_in_another_order_are_unchanged(tmp_path: Path) -> None:
    row = "1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,"
    assert run(write_csv(tmp_path, AGENCY_HEADER + row + "H56.HT;H56.101\n"))[0] == 0
    before = snapshot()

    status, out, _ = run(
        write_csv(tmp_path, AGENCY_HEADER + row + "H56.101;H56.HT\n", name="b.csv")
    )

    assert (status, out) == (0, "import_procedures: 1 rows: 0 created, 0 updated, 1 unchanged\n")
    assert snapshot()[:3] == before[:3]
    assert agencies_of("1.001193") == ["H56.101", "H56.HT"]


@pytest.mark.usefixtures("agencies")
def test_other_agencies_are_refused_without_update_and_replace_the_list_with_it(
    tmp_path: Path,
) -> None:
    row = "1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,"
    assert run(write_csv(tmp_path, AGENCY_HEADER + row + "H56.HT;H56.101\n"))[0] == 0
    before = snapshot()
    changed = write_csv(tmp_path, AGENCY_HEADER + row + "000.00.16.H56\n", name="changed.csv")

    status, _, err = run(changed)

    assert status == 1
    assert err.splitlines() == [
        "row 2: code: 1.001193 already exists with other agencies; use --update to change it",
        "import_procedures: 1 problems, nothing imported",
    ]
    assert snapshot() == before
    assert agencies_of("1.001193") == ["H56.101", "H56.HT"]

    status, out, _ = run(changed, "--update")

    assert (status, out) == (0, "import_procedures: 1 rows: 0 created, 1 updated, 0 unchanged\n")
    assert agencies_of("1.001193") == ["000.00.16.H56"]
    assert Procedure.objects.get().version == 2


@pytest.mark.usefixtures("agencies")
def test_without_agencies_the_stored_list_stays(tmp_path: Path) -> None:
    row = "1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,"
    assert run(write_csv(tmp_path, AGENCY_HEADER + row + "H56.HT\n"))[0] == 0

    empty_cell = run(write_csv(tmp_path, AGENCY_HEADER + row + "\n", name="empty.csv"))
    no_column = run(write_csv(tmp_path, HEADER + BIRTH, name="none.csv"), "--update")

    assert empty_cell[:2] == (0, "import_procedures: 1 rows: 0 created, 0 updated, 1 unchanged\n")
    assert no_column[0] == 0
    assert agencies_of("1.001193") == ["H56.HT"]


@pytest.mark.usefixtures("agencies")
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("H56.HT;H56.XX", ["row 2: agencies: unknown agency H56.XX"]),
        ("H56.HT;H56.101;H56.HT", ["row 2: agencies: H56.HT is listed twice"]),
    ],
    ids=["unknown-agency", "agency-twice"],
)
def test_bad_agencies_are_refused(tmp_path: Path, cell: str, expected: list[str]) -> None:
    run(write_csv(tmp_path, HEADER + RECORD, name="first.csv"))
    before = snapshot()
    links = Procedure.agencies.through.objects.count()
    text = AGENCY_HEADER + f"1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,{cell}\n"

    status, _, err = run(write_csv(tmp_path, text))

    assert status == 1
    assert err.splitlines()[:-1] == expected
    assert snapshot() == before
    assert Procedure.agencies.through.objects.count() == links


def test_check_reports_the_summary_and_writes_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER + BIRTH + COPY)

    status, out, _ = run(path, "--check")

    assert (status, out) == (
        0,
        "import_procedures: no problems, nothing written (--check): "
        "2 rows: 2 created, 0 updated, 0 unchanged\n",
    )
    assert snapshot() == ([], [], [], 0)
