"""Issue #17: every refusal of the postal API answers {code, message, field, errors} with
its status, in the partner's language (Vietnamese unless its language cookie says
English), and nothing
is stored; no service error becomes a server error."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from rest_framework.test import APIClient

from dossiers.models import Dossier, Status
from portal.service_errors import ServiceError
from procedures.models import InterconnectionGroup
from reception.models import PartnerClient, Shipment, ShipmentEvent
from reception.postal import services
from reception.postal.keys import partner_create
from tests.service_errors import error_classes, sample

from .test_postal_api import pickup, post, stored

pytestmark = pytest.mark.django_db


def refusal(code: str, message: str, field: str | None = None) -> dict:
    problem = {"code": code, "message": message, "field": field}
    return {**problem, "errors": [problem]}


def drf(message: str) -> str:
    """One of DRF's own messages, as DRF says it in Vietnamese."""
    with translation.override("vi"):
        return translation.gettext(message)


def deliver(api: APIClient, code: str, bill: str = "RR987654321VN", key: str = "d-1"):
    return post(api, f"/api/v1/postal/results/{code}/delivery/", {"bill_number": bill}, key=key)


def test_a_pickup_at_a_point_the_partner_does_not_serve_is_denied(api, office, papers) -> None:
    body = pickup(office, papers, reception_point=office.other_point.code)

    response = post(api, "/api/v1/postal/pickups/", body)

    assert response.status_code == 403
    assert response.json() == refusal(
        "dossier.partner_point_denied",
        "Đối tác bưu chính này không phục vụ điểm tiếp nhận đã chọn.",
        "reception_point",
    )
    assert stored() == (0, 0, 0, 0)


def test_a_refusal_speaks_the_language_the_partner_asks_for(api, office, papers) -> None:
    body = pickup(office, papers, reception_point=office.other_point.code)

    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = post(api, "/api/v1/postal/pickups/", body)

    assert response.json() == refusal(
        "dossier.partner_point_denied",
        "This postal partner does not serve the reception point.",
        "reception_point",
    )


def test_a_missing_paper_is_refused_naming_it(api, office, papers) -> None:
    response = post(api, "/api/v1/postal/pickups/", pickup(office, papers, components_checked=[]))

    assert response.status_code == 400
    assert response.json() == refusal(
        "postal.papers_missing", "Còn thiếu giấy tờ: Tờ khai, Căn cước.", "components_checked"
    )
    assert stored() == (0, 0, 0, 0)


def test_several_bad_inputs_are_refused_together(api, office, papers) -> None:
    body = pickup(office, papers, bill_number="x", service="teleport")

    response = post(api, "/api/v1/postal/pickups/", body)

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_data",
        "message": "Một số thông tin không hợp lệ: xem lỗi tại từng trường.",
        "field": None,
        "errors": [
            {
                "code": "invalid",
                "message": drf("This value does not match the required pattern."),
                "field": "bill_number",
            },
            {
                "code": "invalid_choice",
                "message": drf('"{input}" is not a valid choice.').format(input="teleport"),
                "field": "service",
            },
        ],
    }
    assert stored() == (0, 0, 0, 0)


def test_an_unknown_result_is_not_found(api, office) -> None:
    response = deliver(api, "H56.HT-260302-9999")

    assert response.status_code == 404
    assert response.json() == refusal("not_found", "Không tìm thấy.")


def test_a_result_returned_at_the_counter_meanwhile_is_not_delivered(
    api, office, monkeypatch
) -> None:
    """The partner listed the result; the applicant then collected it at the counter."""
    dossier = office.dossier(Status.RETURNED, code="H56.HT-260302-0001", result_delivery="postal")
    monkeypatch.setattr(services, "results_ready", lambda client: Dossier.objects.all())

    response = deliver(api, dossier.code)

    assert response.status_code == 409
    assert response.json() == refusal(
        "dossier.invalid_transition",
        "Không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái “Đã trả kết quả”.",
    )
    assert (Shipment.objects.count(), ShipmentEvent.objects.count()) == (0, 0)
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_an_interconnected_dossier_is_delivered_through_its_members(api, office) -> None:
    group = InterconnectionGroup.objects.create(
        code="BIRTH_GROUP", name="Liên thông khai sinh", time_limit=Decimal(3)
    )
    parent = office.dossier(
        Status.COMPLETED,
        code="H56.HT-260302-0001",
        result_delivery="postal",
        interconnection_group=group,
    )

    response = deliver(api, parent.code)

    assert response.status_code == 409
    assert response.json() == refusal(
        "dossier.interconnected_parent",
        "Hồ sơ liên thông theo trạng thái của các hồ sơ thành phần: "
        "hãy thao tác trên từng hồ sơ thành phần.",
    )
    assert (Shipment.objects.count(), Dossier.objects.get(pk=parent.pk).status) == (
        0,
        Status.COMPLETED,
    )


