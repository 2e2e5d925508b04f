from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType

from dossiers.models import Dossier, Evaluation, Notification
from portal.models import AuditEvent
from procedures.calendar import LOCAL_TIME
from procedures.models import Procedure
from procedures.selectors import procedure_terms
from tests.commands import run_command, write_csv
from tests.factories import AgencyFactory, ProcedureFactory, SectorFactory, UnitFactory

pytestmark = pytest.mark.django_db

COLUMNS = [
    "code", "procedure_code", "unit_code", "channel", "received_at", "status", "due_at",
    "completed_at", "returned_at", "withdrawn_at", "result_delivery", "online_level",
    "legacy_level", "supplement_count", "digitized", "fee_amount", "paid_online",
    "satisfaction", "evaluated_at", "applicant_name",
]  # fmt: skip
HEADER = ",".join(COLUMNS) + "\n"
BASE = {
    "code": "H56.HT-260302-0009",
    "procedure_code": "1.004873",
    "unit_code": "14797",
    "channel": "counter",
    "received_at": "2026-03-02T09:00:00",
    "status": "received",
}
STATUSES = (
    "received, in_process, supplement_requested, financial_obligation, withdrawn, stopped, "
    "completed, returned"
)


def line(**cells: str) -> str:
    values = BASE | cells
    return ",".join(values.get(column, "") for column in COLUMNS) + "\n"


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LOCAL_TIME)


RETURNED = line(
    code="H56.HT-260302-0001",
    status="returned",
    completed_at="2026-03-04T10:00:00",
    returned_at="2026-03-05T08:00:00+07:00",
    result_delivery="counter",
    satisfaction="very_satisfied",
    applicant_name="Nguyễn Thị Lan",
)
ONLINE = line(
    code="H56.HT-260302-0002",
    channel="online",
    received_at="2026-03-02T20:15:00",
    status="in_process",
    due_at="2026-03-10T17:00:00+07:00",
    legacy_level="4",
    supplement_count="1",
    digitized="true",
    fee_amount="50000",
    paid_online="1",
)
WITHDRAWN = line(
    code="H56.HT-260303-0001",
    channel="postal",
    received_at="2026-03-03T02:30:00Z",
    status="withdrawn",
    withdrawn_at="2026-03-04T15:00:00",
)
# Received by the commune that bore code 14797 before the 2025 reform, which had no
# agency of its own: its dossiers went to its district's People's Committee.
BEFORE_REFORM = line(
    code="H56.380-250610-0042",
    received_at="2025-06-10T14:00:00",
    status="completed",
    completed_at="2025-06-12T16:00:00",
    satisfaction="satisfied",
)
GOOD = HEADER + RETURNED + ONLINE + WITHDRAWN + BEFORE_REFORM


@pytest.fixture
def procedure(db) -> Procedure:
    """Thanh Hóa before and after the 2025 reform: commune code 14797 names two units."""
    province = UnitFactory(code="38", name="Tỉnh Thanh Hóa")
    district = UnitFactory(
        code="380", name="Thành phố Thanh Hóa", level="district", parent=province,
        valid_to=date(2025, 6, 30),
    )  # fmt: skip
    other_district = UnitFactory(
        code="381", name="Huyện Hà Trung", level="district", parent=province,
        valid_to=date(2025, 6, 30),
    )  # fmt: skip
    commune = {"level": "commune", "parent": province, "valid_from": date(2025, 7, 1)}
    before = {"level": "commune", "valid_to": date(2025, 6, 30)}
    UnitFactory(code="14797", name="Phường Đông Hải", parent=district, **before)
    reformed = UnitFactory(code="14797", name="Phường Hạc Thành", **commune)
    UnitFactory(code="14800", name="Phường Quảng Phú", **commune)
    UnitFactory(code="14803", name="Xã Hà Long", parent=other_district, **before)
    AgencyFactory(code="000.00.16.H56", name="Sở Tư pháp", unit=province)
    AgencyFactory(code="H56.380", name="UBND Thành phố Thanh Hóa", unit=district)
    # First by code in the reformed commune, but it does not settle the procedure.
    AgencyFactory(code="H56.AA", name="Công an phường Hạc Thành", unit=reformed)
    settling = AgencyFactory(code="H56.HT", name="UBND phường Hạc Thành", unit=reformed)
    procedure = ProcedureFactory(
        code="1.004873",
        name="Cấp Giấy xác nhận tình trạng hôn nhân",
        sector=SectorFactory(name="Hộ tịch"),
        time_limit=Decimal(3),
        time_limit_unit="working_days",
        online_level="full",
        legacy_level=3,
    )
    procedure.agencies.add(settling)
    return procedure


