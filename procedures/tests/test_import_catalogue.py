import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

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
from tests.commands import run_command

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "catalogue"
CATALOGUE = {
    "procedures.csv": (
        "code,name,sector,level,time_limit,time_limit_unit,fee,agencies,legal_basis\n"
        "1.001193,Đăng ký khai sinh,Hộ tịch,commune,0,same_day,0,H56.HT,Luật Hộ tịch 2014\n"
        "1.004222,Đăng ký thường trú,Cư trú,commune,7,working_days,20000,H56.HT,\n"
    ),
    "papers.csv": (
        "procedure_code,position,name,copy_type,count,required,note\n"
        "1.001193,1,Tờ khai đăng ký khai sinh,original,1,true,\n"
        "1.001193,2,Giấy chứng sinh,original,1,true,\n"
        "1.004222,1,Tờ khai thay đổi thông tin cư trú,original,,,\n"
    ),
    "fees.csv": (
        "procedure_code,position,kind,name,amount,exemptions\n"
        "1.004222,1,charge,Lệ phí đăng ký thường trú,20000,Nộp trực tuyến: 10.000 đồng\n"
    ),
    "steps.csv": (
        "procedure_code,position,name,responsible,budget_hours\n"
        "1.001193,1,Tiếp nhận hồ sơ,Bộ phận Một cửa,1\n"
        "1.001193,2,Ký Giấy khai sinh,Lãnh đạo UBND xã,2.5\n"
    ),
    "groups.csv": (
        "code,name,time_limit,time_limit_unit,legal_basis,procedure_code,position\n"
        "BIRTH_GROUP,Liên thông khai sinh,3,working_days,Nghị định 63/2024/NĐ-CP,1.001193,1\n"
        "BIRTH_GROUP,,,,,1.004222,2\n"
    ),
}
STORED = {
    "procedures.csv": (
        "code,name,sector,level,time_limit,time_limit_unit,fee\n"
        "2.000815,Chứng thực bản sao từ bản chính,Chứng thực,commune,0,same_day,2000\n"
    ),
    "papers.csv": (
        "procedure_code,position,name,copy_type\n2.000815,1,Bản chính giấy tờ,original\n"
    ),
}


@pytest.fixture(autouse=True)
def agencies() -> None:
    province = AdministrativeUnit.objects.create(code="38", name="Tỉnh Thanh Hóa", level="province")
    commune = AdministrativeUnit.objects.create(
        code="14797",
        name="Phường Hạc Thành",
        level="commune",
        parent=province,
        valid_from=date(2025, 7, 1),
    )
    Agency.objects.create(code="H56.HT", name="UBND phường Hạc Thành", unit=commune)
    Agency.objects.create(code="H56.101", name="UBND xã Thử", unit=commune)


def write_dir(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[int, str, str]:
    return run_command("import_catalogue", str(path), *args)


def snapshot() -> dict[str, object]:
    """Every table the import writes, in full."""
    return {
        "procedures": list(
            Procedure.objects.order_by("code").values_list(
                "code",
                "name",
                "sector__name",
                "time_limit",
                "legal_basis",
                "postal_intake",
                "postal_return",
                "status",
                "version",
            )
        ),
        "agencies": sorted(
            Procedure.agencies.through.objects.values_list("procedure__code", "agency__code")
        ),
        "papers": list(
            Component.objects.order_by("procedure__code", "position").values_list(
                "procedure__code", "position", "name", "copy_type", "count", "required", "note"
            )
        ),
        "fees": list(
            Fee.objects.order_by("procedure__code", "position").values_list(
                "procedure__code", "position", "kind", "name", "amount", "exemptions"
            )
        ),
        "steps": list(
            Step.objects.order_by("procedure__code", "position").values_list(
                "procedure__code", "position", "name", "responsible", "budget_hours"
            )
        ),
        "groups": list(
            InterconnectionGroup.objects.values_list("code", "name", "time_limit", "legal_basis")
        ),
        "members": list(
            InterconnectionMember.objects.order_by("group__code", "position").values_list(
                "group__code", "procedure__code", "position"
            )
        ),
        "sectors": list(Sector.objects.order_by("name").values_list("name", flat=True)),
        "audit": AuditEvent.objects.count(),
    }


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Procedure,
            Procedure.agencies.through,
            Component,
            Fee,
            Step,
            InterconnectionGroup,
            InterconnectionMember,
            Sector,
            AuditEvent,
        )
    )


