import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent, User
from procedures.models import AdministrativeUnit, Agency, Assignment, ReceptionPoint
from tests.commands import run_command, write_csv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "username,full_name,email,role,unit_code,agency_code,reception_point_code\n"
HOA = "tiepnhan.hacthanh,Lê Thị Hoa,hoa.le@example.org,reception_officer,,,HAC-THANH\n"
NAM = "xuly.tuphap,Trần Văn Nam,nam.tran@example.org,processing_officer,,000.00.38.H56,\n"
NAM_MANAGER = "xuly.tuphap,Trần Văn Nam,nam.tran@example.org,manager,38,,\n"
DUC = "lanhdao.hacthanh,Phạm Minh Đức,,leader,14797,,\n"
REFORM_EVE = date(2025, 6, 30)
REFORM_DAY = date(2025, 7, 1)
PASSWORD = "Sen-hong-Ha-Noi-2026"


@pytest.fixture(autouse=True)
def organisation() -> None:
    """The province, the ward code 14797 held by Đông Hải until the 2025 reform and by
    Hạc Thành since, a department, a city committee abolished by the reform, and the
    ward's centre."""
    province = AdministrativeUnit.objects.create(code="38", name="Tỉnh Thanh Hóa", level="province")
    AdministrativeUnit.objects.create(
        code="14797", name="Phường Đông Hải", level="commune", parent=province, valid_to=REFORM_EVE
    )
    ward = AdministrativeUnit.objects.create(
        code="14797",
        name="Phường Hạc Thành",
        level="commune",
        parent=province,
        valid_from=REFORM_DAY,
    )
    Agency.objects.create(code="000.00.38.H56", name="Sở Tư pháp", unit=province)
    Agency.objects.create(
        code="H56.380", name="UBND thành phố Thanh Hóa", unit=province, valid_to=REFORM_EVE
    )
    ReceptionPoint.objects.create(
        code="HAC-THANH", name="Trung tâm phường Hạc Thành", kind="commune_centre", unit=ward
    )