def run(path: Path, *args: str) -> tuple[int, str, str]:
    return run_command("import_dossiers", str(path), *args)


def counts() -> tuple[int, int, int, int]:
    return (
        Dossier.objects.count(),
        Evaluation.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_imports_dossiers_in_their_recorded_state(tmp_path: Path, procedure: Procedure) -> None:
    status, out, err = run(write_csv(tmp_path, GOOD, bom=True))

    assert (status, err) == (0, "")
    assert out == "import_dossiers: 4 rows: 4 created, 0 updated, 0 unchanged\n"
    stored = Dossier.objects.order_by("received_at").values_list(
        "code", "status", "procedure__code", "procedure_version", "unit__name", "agency__code",
        "reception_point", "channel", "online_level", "legacy_level", "received_at", "due_at",
        "processing_ended_at", "returned_at", "withdrawn_at", "result_delivery",
        "supplement_count", "digitized", "fee_amount", "paid_online", "applicant_name",
        "imported", "version",
    )  # fmt: skip
    assert list(stored) == [
        ("H56.380-250610-0042", "completed", "1.004873", 1, "Phường Đông Hải", "H56.380", None,
         "counter", "", 3, local(2025, 6, 10, 14), local(2025, 6, 13, 17),
         local(2025, 6, 12, 16), None, None, "", 0, False, 0, False, "", True, 1),
        # Received Monday 09:00 with 3 working days: due Thursday 17:00 (RULES.md §4).
        ("H56.HT-260302-0001", "returned", "1.004873", 1, "Phường Hạc Thành", "H56.HT", None,
         "counter", "", 3, local(2026, 3, 2, 9), local(2026, 3, 5, 17), local(2026, 3, 4, 10),
         local(2026, 3, 5, 8), None, "counter", 0, False, 0, False, "Nguyễn Thị Lan", True, 1),
        ("H56.HT-260302-0002", "in_process", "1.004873", 1, "Phường Hạc Thành", "H56.HT", None,
         "online", "full", 4, local(2026, 3, 2, 20, 15), local(2026, 3, 10, 17), None, None,
         None, "", 1, True, 50000, True, "", True, 1),
        ("H56.HT-260303-0001", "withdrawn", "1.004873", 1, "Phường Hạc Thành", "H56.HT", None,
         "postal", "", 3, local(2026, 3, 3, 9, 30), local(2026, 3, 6, 17), None, None,
         local(2026, 3, 4, 15), "", 0, False, 0, False, "", True, 1),
    ]  # fmt: skip
    terms = procedure_terms(procedure)
    for dossier in Dossier.objects.all():
        assert dossier.terms == terms
        assert dossier.reference.startswith("HS")
        assert len(dossier.reference) == 12
    evaluations = Evaluation.objects.order_by("evaluated_at").values_list(
        "dossier__code", "rating", "channel", "evaluated_at"
    )
    assert list(evaluations) == [
        ("H56.380-250610-0042", "satisfied", "imported", local(2025, 6, 12, 16)),
        ("H56.HT-260302-0001", "very_satisfied", "imported", local(2026, 3, 5, 8)),
    ]
    dossier_type = ContentType.objects.get_for_model(Dossier)
    events = AuditEvent.objects.order_by("target_label").values_list(
        "actor", "event", "target_type", "target_id", "target_label", "data"
    )
    assert list(events) == [
        (None, "dossiers.imported", dossier_type.pk, str(dossier.pk), dossier.code,
         {"status": dossier.status})
        for dossier in Dossier.objects.order_by("code")
    ]  # fmt: skip
    assert Notification.objects.count() == 0


def test_reimporting_the_same_file_is_a_no_op(tmp_path: Path, procedure: Procedure) -> None:
    path = write_csv(tmp_path, GOOD)
    assert run(path)[0] == 0
    dossiers = Dossier.objects.order_by("code").values_list("code", "reference", "due_at")
    before = counts(), list(dossiers)

    status, out, err = run(path)

    assert (status, err) == (0, "")
    assert out == "import_dossiers: 4 rows: 0 created, 0 updated, 4 unchanged\n"
    assert (counts(), list(dossiers)) == before


def test_a_stored_dossier_with_other_data_is_refused(tmp_path: Path, procedure: Procedure) -> None:
    assert run(write_csv(tmp_path, GOOD))[0] == 0
    before = counts()
    changed = (
        HEADER
        + RETURNED
        + line(code="H56.HT-260302-0002", channel="online", status="completed",
               received_at="2026-03-02T20:15:00", completed_at="2026-03-06T10:00:00",
               legacy_level="4", supplement_count="1", digitized="true", fee_amount="50000",
               paid_online="1")
    )  # fmt: skip
    path = write_csv(tmp_path, changed, name="changed.csv")

    refused = run(path)
    refused_with_update = run(path, "--update")

    assert refused == (
        1,
        "",
        "row 3: code: H56.HT-260302-0002 already exists with other status, completed_at\n"
        "import_dossiers: 1 problems, nothing imported\n",
    )
    assert refused_with_update == (
        1,
        "",
        "row 3: code: H56.HT-260302-0002 already exists with other status, completed_at; "
        "imported dossiers are not updated\n"
        "import_dossiers: 1 problems, nothing imported\n",
    )
    assert counts() == before


def test_a_code_given_in_the_portal_is_refused(tmp_path: Path, procedure: Procedure) -> None:
    assert run(write_csv(tmp_path, HEADER + RETURNED))[0] == 0
    Dossier.objects.filter(code="H56.HT-260302-0001").update(imported=False)
    before = counts()

    status, out, err = run(write_csv(tmp_path, HEADER + RETURNED, name="again.csv"))

    assert (status, out) == (1, "")
    assert err.splitlines() == [
        "row 2: code: H56.HT-260302-0001 already exists, received in the portal",
        "import_dossiers: 1 problems, nothing imported",
    ]
    assert counts() == before


def problem_case(case_id: str, rows: str, *expected: str, header: str = HEADER):
    return pytest.param(header + rows, list(expected), id=case_id)


ERROR_CASES = [
    # The file and its header
    pytest.param(
        b"PK\x03\x04\x00\x00" + bytes(64),
        ["row 1: file: binary content, not CSV text"],
        id="binary-file",
    ),
    pytest.param(
        HEADER.encode() + b"H56.HT-260302-0009,1.004873,14797,counter,\xd0\xe3ng\n",
        ["row 2: file: not UTF-8 text"],
        id="not-utf8",
    ),
    problem_case(
        "unknown-column",
        line().strip() + ",H56.HT\n",
        "row 1: agency: unknown column",
        header=HEADER.strip() + ",agency\n",
    ),
    problem_case(
        "missing-column",
        "H56.HT-260302-0009,1.004873,14797,counter,2026-03-02T09:00:00\n",
        "row 1: status: missing column",
        header="code,procedure_code,unit_code,channel,received_at\n",
    ),
    problem_case(
        "short-row",
        "H56.HT-260302-0009,1.004873,14797,counter\n",
        "row 2: file: 4 cells where the header has 20",
    ),
    # code
    problem_case("code-required", line(code=""), "row 2: code: required"),
    problem_case(
        "code-with-space",
        line(code="LX 2019/00042"),
        "row 2: code: 'LX 2019/00042': printable characters without spaces only",
    ),
    problem_case(
        "code-with-tab",
        line(code="LX\t00042"),
        "row 2: code: 'LX\\t00042': printable characters without spaces only",
    ),
    problem_case(
        "code-too-long",
        line(code="A" * 37 + "-260302-0001"),
        "row 2: code: longer than 48 characters",
    ),
    problem_case(
        "code-repeated",
        line() + line(code="H56.HT-260302-0008") + line(),
        "row 4: code: H56.HT-260302-0009 repeats row 2",
    ),
    problem_case(
        "code-stored-with-other-data",
        line(code="H56.HT-260302-0001"),
        "row 2: code: H56.HT-260302-0001 already exists with other status, completed_at, "
        "returned_at, result_delivery, satisfaction, evaluated_at, applicant_name",
    ),
    # procedure_code, unit_code
    problem_case("procedure-required", line(procedure_code=""), "row 2: procedure_code: required"),
    problem_case(
        "procedure-unknown",
        line(procedure_code="1.999999"),
        "row 2: procedure_code: unknown procedure 1.999999",
    ),
    problem_case("unit-required", line(unit_code=""), "row 2: unit_code: required"),
    problem_case("unit-unknown", line(unit_code="99999"), "row 2: unit_code: unknown unit 99999"),
    problem_case(
        "unit-not-in-force",
        line(unit_code="14800", received_at="2025-06-30T23:30:00+07:00"),
        "row 2: unit_code: no unit 14800 in force on 2025-06-30",
    ),
    problem_case(
        "unit-without-agency",
        line(unit_code="14803", received_at="2025-06-02T09:00:00"),
        "row 2: agency_code: no agency of 14803 settles 1.004873; give agency_code",
    ),
    # channel, status, received_at
    problem_case("channel-required", line(channel=""), "row 2: channel: required"),
    problem_case(
        "channel-unknown",
        line(channel="kiosk"),
        "row 2: channel: 'kiosk' is not one of counter, online, postal",
    ),
    problem_case("status-required", line(status=""), "row 2: status: required"),
    *(
        problem_case(
            f"status-{refused}",
            line(status=refused),
            f"row 2: status: '{refused}' is not one of {STATUSES}",
        )
        for refused in ("draft", "submitted", "rejected", "finished")
    ),
    problem_case("received-required", line(received_at=""), "row 2: received_at: required"),
    problem_case(
        "received-not-iso",
        line(received_at="02/03/2026 09:00"),
        "row 2: received_at: not an ISO 8601 time: '02/03/2026 09:00'",
    ),
    # due_at and the moments each status has
    problem_case(
        "due-not-iso",
        line(due_at="05/03/2026"),
        "row 2: due_at: not an ISO 8601 time: '05/03/2026'",
    ),
    problem_case(
        "due-before-reception",
        line(due_at="2026-03-01T17:00:00"),
        "row 2: due_at: before received_at",
    ),
    *(
        problem_case(
            f"completed-required-{ended}",
            line(status=ended, returned_at="2026-03-05T08:00:00" if ended == "returned" else ""),
            f"row 2: completed_at: required for a {ended} dossier",
        )
        for ended in ("stopped", "completed", "returned")
    ),
    problem_case(
        "completed-before-reception",
        line(status="completed", completed_at="2026-03-02T08:59:59"),
        "row 2: completed_at: before received_at",
    ),
    problem_case(
        "completed-while-in-process",
        line(status="in_process", completed_at="2026-03-04T10:00:00"),
        "row 2: completed_at: only for stopped or completed or returned dossiers",
    ),
    problem_case(
        "returned-required",
        line(status="returned", completed_at="2026-03-04T10:00:00"),
        "row 2: returned_at: required for a returned dossier",
    ),
    problem_case(
        "returned-before-completion",
        line(
            status="returned",
            completed_at="2026-03-04T10:00:00",
            returned_at="2026-03-04T09:00:00",
        ),
        "row 2: returned_at: before completed_at",
    ),
    problem_case(
        "returned-while-completed",
        line(
            status="completed",
            completed_at="2026-03-04T10:00:00",
            returned_at="2026-03-05T09:00:00",
        ),
        "row 2: returned_at: only for returned dossiers",
    ),
    problem_case(
        "withdrawn-required",
        line(status="withdrawn"),
        "row 2: withdrawn_at: required for a withdrawn dossier",
    ),
    problem_case(
        "withdrawn-before-reception",
        line(status="withdrawn", withdrawn_at="2026-03-01T10:00:00"),
        "row 2: withdrawn_at: before received_at",
    ),
    problem_case(
        "withdrawn-while-received",
        line(withdrawn_at="2026-03-03T10:00:00"),
        "row 2: withdrawn_at: only for withdrawn dossiers",
    ),
    problem_case(
        "moment-not-iso",
        line(status="withdrawn", withdrawn_at="hôm qua"),
        "row 2: withdrawn_at: not an ISO 8601 time: 'hôm qua'",
    ),
    # Choices, numbers and booleans
    problem_case(
        "result-delivery-unknown",
        line(result_delivery="email"),
        "row 2: result_delivery: 'email' is not one of counter, postal, online",
    ),
    problem_case(
        "online-level-unknown",
        line(channel="online", online_level="none"),
        "row 2: online_level: 'none' is not one of partial, full",
    ),
    problem_case(
        "online-level-offline",
        line(online_level="full"),
        "row 2: online_level: only for online dossiers",
    ),
    problem_case(
        "legacy-level-unknown",
        line(legacy_level="1"),
        "row 2: legacy_level: '1' is not one of 2, 3, 4",
    ),
    problem_case(
        "supplements-negative",
        line(supplement_count="-1"),
        "row 2: supplement_count: must be at least 0",
    ),
    problem_case(
        "supplements-not-a-number",
        line(supplement_count="hai"),
        "row 2: supplement_count: not a whole number: 'hai'",
    ),
    problem_case(
        "supplements-too-many",
        line(supplement_count="40000"),
        "row 2: supplement_count: at most 32767",
    ),
    problem_case("fee-negative", line(fee_amount="-2000"), "row 2: fee_amount: must be at least 0"),
    problem_case(
        "fee-not-a-number",
        line(fee_amount="50.000"),
        "row 2: fee_amount: not a whole number: '50.000'",
    ),
    problem_case(
        "digitized-not-boolean",
        line(digitized="yes"),
        "row 2: digitized: 'yes' is not true, false, 1 or 0",
    ),
    problem_case(
        "paid-online-not-boolean",
        line(paid_online="có"),
        "row 2: paid_online: 'có' is not true, false, 1 or 0",
    ),
    # satisfaction, evaluated_at, applicant_name
    problem_case(
        "satisfaction-unknown",
        line(satisfaction="happy"),
        "row 2: satisfaction: 'happy' is not one of very_satisfied, satisfied, neutral, "
        "dissatisfied, very_dissatisfied",
    ),
    problem_case(
        "evaluated-without-satisfaction",
        line(evaluated_at="2026-03-05T09:00:00"),
        "row 2: evaluated_at: given without satisfaction",
    ),
    problem_case(
        "evaluated-when-unknown",
        line(status="in_process", satisfaction="neutral"),
        "row 2: evaluated_at: required for a satisfaction before the result",
    ),
    problem_case(
        "evaluated-before-reception",
        line(satisfaction="neutral", evaluated_at="2026-03-01T09:00:00"),
        "row 2: evaluated_at: before received_at",
    ),
    problem_case(
        "applicant-name-too-long",
        line(applicant_name="x" * 201),
        "row 2: applicant_name: longer than 200 characters",
    ),
]


@pytest.mark.parametrize(("content", "expected"), ERROR_CASES)
def test_bad_files_are_refused_whole(
    tmp_path: Path, procedure: Procedure, content: str | bytes, expected: list[str]
) -> None:
    # A dossier imported before: nothing may change, and the file's good rows (the first
    # one here) may not be written either.
    assert run(write_csv(tmp_path, HEADER + RETURNED, name="first.csv"))[0] == 0
    before = counts()
    path = tmp_path / "import.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        if content.startswith(HEADER):
            content += line(code="H56.HT-260302-0007")
        path = write_csv(tmp_path, content)

    status, out, err = run(path)

    assert (status, out) == (1, "")
    assert err.splitlines() == [
        *expected,
        f"import_dossiers: {len(expected)} problems, nothing imported",
    ]
    assert counts() == before