def test_the_example_directory_loads_into_an_empty_catalogue() -> None:
    status, out, err = run(EXAMPLE)

    assert (status, err) == (0, "")
    assert out == (
        "import_catalogue: procedures.csv: 12 rows: 12 created, 0 updated, 0 unchanged; "
        "papers.csv: 32 rows: 32 created, 0 updated, 0 unchanged; "
        "fees.csv: 10 rows: 10 created, 0 updated, 0 unchanged; "
        "steps.csv: 50 rows: 50 created, 0 updated, 0 unchanged; "
        "groups.csv: 3 rows: 3 created, 0 updated, 0 unchanged\n"
    )
    # procedures, agency links, papers, fees, steps, groups, members, sectors, audit
    assert counts() == (12, 12, 32, 10, 50, 1, 3, 4, 1)
    birth = Procedure.objects.get(code="1.001193")
    assert (birth.name, birth.sector.name, birth.time_limit_unit, birth.online_level) == (
        "Đăng ký khai sinh",
        "Hộ tịch",
        "same_day",
        "full",
    )
    assert (birth.status, birth.version, birth.result_paper, birth.result_electronic) == (
        "published",
        1,
        True,
        True,
    )
    assert birth.deciding_authority == "Ủy ban nhân dân cấp xã"
    assert birth.result_name == "Giấy khai sinh (bản chính); bản điện tử Giấy khai sinh"
    assert birth.legal_basis.startswith("Luật Hộ tịch số 60/2014/QH13; Nghị định số 123/2015")
    assert list(birth.agencies.values_list("code", flat=True)) == ["H56.HT"]
    assert list(birth.components.values_list("position", "name", "copy_type", "required")) == [
        (1, "Tờ khai đăng ký khai sinh theo mẫu", "original", True),
        (2, "Giấy chứng sinh", "original", True),
        (3, "Biên bản xác nhận việc trẻ bị bỏ rơi do cơ quan có thẩm quyền lập", "original", False),
        (4, "Văn bản ủy quyền theo quy định của pháp luật", "original", False),
    ]
    assert list(birth.steps.values_list("name", "budget_hours"))[2] == (
        "Ký Giấy khai sinh",
        Decimal("2.00"),
    )
    marriage = Procedure.objects.get(code="1.000894")
    assert (marriage.postal_intake, marriage.postal_return) == (False, False)
    residence = Procedure.objects.get(code="1.004222")
    assert list(residence.fees.values_list("kind", "name", "amount")) == [
        ("charge", "Lệ phí đăng ký cư trú (đăng ký thường trú)", 20000)
    ]
    group = InterconnectionGroup.objects.get()
    assert (group.code, group.time_limit, group.time_limit_unit) == (
        "BIRTH_GROUP",
        Decimal("3.00"),
        "working_days",
    )
    assert list(group.members.values_list("procedure__code", flat=True)) == [
        "1.001193",
        "1.004222",
        "2.001023",
    ]
    event = AuditEvent.objects.get()
    assert (event.event, event.data["directory"], event.data["papers.csv"]) == (
        "procedures.catalogue_imported",
        "catalogue",
        {"rows": 32, "created": 32, "updated": 0, "unchanged": 0},
    )


def test_reimporting_the_same_directory_is_a_no_op() -> None:
    assert run(EXAMPLE)[0] == 0
    before = snapshot()

    status, out, _ = run(EXAMPLE)

    assert status == 0
    assert out == (
        "import_catalogue: procedures.csv: 12 rows: 0 created, 0 updated, 12 unchanged; "
        "papers.csv: 32 rows: 0 created, 0 updated, 32 unchanged; "
        "fees.csv: 10 rows: 0 created, 0 updated, 10 unchanged; "
        "steps.csv: 50 rows: 0 created, 0 updated, 50 unchanged; "
        "groups.csv: 3 rows: 0 created, 0 updated, 3 unchanged\n"
    )
    assert snapshot() == before | {"audit": before["audit"] + 1}


def test_check_validates_and_writes_nothing(tmp_path: Path) -> None:
    status, out, _ = run(EXAMPLE, "--check")

    assert status == 0
    assert out.startswith(
        "import_catalogue: no problems, nothing written (--check): "
        "procedures.csv: 12 rows: 12 created, 0 updated"
    )
    assert counts() == (0, 0, 0, 0, 0, 0, 0, 0, 0)

    bad = write_dir(
        tmp_path / "bad",
        CATALOGUE | {"fees.csv": "procedure_code,position,name,amount\n1.004222,1,Lệ phí,-1\n"},
    )
    status, _, err = run(bad, "--check")
    assert (status, err.splitlines()[0]) == (1, "fees.csv: row 2: amount: must be at least 0")


