import re

from django.test import Client
from rest_framework.test import APIClient

from reception.models import PartnerClient, PartnerKey
from tests.factories import UserFactory


def test_an_administrator_creates_a_partner_and_sees_its_key_once(client: Client, office):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    page = client.post(
        "/admin/reception/partnerclient/add/",
        {
            "code": "vnpost",
            "name": "Bưu điện tỉnh",
            "scopes": ["results:read"],
            "reception_points": [office.point.pk],
            "webhook_url": "",
        },
    )

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    key = re.search(r"<code>([0-9a-f]{12}\.[\w-]+)</code>", page.content.decode()).group(1)
    stored = PartnerKey.objects.get()
    assert key.split(".")[1] not in stored.secret_hash
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert api.get("/api/v1/postal/results/").status_code == 200

    partner = PartnerClient.objects.get()
    rotated = client.post(
        "/admin/reception/partnerclient/",
        {"action": "rotate_key", "_selected_action": [partner.pk]},
    )
    new_key = re.search(r"<code>([0-9a-f]{12}\.[\w-]+)</code>", rotated.content.decode()).group(1)
    assert new_key != key
    assert PartnerKey.objects.count() == 2
    assert PartnerKey.objects.get(prefix=key.split(".")[0]).expires_at is not None


def test_the_demo_sandbox_partner(db) -> None:
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_partner", stdout=out)
    key = re.search(r"API key (\S+)", out.getvalue()).group(1)
    again = io.StringIO()
    call_command("load_demo_partner", stdout=again)

    assert again.getvalue().strip() == "buudien-sandbox: exists (use --rotate for a new key)"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert api.get("/api/v1/postal/results/").status_code == 200