@pytest.fixture(autouse=True)
def _eager(tasks_in_process):
    """The set-password mail is sent in-process, even when REDIS_URL names a broker."""


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run import_officers with the after-commit work done, as in a real run."""

    def run(path: Path, *args: str) -> tuple[int, str, str]:
        with django_capture_on_commit_callbacks(execute=True):
            return run_command("import_officers", str(path), *args)

    return run


def write(tmp_path: Path, text: str, *, name: str = "officers.csv", bom: bool = False) -> Path:
    return write_csv(tmp_path, text, name=name, bom=bom)


def snapshot() -> tuple[list[tuple], list[tuple], list[tuple], int]:
    users = list(
        User.objects.order_by("pk").values_list(
            "username", "full_name", "email", "password", "is_staff", "is_active"
        )
    )
    assignments = list(
        Assignment.objects.order_by("user__username", "role").values_list(
            "user__username", "role", "unit__name", "agency__code", "reception_point__code"
        )
    )
    events = list(AuditEvent.objects.order_by("pk").values_list("event", "data"))
    return users, assignments, events, len(mail.outbox)


def officers() -> list[tuple]:
    return [
        (user.username, user.full_name, user.email, user.is_staff, user.has_usable_password())
        for user in User.objects.order_by("username")
    ]


def citizen() -> User:
    user = UserFactory(username="citizen-lan", full_name="Nguyễn Thị Lan", email="lan@example.org")
    user.set_password(PASSWORD)
    user.save()
    return user


def link_in(text: str) -> str:
    found = re.search(r"https?://\S+", text)
    assert found is not None, text
    return found.group(0).removeprefix(settings.PUBLIC_BASE_URL.rstrip("/"))


def test_imports_officers_with_their_scoped_roles_and_mails_each_a_link(
    tmp_path: Path, run
) -> None:
    # Given a reception officer of the ward's centre, a processing officer of the
    # department who also manages the province, and a ward leader without an email
    path = write(
        tmp_path,
        "role,reception_point_code,username,email,agency_code,unit_code,full_name\n"
        "reception_officer,HAC-THANH,tiepnhan.hacthanh,hoa.le@example.org,,,Lê Thị Hoa\n"
        "processing_officer,,xuly.tuphap,nam.tran@example.org,000.00.38.H56,,Trần Văn Nam\n"
        "leader,,lanhdao.hacthanh,,,14797,Phạm Minh Đức\n"
        "manager,,xuly.tuphap,nam.tran@example.org,,38,Trần Văn Nam\n",
        bom=True,
    )

    # When it is imported
    status, out, err = run(path)

    # Then three officers are created without a usable password, each with their roles
    # (the ward code naming the ward that holds it today)
    assert (status, err) == (0, "")
    assert out == "import_officers: 4 rows, 3 officers: 3 created, 0 updated, 0 unchanged\n"
    assert officers() == [
        ("lanhdao.hacthanh", "Phạm Minh Đức", "", True, False),
        ("tiepnhan.hacthanh", "Lê Thị Hoa", "hoa.le@example.org", True, False),
        ("xuly.tuphap", "Trần Văn Nam", "nam.tran@example.org", True, False),
    ]
    _, assignments, events, _ = snapshot()
    assert assignments == [
        ("lanhdao.hacthanh", "unit_leader", "Phường Hạc Thành", None, None),
        ("tiepnhan.hacthanh", "reception_officer", None, None, "HAC-THANH"),
        ("xuly.tuphap", "manager", "Tỉnh Thanh Hóa", None, None),
        ("xuly.tuphap", "processing_officer", None, "000.00.38.H56", None),
    ]
    assert events == [
        (
            "procedures.officers_imported",
            {
                "file": "officers.csv",
                "rows": 4,
                "officers": 3,
                "created": 3,
                "updated": 0,
                "unchanged": 0,
            },
        )
    ]
    # And each officer with an email gets one set-password mail; the one without, none
    assert sorted(message.to[0] for message in mail.outbox) == [
        "hoa.le@example.org",
        "nam.tran@example.org",
    ]
    [hoa] = [message for message in mail.outbox if message.to == ["hoa.le@example.org"]]
    assert hoa.subject == "Đặt mật khẩu cho tài khoản Cổng dịch vụ công"
    assert hoa.body.splitlines()[:3] == [
        "Kính gửi ông/bà Lê Thị Hoa,",
        "",
        "Tài khoản cán bộ trên Cổng dịch vụ công đã được mở cho ông/bà, với tên đăng nhập "
        "tiepnhan.hacthanh. Để đặt mật khẩu, vui lòng mở đường liên kết sau:",
    ]


def test_reimporting_the_same_file_changes_nothing_and_mails_nothing(tmp_path: Path, run) -> None:
    # Given an imported file whose officers were mailed their links
    path = write(tmp_path, HEADER + HOA + NAM + NAM_MANAGER + DUC)
    assert run(path)[0] == 0
    users, assignments, _, mails = snapshot()
    assert mails == 2

    # When the same file is imported again
    status, out, err = run(path)

    # Then every officer is unchanged and no mail leaves
    assert (status, err) == (0, "")
    assert out == "import_officers: 4 rows, 3 officers: 0 created, 0 updated, 3 unchanged\n"
    assert snapshot()[:2] == (users, assignments)
    assert len(mail.outbox) == 2


def test_changed_roles_are_refused_without_update_and_replaced_with_it(tmp_path: Path, run) -> None:
    # Given Nam processing for the department and managing the province
    assert run(write(tmp_path, HEADER + NAM + NAM_MANAGER))[0] == 0
    moved = write(
        tmp_path,
        HEADER + "xuly.tuphap,Trần Văn Nam,nam.tran@example.org,processing_officer,14797,,\n",
        name="moved.csv",
    )
    before = snapshot()

    # When a file gives him one other role, without --update
    status, out, err = run(moved)

    # Then the file is refused and nothing changes
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        "row 2: username: xuly.tuphap already exists with other roles; use --update to change it",
        "import_officers: 1 problems, nothing imported",
    ]
    assert snapshot() == before

    # When it is imported with --update
    status, out, err = run(moved, "--update")

    # Then his roles are the file's only, and a new link is mailed (he has no password yet)
    assert (status, err) == (0, "")
    assert out == "import_officers: 1 rows, 1 officers: 0 created, 1 updated, 0 unchanged\n"
    assert snapshot()[1] == [("xuly.tuphap", "processing_officer", "Phường Hạc Thành", None, None)]
    assert [message.to for message in mail.outbox] == [["nam.tran@example.org"]] * 2


def test_update_changes_the_name_and_email(tmp_path: Path, run) -> None:
    assert run(write(tmp_path, HEADER + HOA))[0] == 0
    renamed = HOA.replace("Lê Thị Hoa,hoa.le@", "Lê Thị Hòa,hoa@")

    status, out, _ = run(write(tmp_path, HEADER + renamed, name="renamed.csv"), "--update")

    assert status == 0
    assert out == "import_officers: 1 rows, 1 officers: 0 created, 1 updated, 0 unchanged\n"
    assert officers() == [("tiepnhan.hacthanh", "Lê Thị Hòa", "hoa@example.org", True, False)]
    assert [message.to for message in mail.outbox] == [["hoa.le@example.org"], ["hoa@example.org"]]


def test_check_writes_nothing_mails_nothing_but_prints_the_summary(tmp_path: Path, run) -> None:
    # Given a good file
    path = write(tmp_path, HEADER + HOA + NAM + NAM_MANAGER)

    # When it is only checked
    status, out, err = run(path, "--check")

    # Then the summary says what would happen, and nothing is stored or mailed
    assert (status, err) == (0, "")
    assert out == (
        "import_officers: no problems, nothing written (--check): "
        "3 rows, 2 officers: 2 created, 0 updated, 0 unchanged\n"
    )
    assert snapshot() == ([], [], [], 0)


def test_printed_link_lets_the_officer_choose_a_password_once(tmp_path: Path, run) -> None:
    # Given officers imported with --print-links
    status, out, err = run(write(tmp_path, HEADER + HOA + DUC), "--print-links")

    # Then a link is printed per officer, and nothing is mailed
    assert (status, err) == (0, "")
    summary, *lines = out.splitlines()
    assert summary == "import_officers: 2 rows, 2 officers: 2 created, 0 updated, 0 unchanged"
    assert [line.split("\t")[0] for line in lines] == ["tiepnhan.hacthanh", "lanhdao.hacthanh"]
    assert all(line.split("\t")[1].startswith(settings.PUBLIC_BASE_URL) for line in lines)
    assert mail.outbox == []

    # When Hoa opens her link and chooses a password
    client = Client()
    link = link_in(lines[0].split("\t")[1])
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    assert set_password_url.endswith("/set-password/")
    done = client.post(set_password_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    # Then she signs in with it and lands on her counter
    assert done["Location"] == reverse("portal:password-reset-complete")
    signed_in = client.post(
        reverse("portal:login"), {"username": "tiepnhan.hacthanh", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("reception:counter:home")
    # And the link is spent
    again = Client().get(link, follow=True)
    assert again.redirect_chain == []
    assert "new_password1" not in again.content.decode()


def test_mailed_link_lets_the_officer_choose_a_password(tmp_path: Path, run) -> None:
    assert run(write(tmp_path, HEADER + HOA))[0] == 0
    [message] = mail.outbox
    client = Client()

    form_page = client.get(link_in(message.body), follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    signed_in = client.post(
        reverse("portal:login"), {"username": "tiepnhan.hacthanh", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("portal:profile")).context["user"].username == "tiepnhan.hacthanh"


def test_print_links_skips_the_officers_who_chose_a_password(tmp_path: Path, run) -> None:
    # Given Hoa imported and holding a password, Đức imported without one
    path = write(tmp_path, HEADER + HOA + DUC)
    assert run(path)[0] == 0
    hoa = User.objects.get(username="tiepnhan.hacthanh")
    hoa.set_password(PASSWORD)
    hoa.save()
    mails = len(mail.outbox)

    # When the file is imported again with --print-links
    status, out, _ = run(path, "--print-links")

    # Then only Đức's link is printed, and nothing is mailed
    assert status == 0
    summary, line = out.splitlines()
    assert summary == "import_officers: 2 rows, 2 officers: 0 created, 0 updated, 2 unchanged"
    assert line.split("\t")[0] == "lanhdao.hacthanh"
    assert len(mail.outbox) == mails


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            HEADER + "tiepnhan.hacthanh,Lê Thị Hoa,,reception_officer,14797,,HAC-THANH\n",
            [
                "row 2: unit_code: exactly one of unit_code, agency_code, reception_point_code "
                "(given: unit_code and reception_point_code)"
            ],
            id="two scopes",
        ),
        pytest.param(
            HEADER + "tiepnhan.hacthanh,Lê Thị Hoa,,reception_officer,,,\n",
            [
                "row 2: unit_code: exactly one of unit_code, agency_code, reception_point_code "
                "(given: none)"
            ],
            id="no scope",
        ),
        pytest.param(
            HEADER + "lanhdao,Phạm Minh Đức,,leader,40,,\n",
            ["row 2: unit_code: unknown unit 40"],
            id="unknown unit",
        ),
        pytest.param(
            HEADER + "xuly,Trần Văn Nam,,processing_officer,,000.00.99.H56,\n",
            ["row 2: agency_code: unknown agency 000.00.99.H56"],
            id="unknown agency",
        ),
        pytest.param(
            HEADER + "tiepnhan,Lê Thị Hoa,,reception_officer,,,DONG-HAI\n",
            ["row 2: reception_point_code: unknown reception point DONG-HAI"],
            id="unknown reception point",
        ),
        pytest.param(
            HEADER + "xuly,Trần Văn Nam,,processing_officer,,H56.380,\n",
            ["row 2: agency_code: UBND thành phố Thanh Hóa closed on 2025-06-30"],
            id="abolished agency",
        ),
        pytest.param(
            HEADER + "chutich,Phạm Minh Đức,,chairman,14797,,\n",
            [
                "row 2: role: 'chairman' is not one of reception_officer, processing_officer, "
                "leader, manager"
            ],
            id="bad role",
        ),
        pytest.param(
            HEADER + HOA.replace("hoa.le@example.org", "hoa.le@"),
            ["row 2: email: 'hoa.le@' is not an email address"],
            id="bad email",
        ),
        pytest.param(
            HEADER + HOA.replace("hoa.le@example.org", "LAN@example.org"),
            ["row 2: email: already the email of account citizen-lan"],
            id="email of another account",
        ),
        pytest.param(
            HEADER + HOA + DUC.replace(",,leader", ",Hoa.Le@example.org,leader"),
            ["row 3: email: also the email of row 2"],
            id="one email for two officers",
        ),
        pytest.param(
            HEADER + NAM + NAM_MANAGER.replace("Trần Văn Nam", "Trần Văn Năm"),
            ["row 3: full_name: differs from row 2 (xuly.tuphap)"],
            id="rows of one officer disagree on the name",
        ),
        pytest.param(
            HEADER + NAM + NAM.replace("xuly.tuphap", "XuLy.TuPhap"),
            ["row 3: username: XuLy.TuPhap is xuly.tuphap of row 2"],
            id="one username spelt two ways",
        ),
        pytest.param(
            HEADER + NAM + NAM_MANAGER + NAM,
            ["row 4: role: repeats row 2"],
            id="same role and scope twice",
        ),
        pytest.param(
            "username,full_name,role,unit_code,password\n"
            "lanhdao.hacthanh,Phạm Minh Đức,leader,14797,Matkhau123\n",
            [
                "row 1: password: passwords never go in a file: each officer receives a "
                "set-password link"
            ],
            id="password column",
        ),
        pytest.param(
            HEADER + "citizen-lan,Nguyễn Thị Lan,lan@example.org,reception_officer,,,HAC-THANH\n",
            ["row 2: username: citizen-lan is an account that is not an officer"],
            id="a citizen's username",
        ),
        pytest.param(
            HEADER + "tiep nhan,Lê Thị Hoa,,reception_officer,,,HAC-THANH\n",
            ["row 2: username: 'tiep nhan': letters, digits and @ . + - _ only"],
            id="bad username",
        ),
        pytest.param(
            "username,full_name,role,unit_code,phone\nlanhdao,Phạm Minh Đức,leader,14797,0912\n",
            ["row 1: phone: unknown column"],
            id="unknown column",
        ),
    ],
)
def test_bad_file_writes_nothing_and_names_every_problem(
    tmp_path: Path, run, content: str, expected: list[str]
) -> None:
    # Given a citizen's account
    citizen()
    before = snapshot()

    # When a bad file is imported
    status, out, err = run(write(tmp_path, content))

    # Then every problem is named, and nothing is written or mailed
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        *expected,
        f"import_officers: {len(expected)} problems, nothing imported",
    ]
    assert snapshot() == before


def test_a_citizen_account_is_left_alone_even_with_update(tmp_path: Path, run) -> None:
    # Given a citizen's account
    user = citizen()
    before = snapshot()

    # When a file names her username as an officer, with --update
    path = write(tmp_path, HEADER + "citizen-lan,Nguyễn Thị Lan,lan@example.org,manager,38,,\n")
    status, _, err = run(path, "--update")

    # Then the file is refused and her account keeps its password and no role
    assert status == 1
    assert err.splitlines()[0] == (
        "row 2: username: citizen-lan is an account that is not an officer"
    )
    assert snapshot() == before
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