def test_changed_papers_are_refused_without_update_and_replace_the_stored_ones_with_it(
    tmp_path: Path,
) -> None:
    assert run(write_dir(tmp_path / "first", CATALOGUE))[0] == 0
    before = snapshot()
    papers = (
        "procedure_code,position,name,copy_type,count,required,note\n"
        "1.001193,1,Tờ khai đăng ký khai sinh,original,1,true,\n"
        "1.001193,2,Giấy chứng sinh,certified_copy,1,true,Hoặc bản điện tử\n"
        "1.001193,3,Văn bản ủy quyền,original,1,false,\n"
    )
    changed = write_dir(tmp_path / "changed", {"papers.csv": papers})

    status, _, err = run(changed)

    assert status == 1
    assert err.splitlines() == [
        "papers.csv: row 2: procedure_code: 1.001193 already has other papers; "
        "use --update to replace them",
        "import_catalogue: 1 problems, nothing imported",
    ]
    assert snapshot() == before

    status, out, _ = run(changed, "--update")

    assert (status, out) == (
        0,
        "import_catalogue: papers.csv: 3 rows: 0 created, 3 updated, 0 unchanged\n",
    )
    after = snapshot()
    assert after["papers"] == [
        ("1.001193", 1, "Tờ khai đăng ký khai sinh", "original", 1, True, ""),
        ("1.001193", 2, "Giấy chứng sinh", "certified_copy", 1, True, "Hoặc bản điện tử"),
        ("1.001193", 3, "Văn bản ủy quyền", "original", 1, False, ""),
        ("1.004222", 1, "Tờ khai thay đổi thông tin cư trú", "original", 1, True, ""),
    ]
    # An edit of the papers is an edit of the procedure: a new version, as in the admin.
    assert [(p[0], p[-1]) for p in after["procedures"]] == [("1.001193", 2), ("1.004222", 1)]
    assert {key: after[key] for key in ("fees", "steps", "members")} == {
        key: before[key] for key in ("fees", "steps", "members")
    }


def test_update_replaces_fees_steps_group_and_procedure_fields_bumping_each_version_once(
    tmp_path: Path,
) -> None:
    assert run(write_dir(tmp_path / "first", CATALOGUE))[0] == 0
    changed = CATALOGUE | {
        "procedures.csv": CATALOGUE["procedures.csv"].replace("Luật Hộ tịch 2014", "Luật 2025"),
        "fees.csv": CATALOGUE["fees.csv"].replace("20000,", "15000,"),
        "steps.csv": CATALOGUE["steps.csv"].replace(",2.5", ",3"),
        "groups.csv": CATALOGUE["groups.csv"].replace(",3,working_days", ",5,working_days"),
    }
    path = write_dir(tmp_path / "changed", changed)

    status, _, err = run(path)

    assert status == 1
    assert err.splitlines()[:-1] == [
        "procedures.csv: row 2: code: 1.001193 already exists with other legal_basis; "
        "use --update to change it",
        "procedures.csv: row 3: fee: 20000 is not the total of its fees.csv items (15000)",
        "fees.csv: row 2: procedure_code: 1.004222 already has other fee items; "
        "use --update to replace them",
        "steps.csv: row 2: procedure_code: 1.001193 already has other steps; "
        "use --update to replace them",
        "groups.csv: row 2: code: BIRTH_GROUP already exists with other time_limit; "
        "use --update to change it",
    ]

    path = write_dir(
        tmp_path / "fixed",
        changed | {"procedures.csv": changed["procedures.csv"].replace(",20000,", ",15000,")},
    )
    status, out, err = run(path, "--update")

    assert (status, err) == (0, "")
    assert out == (
        "import_catalogue: procedures.csv: 2 rows: 0 created, 1 updated, 1 unchanged; "
        "papers.csv: 3 rows: 0 created, 0 updated, 3 unchanged; "
        "fees.csv: 1 rows: 0 created, 1 updated, 0 unchanged; "
        "steps.csv: 2 rows: 0 created, 2 updated, 0 unchanged; "
        "groups.csv: 2 rows: 0 created, 2 updated, 0 unchanged\n"
    )
    after = snapshot()
    assert after["procedures"][0][4] == "Luật 2025"
    assert [(p[0], p[-1]) for p in after["procedures"]] == [("1.001193", 2), ("1.004222", 2)]
    assert after["fees"] == [
        ("1.004222", 1, "charge", "Lệ phí đăng ký thường trú", 15000, "Nộp trực tuyến: 10.000 đồng")
    ]
    assert after["steps"][1] == ("1.001193", 2, "Ký Giấy khai sinh", "Lãnh đạo UBND xã", Decimal(3))
    assert after["groups"] == [
        ("BIRTH_GROUP", "Liên thông khai sinh", Decimal(5), "Nghị định 63/2024/NĐ-CP")
    ]
    assert after["members"] == [("BIRTH_GROUP", "1.001193", 1), ("BIRTH_GROUP", "1.004222", 2)]


