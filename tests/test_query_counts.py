"""The main pages read as many queries for 30 dossiers and units as for 3 (issue #25):
a count that grows with the data is a loop of queries, which a province's real size turns
into seconds. Each page is asked once to warm the caches, then counted."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from dossiers import codes
from dossiers.models import Channel, Dossier, HandOver, Status
from dossiers.tests.conftest import Office, office  # noqa: F401 - the commune fixture
from portal.roles import Role
from procedures.models import AdministrativeUnit, Agency, Assignment, ReceptionPoint
from reception.inbox.selectors import inbox_counts
from reception.tests.conftest import api, papers, vnpost  # noqa: F401 - the partner fixtures
from reporting import snapshots
from tests.factories import UserFactory

SECRET = "ABCDEFGH"


def grow(place: Office, size: int) -> Dossier:
    """`size` communes more under the province, and `size` dossiers of each kind the pages
    list: to process (some overdue), waiting, results, sent for reception, handed over to
    the commune for a coordinated step; returns one with a known lookup secret."""
    province = place.unit.parent
    start = AdministrativeUnit.objects.filter(parent=province).count()
    now = timezone.now()
    for n in range(start, start + size):
        unit = AdministrativeUnit.objects.create(
            code=f"{20000 + n}", name=f"Xã {n}", level="commune", parent=province
        )
        agency = Agency.objects.create(code=f"H56.{500 + n}", name=f"UBND xã {n}", unit=unit)
        ReceptionPoint.objects.create(code=f"bp-{n}", name=f"Bộ phận {n}", unit=unit)
        place.procedure.agencies.add(agency)
        elsewhere = place.dossier(Status.IN_PROCESS, agency=agency, unit=unit)
        HandOver.objects.create(
            dossier=elsewhere,
            sequence=2,
            step_name="Phối hợp",
            to_agency=place.agency,
            sent_by=place.processing,
            sent_at=now,
        )
        place.dossier(Status.RECEIVED, due_at=now - timedelta(days=n + 1))
        place.dossier(Status.IN_PROCESS)
        place.dossier(Status.SUPPLEMENT_REQUESTED)
        place.dossier(Status.COMPLETED)
        place.dossier(Status.SUBMITTED, channel=Channel.POSTAL)
    dossier = Dossier.objects.filter(unit=place.unit, code__isnull=False).first()
    assert dossier is not None
    dossier.lookup_secret_hash = codes.secret_hash(dossier, SECRET)
    dossier.save(update_fields=["lookup_secret_hash"])
    snapshots.refresh_full()
    return dossier


def counted(fetch: Callable[[], object]) -> int:
    fetch()  # the officer's scope and the calendars are then in the caches
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert getattr(response, "status_code", 200) in (200, 201)
    return len(captured)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def province_manager(office):  # noqa: F811 - the imported fixture
    user = UserFactory(username="quanly.tinh", is_staff=True)
    Assignment.objects.create(user=user, role=Role.MANAGER, unit=office.unit.parent)
    return user


def pages(place: Office, manager, dossier: Dossier) -> dict[str, Callable[[], object]]:
    province, commune = place.unit.parent, place.unit
    processing, reception, managing = (
        logged_in(place.processing),
        logged_in(place.reception),
        logged_in(manager),
    )
    return {
        "inbox": lambda: processing.get("/reception/inbox/"),
        "inbox counts": lambda: inbox_counts(user=place.processing),
        "counter home": lambda: reception.get("/reception/"),
        "overdue list": lambda: managing.get(f"/reporting/units/{province.pk}/overdue/"),
        "province dashboard": lambda: managing.get(f"/reporting/units/{province.pk}/"),
        "commune dashboard": lambda: managing.get(f"/reporting/units/{commune.pk}/"),
        "lookup": lambda: Client().get("/lookup/", {"code": dossier.code, "secret": SECRET}),
    }


@pytest.mark.parametrize(
    "page",
    [
        "inbox",
        "inbox counts",
        "counter home",
        "overdue list",
        "province dashboard",
        "commune dashboard",
        "lookup",
    ],
)
def test_a_page_reads_as_many_queries_for_30_dossiers_as_for_3(
    office,  # noqa: F811 - the imported fixture
    province_manager,
    page: str,
) -> None:
    few = counted(pages(office, province_manager, grow(office, 3))[page])

    many = counted(pages(office, province_manager, grow(office, 27))[page])

    assert many == few


def test_a_pickup_writes_with_as_many_queries_for_30_dossiers_as_for_3(
    office,  # noqa: F811 - the imported fixture
    api: APIClient,  # noqa: F811 - the imported fixture
    papers: list[int],  # noqa: F811 - the imported fixture
) -> None:
    bills = iter(range(10**6))

    def pickup():
        bill = next(bills)
        return api.post(
            "/api/v1/postal/pickups/",
            {
                "procedure": office.procedure.code,
                "reception_point": office.point.code,
                "applicant": {"name": "Nguyễn Thị Lan", "phone": "0912345678"},
                "components_checked": papers[:2],
                "bill_number": f"EB{bill:09d}VN",
                "service": "both",
                "delivery_address": "12 Lê Lợi, phường Hạc Thành",
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"pickup-{bill}",
        )

    grow(office, 3)
    few = counted(pickup)
    grow(office, 27)
    many = counted(pickup)

    assert many == few
    assert many <= 20
