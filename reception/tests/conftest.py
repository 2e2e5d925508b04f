import pytest
from rest_framework.test import APIClient

from dossiers.tests.conftest import office  # noqa: F401 - the commune fixture
from procedures.models import Component, CopyType
from reception.postal.keys import partner_create

ALL_SCOPES = ["pickups:create", "shipments:write", "results:read", "dossiers:read"]


@pytest.fixture
def papers(office) -> list[int]:  # noqa: F811 - the imported fixture
    return [
        Component.objects.create(
            procedure=office.procedure, position=1, name="Tờ khai", copy_type=CopyType.ORIGINAL
        ).pk,
        Component.objects.create(
            procedure=office.procedure,
            position=2,
            name="Căn cước",
            copy_type=CopyType.CERTIFIED_COPY,
        ).pk,
        Component.objects.create(
            procedure=office.procedure,
            position=3,
            name="Văn bản ủy quyền",
            copy_type=CopyType.ORIGINAL,
            required=False,
        ).pk,
    ]


@pytest.fixture
def vnpost(office):  # noqa: F811 - the imported fixture
    return partner_create(
        code="vnpost-thanhhoa",
        name="Bưu điện tỉnh Thanh Hóa",
        scopes=ALL_SCOPES,
        reception_points=[office.point],
        webhook_url="http://127.0.0.1:9/hook",
        actor=None,
    )


@pytest.fixture
def api(vnpost) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {vnpost.api_key}")
    return client
