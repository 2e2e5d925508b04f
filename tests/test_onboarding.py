"""A province onboarded from files alone, in the documented load order (INTERFACES.md §2):
units, agencies, reception points, the catalogue, officers, then its legacy dossiers with
their own codes. Then an officer chooses a password through the mailed link and finds a
legacy dossier in the inbox, and a citizen looks one up by its legacy code."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from dossiers.models import Dossier
from portal.models import AuditEvent, User
from procedures.calendar import LOCAL_TIME
from procedures.models import Agency, Assignment, Procedure, ReceptionPoint
from tests.commands import run_command, write_csv

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
PROVINCE = EXAMPLES / "province"
DOSSIER_HEADER = (
    "code,procedure_code,unit_code,agency_code,reception_point_code,channel,received_at,"
    "status,completed_at,returned_at,applicant_name\n"
)
# Birth registration, certified copy, residence registration: all of the ward's agency.
PROCEDURE_CODES = ["1.001193", "2.000815", "1.004222"]
LEGACY_COUNT = 1000


def legacy_codes(number: int) -> str:
    """Three legacy formats, as a province's old systems left them."""
    return [f"LX-2025/{number:05d}", f"C-{number}", f"000.00.16.H56-250905-{number:04d}"][
        number % 3
    ]


def legacy_dossiers() -> str:
    """1,000 dossiers of Hạc Thành after the reform: most returned, some still open."""
    lines = [DOSSIER_HEADER]
    start = datetime(2025, 9, 1, 8, 0, tzinfo=LOCAL_TIME)
    for number in range(1, LEGACY_COUNT + 1):
        received = start + timedelta(hours=number)
        # Every other row leaves agency and reception point to their defaults.
        named = number % 2 == 0
        agency, point = ("H56.HT", "HT-MOTCUA") if named else ("", "")
        channel = ["counter", "online", "postal"][number % 3]
        if number % 10 == 0:
            status, completed, returned = "in_process", "", ""
        else:
            status = "returned"
            completed = (received + timedelta(hours=3)).isoformat()
            returned = (received + timedelta(hours=5)).isoformat()
        lines.append(
            f"{legacy_codes(number)},{PROCEDURE_CODES[number % 3]},14797,{agency},{point},"
            f"{channel},{received.isoformat()},{status},{completed},{returned},"
            f"Nguyễn Văn Hồ Sơ {number}\n"
        )
    return "".join(lines)


def load(command: str, path: Path, *args: str) -> str:
    status, out, err = run_command(command, str(path), *args)
    assert (status, err) == (0, ""), err
    return out


