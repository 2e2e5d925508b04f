"""The postal partner API (Decision 45/2016): scopes, unit restrictions, keys, idempotent
replays and bad payloads refused with nothing stored."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from dossiers.models import Dossier, Status
from portal.models import AuditEvent
from reception.models import IdempotencyRecord, PartnerClient, Shipment, ShipmentEvent
from reception.postal.keys import partner_create, partner_key_revoke, partner_key_rotate

pytestmark = pytest.mark.django_db


def pickup(office, papers, **changes) -> dict:
    body = {
        "procedure": office.procedure.code,
        "reception_point": office.point.code,
        "applicant": {
            "name": "Nguyễn Thị Lan",
            "phone": "0912345678",
            "citizen_id": "038190000123",
        },
        "components_checked": papers[:2],
        "bill_number": "EB123456789VN",
        "sealed_package": "TH-000123",
        "fees_collected": 0,
        "service": "both",
        "delivery_address": "12 Lê Lợi, phường Hạc Thành",
    }
    body.update(changes)
    return body


def post(api: APIClient, url: str, body: dict, key: str = "k-1"):
    return api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def refusal(code: str, message: str, field: str | None = None) -> dict:
    """The body of a refusal with one problem (portal.api_errors)."""
    problem = {"code": code, "message": message, "field": field}
    return {**problem, "errors": [problem]}


def stored() -> tuple[int, int, int, int]:
    return (
        Dossier.objects.count(),
        Shipment.objects.count(),
        ShipmentEvent.objects.count(),
        IdempotencyRecord.objects.count(),
    )


def test_a_pickup_becomes_a_postal_dossier_awaiting_reception(api, office, papers) -> None:
    response = post(api, "/api/v1/postal/pickups/", pickup(office, papers))

    assert response.status_code == 201, response.json()
    body = response.json()
    dossier = Dossier.objects.get()
    assert body["dossier"]["reference"] == dossier.reference
    assert (body["dossier"]["status"], body["dossier"]["code"]) == ("submitted", None)
    assert body["shipment"] == {
        "bill_number": "EB123456789VN",
        "direction": "dossier",
        "service": "both",
        "status": "picked_up",
        "sealed_package": "TH-000123",
        "fees_collected": 0,
    }
    assert (dossier.channel, dossier.result_delivery, dossier.reception_point) == (
        "postal",
        "postal",
        office.point,
    )
    event = AuditEvent.objects.get(event__startswith="dossiers.")
    assert (event.event, event.data["channel"]) == ("dossiers.submitted", "postal")


def test_the_same_key_and_body_replay_and_another_body_conflicts(api, office, papers) -> None:
    first = post(api, "/api/v1/postal/pickups/", pickup(office, papers))
    again = post(api, "/api/v1/postal/pickups/", pickup(office, papers))
    other = post(api, "/api/v1/postal/pickups/", pickup(office, papers, bill_number="EB2"))

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 409
    assert other.json() == refusal(
        "postal.idempotency_key_reused",
        "Idempotency-Key này đã được dùng cho một yêu cầu khác.",
        "Idempotency-Key",
    )
    assert stored() == (1, 1, 1, 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"components_checked": []}, "components_checked"),
        ({"procedure": "9.999999"}, "procedure"),
        ({"reception_point": "khong-co"}, "reception_point"),
        ({"applicant": {"name": ""}}, "applicant.name"),
        ({"applicant": {"name": "Lan", "citizen_id": "12345"}}, "applicant.citizen_id"),
        ({"applicant": {"name": "Lan", "email": "a" * 290 + "@example.org"}}, "applicant.email"),
        ({"bill_number": "x"}, "bill_number"),
        ({"service": "teleport"}, "service"),
        ({"fees_collected": -5}, "fees_collected"),
        ({"delivery_address": ""}, "delivery_address"),
    ],
)
def test_bad_payloads_are_refused_naming_the_field(api, office, papers, changes, field) -> None:
    response = post(api, "/api/v1/postal/pickups/", pickup(office, papers, **changes))

    assert response.status_code == 400
    body = response.json()
    assert (body["field"], [problem["field"] for problem in body["errors"]]) == (field, [field])
    assert stored() == (0, 0, 0, 0)
    assert not AuditEvent.objects.filter(event__startswith="dossiers.").exists()


def test_a_procedure_not_received_by_post_is_refused(api, office, papers) -> None:
    office.procedure.postal_intake = False
    office.procedure.save()

    response = post(api, "/api/v1/postal/pickups/", pickup(office, papers))

    assert response.status_code == 400
    assert response.json() == refusal(
        "dossier.procedure_not_postal",
        f"Thủ tục {office.procedure.code} không tiếp nhận hồ sơ qua bưu chính.",
        "procedure",
    )
    assert stored() == (0, 0, 0, 0)


def test_a_post_without_an_idempotency_key_is_refused(api, office, papers) -> None:
    response = api.post("/api/v1/postal/pickups/", pickup(office, papers), format="json")

    assert response.status_code == 400
    assert response.json() == refusal(
        "postal.idempotency_key_required",
        "Hãy gửi kèm tiêu đề Idempotency-Key, dài không quá 100 ký tự.",
        "Idempotency-Key",
    )
    assert stored() == (0, 0, 0, 0)


def test_another_reception_point_is_out_of_the_partners_reach(api, office, papers) -> None:
    response = post(
        api,
        "/api/v1/postal/pickups/",
        pickup(office, papers, reception_point=office.other_point.code),
    )

    assert response.status_code == 403
    assert stored() == (0, 0, 0, 0)


def test_scopes_are_enforced(office, papers) -> None:
    readonly = partner_create(
        code="reader",
        name="Chỉ đọc",
        scopes=["results:read"],
        reception_points=[office.point],
        actor=None,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {readonly.api_key}")

    assert post(client, "/api/v1/postal/pickups/", pickup(office, papers)).status_code == 403
    assert client.get("/api/v1/postal/results/").status_code == 200
    assert stored() == (0, 0, 0, 0)


def test_keys_missing_wrong_revoked_and_rotated(vnpost, office, papers) -> None:
    client = APIClient()
    assert client.get("/api/v1/postal/results/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {vnpost.api_key}x")
    assert client.get("/api/v1/postal/results/").status_code == 401

    new_key = partner_key_rotate(client=vnpost.client, actor=None)
    old, new = APIClient(), APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Api-Key {vnpost.api_key}")
    new.credentials(HTTP_AUTHORIZATION=f"Api-Key {new_key}")
    assert old.get("/api/v1/postal/results/").status_code == 200  # a day's grace
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert old.get("/api/v1/postal/results/").status_code == 401
        assert new.get("/api/v1/postal/results/").status_code == 200

    partner_key_revoke(key=vnpost.client.keys.get(prefix=new_key.split(".")[0]), actor=None)
    assert new.get("/api/v1/postal/results/").status_code == 401
    assert vnpost.client.keys.get(prefix=new_key.split(".")[0]).secret_hash not in new_key


def test_a_partner_is_throttled_at_its_own_rate(api, vnpost) -> None:
    PartnerClient.objects.filter(pk=vnpost.client.pk).update(requests_per_minute=2)

    statuses = [api.get("/api/v1/postal/results/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_results_are_delivered_and_the_dossier_is_returned_by_post(api, office, papers) -> None:
    mine = office.dossier(Status.COMPLETED, code="H56.HT-260302-0001", result_delivery="postal")
    office.dossier(Status.COMPLETED, code="H56.HT-260302-0002", result_delivery="counter")
    office.dossier(
        Status.COMPLETED,
        code="H56.101-260302-0001",
        result_delivery="postal",
        agency=office.other_agency,
        reception_point=office.other_point,
    )

    listing = api.get("/api/v1/postal/results/").json()
    assert [row["code"] for row in listing["results"]] == ["H56.HT-260302-0001"]
    assert listing["results"][0]["delivery_address"] == ""

    response = post(
        api,
        f"/api/v1/postal/results/{mine.code}/delivery/",
        {"bill_number": "RR987654321VN"},
        key="deliver-1",
    )
    assert response.status_code == 200, response.json()
    mine.refresh_from_db()
    assert (mine.status, mine.result_delivery, mine.returned_by) == (
        "returned",
        "postal",
        PartnerClient.objects.get().account,
    )
    other = post(
        api,
        "/api/v1/postal/results/H56.101-260302-0001/delivery/",
        {"bill_number": "RR0001"},
        key="deliver-2",
    )
    assert other.status_code == 404


def test_shipment_events_and_the_partners_own_dossiers(api, office, papers) -> None:
    created = post(api, "/api/v1/postal/pickups/", pickup(office, papers)).json()
    reference = created["dossier"]["reference"]

    handed = post(
        api,
        "/api/v1/postal/shipments/EB123456789VN/events/",
        {"kind": "handed_to_reception", "occurred_at": "2026-11-25T10:00:00+07:00"},
        key="ev-1",
    )
    unknown = post(
        api,
        "/api/v1/postal/shipments/XX000/events/",
        {"kind": "delivered", "occurred_at": "2026-11-25T10:00:00+07:00"},
        key="ev-2",
    )
    state = api.get(f"/api/v1/postal/dossiers/{reference}/")
    stranger = office.dossier(Status.RECEIVED)

    assert handed.status_code == 201
    assert Shipment.objects.get().status == "handed_to_reception"
    assert unknown.status_code == 404
    assert state.status_code == 200
    assert state.json()["status"] == "submitted"
    assert api.get(f"/api/v1/postal/dossiers/{stranger.reference}/").status_code == 404


@pytest.mark.parametrize(
    ("asked", "answer"), [("null", 400), ("0", 400), ("-1", 400), ("x", 400), ("2", 200)]
)
def test_a_page_size_is_a_whole_number_or_refused(api, asked, answer) -> None:
    response = api.get("/api/v1/postal/results/", {"page_size": asked})

    assert response.status_code == answer
    if answer == 400:
        assert response.json()["field"] == "page_size"


def test_the_schema_declares_the_idempotency_keys_length(client) -> None:
    schema = client.get("/api/schema/?format=json").json()

    parameters = schema["paths"]["/api/v1/postal/pickups/"]["post"]["parameters"]
    key = next(p for p in parameters if p["name"] == "Idempotency-Key")
    assert key["schema"] == {"type": "string", "minLength": 1, "maxLength": 100}
    assert key["required"] is True


@pytest.mark.parametrize(
    ("accept", "message"),
    [
        ("en-US,en;q=0.9", "Give a whole number of 1 or more."),
        ("vi", "Hãy nhập một số nguyên từ 1 trở lên."),
        ("", "Hãy nhập một số nguyên từ 1 trở lên."),
    ],
)
def test_the_api_answers_in_the_language_the_program_accepts(api, accept, message) -> None:
    response = api.get("/api/v1/postal/results/", {"page_size": "x"}, HTTP_ACCEPT_LANGUAGE=accept)

    assert response.json()["message"] == message


def test_pages_stay_vietnamese_whatever_the_browser_accepts(client) -> None:
    page = client.get("/lookup/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert page["Content-Language"] == "vi"