def test_companions_may_name_stored_procedures_without_procedures_csv(tmp_path: Path) -> None:
    assert run(write_dir(tmp_path / "first", STORED))[0] == 0
    steps = "procedure_code,position,name,budget_hours\n2.000815,1,Chứng thực,0.5\n"

    status, out, _ = run(write_dir(tmp_path / "steps", {"steps.csv": steps}))

    assert (status, out) == (
        0,
        "import_catalogue: steps.csv: 1 rows: 1 created, 0 updated, 0 unchanged\n",
    )
    assert snapshot()["steps"] == [("2.000815", 1, "Chứng thực", "", Decimal("0.50"))]
    assert Procedure.objects.get().version == 2


GROUP_HEADER = "code,name,time_limit,time_limit_unit,legal_basis,procedure_code,position\n"
PAPER_HEADER = "procedure_code,position,name,copy_type,count,required,note\n"


def _append(name: str, text: str) -> dict[str, str]:
    return CATALOGUE | {name: CATALOGUE[name] + text}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            _append("papers.csv", "9.999999,1,Tờ khai,original,1,true,\n"),
            ["papers.csv: row 5: procedure_code: unknown procedure 9.999999"],
            id="paper-of-an-unknown-procedure",
        ),
        pytest.param(
            _append("papers.csv", "1.001193,3,Bản sao giấy tờ,copy,1,true,\n"),
            [
                "papers.csv: row 5: copy_type: 'copy' is not one of original, certified_copy, "
                "plain_copy"
            ],
            id="bad-copy-type",
        ),
        pytest.param(
            _append("papers.csv", "1.001193,3,Bản sao giấy tờ,original,0,true,\n"),
            ["papers.csv: row 5: count: must be at least 1"],
            id="no-copies",
        ),
        pytest.param(
            _append("papers.csv", "1.001193,2,Bản sao giấy tờ,original,1,true,\n"),
            ["papers.csv: row 5: position: 2 repeats row 3 for 1.001193"],
            id="duplicate-position",
        ),
        pytest.param(
            _append("papers.csv", "1.001193,,Bản sao giấy tờ,original,1,có,\n"),
            [
                "papers.csv: row 5: position: required",
                "papers.csv: row 5: required: 'có' is not true, false, 1 or 0",
            ],
            id="no-position-bad-boolean",
        ),
        pytest.param(
            _append("fees.csv", "1.004222,2,charge,Phí khác,-500,\n"),
            ["fees.csv: row 3: amount: must be at least 0"],
            id="negative-amount",
        ),
        pytest.param(
            _append("fees.csv", "1.004222,2,tax,Phí khác,500,\n"),
            ["fees.csv: row 3: kind: 'tax' is not one of fee, charge"],
            id="bad-fee-kind",
        ),
        pytest.param(
            _append("steps.csv", "1.001193,3,Trả kết quả,Bộ phận Một cửa,một giờ\n"),
            ["steps.csv: row 4: budget_hours: not a number: 'một giờ'"],
            id="step-budget-not-a-number",
        ),
        pytest.param(
            CATALOGUE | {"steps.csv": "procedure_code,position,name,hours\n"},
            [
                "steps.csv: row 1: budget_hours: missing column",
                "steps.csv: row 1: hours: unknown column",
            ],
            id="unknown-column",
        ),
        pytest.param(
            _append(
                "procedures.csv",
                "1.004194,Đăng ký tạm trú,Cư trú,commune,3,working_days,15000,H56.HT;H56.XX,\n",
            ),
            ["procedures.csv: row 4: agencies: unknown agency H56.XX"],
            id="unknown-agency",
        ),
        pytest.param(
            _append("procedures.csv", "1.004194,Đăng ký tạm trú,Cư trú,commune,3,tuần,,,\n"),
            [
                "procedures.csv: row 4: time_limit_unit: 'tuần' is not one of working_days, "
                "working_hours, calendar_days, same_day"
            ],
            id="bad-procedure-row",
        ),
        pytest.param(
            CATALOGUE
            | {"procedures.csv": CATALOGUE["procedures.csv"].replace(",20000,", ",15000,")},
            ["procedures.csv: row 3: fee: 15000 is not the total of its fees.csv items (20000)"],
            id="fee-total-differs-from-the-items",
        ),
        pytest.param(
            _append("groups.csv", "BIRTH_GROUP,,,,,9.999999,3\n"),
            ["groups.csv: row 4: procedure_code: unknown procedure 9.999999"],
            id="group-member-unknown",
        ),
        pytest.param(
            CATALOGUE | {"groups.csv": GROUP_HEADER + "G1,Nhóm,3,working_days,,1.001193,1\n"},
            [
                "groups.csv: row 2: procedure_code: group G1 has one member; "
                "a group links at least two procedures"
            ],
            id="group-with-one-member",
        ),
        pytest.param(
            _append("groups.csv", "BIRTH_GROUP,,,,,1.004222,3\n"),
            ["groups.csv: row 4: procedure_code: 1.004222 repeats row 3 of BIRTH_GROUP"],
            id="group-member-twice",
        ),
        pytest.param(
            _append("groups.csv", "BIRTH_GROUP,Nhóm khác,,,,2.000815,3\n"),
            ["groups.csv: row 4: name: differs from row 2, the first of group BIRTH_GROUP"],
            id="group-name-differs",
        ),
        pytest.param(
            CATALOGUE | {"paper.csv": PAPER_HEADER},
            [
                "paper.csv: file: not a catalogue file (procedures.csv, papers.csv, fees.csv, "
                "steps.csv, groups.csv)"
            ],
            id="misspelt-file",
        ),
        pytest.param(
            _append("papers.csv", "1.001193,3,Bản sao,copy,1,true,\n")
            | {
                "procedures.csv": CATALOGUE["procedures.csv"]
                + "1.0041,Tạm trú,Cư trú,commune,3,working_days,,,\n"
            },
            [
                "procedures.csv: row 4: code: '1.0041' is not a national procedure code "
                "like 1.001193",
                "papers.csv: row 5: copy_type: 'copy' is not one of original, "
                "certified_copy, plain_copy",
            ],
            id="problems-of-several-files-at-once",
        ),
    ],
)
def test_bad_directories_are_refused_whole(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    # A stored procedure first: nothing of it may change, nothing else be written.
    assert run(write_dir(tmp_path / "first", STORED))[0] == 0
    before, table_counts = snapshot(), counts()

    status, out, err = run(write_dir(tmp_path / "bad", files))

    assert (status, out) == (1, "")
    lines = err.splitlines()
    assert lines[:-1] == expected
    assert lines[-1] == f"import_catalogue: {len(expected)} problems, nothing imported"
    assert counts() == table_counts
    assert snapshot() == before


def test_a_missing_or_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no such directory"):
        run(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(EXAMPLE / "README.md", empty / "README.md")

    status, _, err = run(empty)

    assert status == 1
    assert err.splitlines()[0] == (
        "empty: file: none of procedures.csv, papers.csv, fees.csv, steps.csv, groups.csv"
    )


def test_replaced_papers_keep_the_form_uploaded_for_a_paper_of_the_same_name(
    tmp_path: Path,
) -> None:
    assert run(write_dir(tmp_path / "first", CATALOGUE))[0] == 0
    Component.objects.filter(name="Tờ khai đăng ký khai sinh").update(
        form_template="procedures/forms/to-khai.docx"
    )
    papers = (
        PAPER_HEADER
        + "1.001193,1,Giấy chứng sinh,original,1,true,\n"
        + "1.001193,2,Tờ khai đăng ký khai sinh,original,1,true,Theo mẫu\n"
    )

    status, _, _ = run(write_dir(tmp_path / "changed", {"papers.csv": papers}), "--update")

    assert status == 0
    assert list(
        Component.objects.filter(procedure__code="1.001193").values_list(
            "position", "name", "form_template"
        )
    ) == [
        (1, "Giấy chứng sinh", ""),
        (2, "Tờ khai đăng ký khai sinh", "procedures/forms/to-khai.docx"),
    ]