def test_a_province_onboards_from_files_alone(
    tmp_path: Path, client, django_capture_on_commit_callbacks, tasks_in_process
) -> None:
    # Given the province's files (docs/examples), loaded in the documented order
    assert load("import_units", PROVINCE / "units.csv") == (
        "import_units: 5 rows: 5 created, 0 updated, 0 unchanged\n"
    )
    assert load("import_agencies", PROVINCE / "agencies.csv") == (
        "import_agencies: 5 rows: 5 created, 0 updated, 0 unchanged\n"
    )
    assert load("import_reception_points", PROVINCE / "reception_points.csv") == (
        "import_reception_points: 2 rows: 2 created, 0 updated, 0 unchanged\n"
    )
    assert load("import_catalogue", EXAMPLES / "catalogue") == (
        "import_catalogue: procedures.csv: 12 rows: 12 created, 0 updated, 0 unchanged; "
        "papers.csv: 32 rows: 32 created, 0 updated, 0 unchanged; "
        "fees.csv: 10 rows: 10 created, 0 updated, 0 unchanged; "
        "steps.csv: 50 rows: 50 created, 0 updated, 0 unchanged; "
        "groups.csv: 3 rows: 3 created, 0 updated, 0 unchanged\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        out = load("import_officers", PROVINCE / "officers.csv")
    assert out == "import_officers: 5 rows, 4 officers: 4 created, 0 updated, 0 unchanged\n"
    assert load("import_dossiers", PROVINCE / "dossiers.csv") == (
        "import_dossiers: 3 rows: 3 created, 0 updated, 0 unchanged\n"
    )
    generated = write_csv(tmp_path, legacy_dossiers(), name="dossiers.csv")
    assert load("import_dossiers", generated) == (
        f"import_dossiers: {LEGACY_COUNT} rows: {LEGACY_COUNT} created, 0 updated, 0 unchanged\n"
    )

    # Then the organisation stands as the files say, the reused unit code on the new ward
    hac_thanh = Agency.objects.get(code="H56.HT")
    assert (hac_thanh.name, hac_thanh.unit.name, hac_thanh.parent.code) == (
        "Ủy ban nhân dân phường Hạc Thành",
        "Phường Hạc Thành",
        "000.00.00.H56",
    )
    point = ReceptionPoint.objects.get(code="HT-MOTCUA")
    assert list(point.agencies.all()) == [hac_thanh]
    assert sorted(
        Assignment.objects.values_list("user__username", "role", "agency__code", "unit__code")
    ) == [
        ("lanhdao.hacthanh", "manager", None, "14797"),
        ("lanhdao.hacthanh", "unit_leader", "H56.HT", None),
        ("quanly.tinh", "manager", None, "38"),
        ("thuly.hacthanh", "processing_officer", "H56.HT", None),
        ("tiepnhan.hacthanh", "reception_officer", None, None),
    ]
    birth = Procedure.objects.get(code="1.001193")
    assert (birth.components.count(), list(birth.agencies.all())) == (4, [hac_thanh])
    # Legacy codes are kept verbatim; the defaults found the ward's agency and point
    before_reform = Dossier.objects.get(code="000.00.26.H56-250312-0042")
    assert (before_reform.unit.name, before_reform.agency.code) == ("Phường Đông Hải", "H56.26.01")
    online = Dossier.objects.get(code="LX-2025/90042")
    assert (online.agency, online.reception_point, online.result_electronic) == (
        hac_thanh,
        point,
        True,
    )
    assert online.submitted_at == datetime(2025, 9, 4, 21, 10, tzinfo=LOCAL_TIME)
    generated_rows = Dossier.objects.filter(
        imported=True, applicant_name__startswith="Nguyễn Văn Hồ"
    )
    assert generated_rows.count() == LEGACY_COUNT
    assert set(generated_rows.values_list("agency_id", "reception_point_id").distinct()) == {
        (hac_thanh.pk, point.pk)
    }
    for number in (1, 2, 3, 42):
        assert Dossier.objects.filter(code=legacy_codes(number)).exists()
    assert AuditEvent.objects.filter(event="dossiers.imported").count() == LEGACY_COUNT + 3

    # When the processing officer opens the mailed link and chooses a password
    assert sorted(message.to[0] for message in mail.outbox) == [
        "binh.tv@hacthanh.example.vn",
        "cuong.lv@hacthanh.example.vn",
        "dung.pt@thanhhoa.example.vn",
        "lan.nt@hacthanh.example.vn",
    ]
    [message] = [m for m in mail.outbox if m.to == ["binh.tv@hacthanh.example.vn"]]
    link = re.search(r"https?://\S+", message.body).group(0)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    password = "Lam-Son-Thanh-Hoa-2026"
    set_password = form_page.redirect_chain[-1][0]
    client.post(set_password, {"new_password1": password, "new_password2": password})
    assert User.objects.get(username="thuly.hacthanh").check_password(password)
    signed_in = client.post(
        reverse("portal:login"), {"username": "thuly.hacthanh", "password": password}
    )
    assert signed_in.status_code == 302

    # Then a legacy dossier still in process is in the inbox under its legacy code
    inbox = client.get(reverse("reception:inbox:list"), {"code": "C-10"})
    assert inbox.status_code == 200
    listed = re.findall(r"\bC-\d+\b", inbox.content.decode())
    # (the code filter matches a part of the code; the returned C-1… are not in the inbox)
    assert set(listed) == {"C-10", "C-100", "C-1000"}

    # And a citizen holding a legacy receipt looks it up by its code alone
    client.logout()
    answer = client.post(reverse("citizen:lookup"), {"code": "LX-2025/00003", "secret": ""})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "LX-2025/00003" in page
    assert "Nguyễn Văn Hồ Sơ 3" not in page  # initials only
