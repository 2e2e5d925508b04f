"""The admin's import pages: upload, the whole file checked with nothing written, the row
problems listed or what it would do, then the confirmed import."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.models import AuditEvent
from procedures.models import AdministrativeUnit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/imports/"
UNITS = (
    "code,name,level,parent_code\n38,Tỉnh Thanh Hóa,province,\n14797,Phường Hạc Thành,commune,38\n"
)


@pytest.fixture
def operator(client, settings, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path
    admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    return admin


def upload(client, text: str, kind: str = "units", **extra: str):
    csv = SimpleUploadedFile("units.csv", text.encode(), content_type="text/csv")
    return client.post(URL, {"kind": kind, "file": csv, **extra})


def stored() -> tuple[list[tuple], int]:
    units = list(AdministrativeUnit.objects.order_by("code").values_list("code", "name"))
    return units, AuditEvent.objects.count()


def test_reachable_from_the_admin_header(client, operator) -> None:
    page = client.get(reverse("admin:index")).content.decode()

    assert f'<a href="{URL}">Import data</a>' in page


def test_a_good_file_is_checked_then_imported_on_confirmation(client, operator, tmp_path) -> None:
    # When the operator uploads a good file
    checked = upload(client, UNITS)

    # Then the page says what the import would do, and nothing is written yet
    page = checked.content.decode()
    assert checked.status_code == 200
    assert "If you confirm: 2 rows: 2 created, 0 updated, 0 unchanged" in page
    assert stored() == ([], 0)
    [waiting] = list((tmp_path / "imports").iterdir())

    # When they confirm
    confirmation = checked.context["confirmation"]
    done = client.post(URL, {"confirm": confirmation}, follow=True)

    # Then the import ran once, on their name, and the waiting file is gone
    assert "Administrative units: 2 rows: 2 created, 0 updated, 0 unchanged" in (
        done.content.decode()
    )
    assert stored()[0] == [("14797", "Phường Hạc Thành"), ("38", "Tỉnh Thanh Hóa")]
    event = AuditEvent.objects.get()
    assert (event.event, event.actor) == ("procedures.units_imported", operator)
    assert not waiting.exists()
    # A second confirmation of the same check finds nothing to import
    again = client.post(URL, {"confirm": confirmation}, follow=True)
    assert "This check has expired: upload the file again." in again.content.decode()
    assert AuditEvent.objects.count() == 1


def test_a_bad_file_lists_its_problems_and_writes_nothing(client, operator, tmp_path) -> None:
    response = upload(client, UNITS + "9999,Xã Lạ,commune,38\n,Không mã,commune,38\n")

    assert response.status_code == 422
    page = response.content.decode()
    assert "Administrative units: 2 problems, nothing imported" in page
    assert (
        "<tr><td>4</td><td><code>code</code></td><td>a commune code has exactly 5 digits, "
        "not &#x27;9999&#x27;</td></tr>"
    ) in page
    assert "<tr><td>5</td><td><code>code</code></td><td>required</td></tr>" in page
    assert "confirm" not in response.context or not response.context.get("confirmation")
    assert stored() == ([], 0)
    assert list((tmp_path / "imports").iterdir()) == []


def test_a_forged_confirmation_imports_nothing(client, operator) -> None:
    upload(client, UNITS)

    response = client.post(URL, {"confirm": "units:forged"}, follow=True)

    assert "This check has expired: upload the file again." in response.content.decode()
    assert stored() == ([], 0)


@pytest.mark.parametrize("kind", ["staff", "officer"])
def test_only_administrators_import(client, settings, tmp_path, kind) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(UserFactory(username=kind, is_staff=kind == "staff"))

    response = upload(client, UNITS)

    assert response.status_code in (302, 403)
    assert stored() == ([], 0)
    assert not (tmp_path / "imports").exists() or not list((tmp_path / "imports").iterdir())


def test_the_whole_catalogue_is_uploaded_as_its_files(client, operator, tmp_path) -> None:
    # Given the example catalogue's agency, and its five files chosen together
    from procedures.models import Agency, Procedure
    from tests.factories import UnitFactory

    unit = UnitFactory(code="38", name="Tỉnh Thanh Hóa", level="province")
    Agency.objects.create(code="H56.HT", name="UBND phường Hạc Thành", unit=unit)
    folder = Path(__file__).resolve().parents[2] / "docs" / "examples" / "catalogue"
    files = [
        SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
        for path in sorted(folder.glob("*.csv"))
    ]

    checked = client.post(URL, {"kind": "catalogue", "file": files})

    assert checked.status_code == 200
    assert (
        "If you confirm: procedures.csv: 12 rows: 12 created, 0 updated, 0 unchanged; "
        "papers.csv: 32 rows: 32 created, 0 updated, 0 unchanged; "
        "fees.csv: 10 rows: 10 created, 0 updated, 0 unchanged; "
        "steps.csv: 50 rows: 50 created, 0 updated, 0 unchanged; "
        "groups.csv: 3 rows: 3 created, 0 updated, 0 unchanged"
    ) in checked.content.decode()
    assert Procedure.objects.count() == 0
    client.post(URL, {"confirm": checked.context["confirmation"]})
    assert Procedure.objects.count() == 12


def test_one_file_imports_refuse_several(client, operator) -> None:
    files = [
        SimpleUploadedFile(name, UNITS.encode(), content_type="text/csv")
        for name in ("a.csv", "b.csv")
    ]

    response = client.post(URL, {"kind": "units", "file": files})

    assert "This import reads one file." in response.content.decode()
    assert stored() == ([], 0)