def test_a_bill_number_of_another_dossier_is_refused(api, office) -> None:
    first = office.dossier(Status.COMPLETED, code="H56.HT-260302-0001", result_delivery="postal")
    second = office.dossier(Status.COMPLETED, code="H56.HT-260302-0002", result_delivery="postal")
    assert deliver(api, first.code, bill="RR0001", key="d-1").status_code == 200

    response = deliver(api, second.code, bill="RR0001", key="d-2")

    assert response.status_code == 400
    assert response.json() == refusal(
        "postal.bill_number_of_another_dossier",
        "Số vận đơn này thuộc về một hồ sơ khác.",
        "bill_number",
    )
    assert Dossier.objects.get(pk=second.pk).status == Status.COMPLETED


def test_credentials_missing_wrong_or_short_of_the_scope(vnpost, office) -> None:
    anonymous, wrong, reader = APIClient(), APIClient(), APIClient()
    wrong.credentials(HTTP_AUTHORIZATION=f"Api-Key {vnpost.api_key}x")
    readonly = partner_create(
        code="reader", name="Chỉ đọc", scopes=["results:read"], reception_points=[], actor=None
    )
    reader.credentials(HTTP_AUTHORIZATION=f"Api-Key {readonly.api_key}")

    missing = anonymous.get("/api/v1/postal/results/")
    refused = wrong.get("/api/v1/postal/results/")
    short = reader.get("/api/v1/postal/dossiers/X/")

    assert (missing.status_code, missing["WWW-Authenticate"]) == (401, "Api-Key")
    assert missing.json() == refusal(
        "not_authenticated", drf("Authentication credentials were not provided.")
    )
    assert (refused.status_code, refused.json()) == (
        401,
        refusal("postal.api_key_invalid", "Khóa API không hợp lệ, đã hết hạn hoặc đã bị thu hồi."),
    )
    assert (short.status_code, short.json()) == (
        403,
        refusal(
            "postal.scope_missing",
            "Khóa API này không có phạm vi quyền cần thiết cho thao tác này.",
        ),
    )


def test_a_throttled_partner_is_told_when_to_come_back(api, vnpost) -> None:
    PartnerClient.objects.filter(pk=vnpost.client.pk).update(requests_per_minute=1)
    api.get("/api/v1/postal/results/")

    response = api.get("/api/v1/postal/results/")

    body = response.json()
    assert (response.status_code, body["code"], body["field"]) == (429, "throttled", None)
    assert body["message"].startswith(drf("Request was throttled."))
    assert body["errors"] == [{"code": "throttled", "message": body["message"], "field": None}]
    assert 0 < int(response["Retry-After"]) <= 60


def expected_body(error: ServiceError) -> dict:
    with translation.override("vi"):
        problems = [
            {"code": problem.code, "message": str(problem), "field": problem.field}
            for problem in error.problems
        ]
        whole = {"code": error.code, "message": str(error), "field": error.field}
    return {**(whole if len(problems) > 1 else problems[0]), "errors": problems}


@pytest.mark.parametrize("cls", error_classes(), ids=lambda cls: cls.code)
def test_every_service_error_answers_its_body_and_status(api, monkeypatch, cls) -> None:
    error = sample(cls)

    def refuse(client: PartnerClient) -> None:
        raise error

    monkeypatch.setattr(services, "partner_dossiers", refuse)

    response = api.get("/api/v1/postal/dossiers/H56.HT-260302-0001/")

    assert response.status_code == cls.http_status
    assert response.json() == expected_body(error)


@pytest.mark.parametrize(
    ("raised", "status", "body"),
    [
        (Http404("no such thing"), 404, refusal("not_found", "Không tìm thấy.")),
        (
            PermissionDenied("not yours"),
            403,
            refusal("permission_denied", "Bạn không có quyền thực hiện thao tác này."),
        ),
        (
            ValidationError({"note": ValidationError("too long", code="max_length")}),
            400,
            refusal("max_length", "too long", "note"),
        ),
    ],
    ids=["Http404", "PermissionDenied", "ValidationError"],
)
def test_djangos_own_refusals_answer_the_same_body(api, monkeypatch, raised, status, body):
    def refuse(client: PartnerClient) -> None:
        raise raised

    monkeypatch.setattr(services, "partner_dossiers", refuse)

    response = api.get("/api/v1/postal/dossiers/H56.HT-260302-0001/")

    assert (response.status_code, response.json()) == (status, body)


def test_a_fault_that_is_no_refusal_stays_a_server_error(api, monkeypatch) -> None:
    def fail(client: PartnerClient) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "partner_dossiers", fail)

    with pytest.raises(RuntimeError):
        api.get("/api/v1/postal/dossiers/H56.HT-260302-0001/")
