"""Issue #15: the portal's own error pages (in Vietnamese, under the site header, with a way
on) and where an officer lands after any sign-in."""

import json

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from dossiers.tests.conftest import office  # noqa: F401 - the commune and its officers
from portal.errors import server_error
from portal.roles import Role
from procedures.models import AdministrativeUnit, Assignment
from tests.factories import UserFactory

PASSWORD = "Mot-cua-2026!"


def vietnamese(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    return client


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.mark.django_db
def test_an_unknown_address_gets_the_portals_own_404_in_vietnamese(client) -> None:
    response = vietnamese(client).get("/khong-co-trang-nay/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Không tìm thấy trang</h1>" in html
    assert '<header class="site-header">' in html
    assert '<a href="/procedures/">Tra cứu thủ tục</a>' in html
    assert '<a href="/lookup/">Tra cứu hồ sơ</a>' in html


def test_a_reception_officer_asking_for_the_indicators_gets_a_403_with_a_way_on(
    client,
    office,  # noqa: F811
) -> None:
    vietnamese(client).force_login(office.reception)

    response = client.get(reverse("reporting:dashboard"))

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Trang này không dành cho tài khoản của bạn</h1>" in html
    assert '<a href="/account/workspace/">Trang làm việc của bạn</a>' in html
    # The header no longer offers a page that would refuse them.
    assert 'href="/reporting/"' not in html


@pytest.mark.django_db
def test_a_form_refused_by_the_csrf_check_gets_a_vietnamese_page() -> None:
    client = vietnamese(Client(enforce_csrf_checks=True))

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Không gửi được biểu mẫu</h1>" in html
    assert "CSRF" not in html
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_the_500_page_needs_no_database_and_keeps_the_header() -> None:
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="vi")

    response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Đã có lỗi ở phía chúng tôi</h1>" in html
    assert f"Hệ thống một cửa tỉnh {settings.PORTAL_PROVINCE_NAME}" in html
    assert '<a href="/">Trang chủ</a>' in html


def test_the_api_answers_a_server_error_in_its_json_error_body() -> None:
    from django.utils import translation

    request = RequestFactory().get("/api/v1/postal/results/")

    with translation.override("vi"):
        response = server_error(request)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    problem = {
        "code": "server_error",
        "message": "Hệ thống chưa trả lời được. Vui lòng thử lại sau ít phút.",
        "field": None,
    }
    assert json.loads(response.content) == {**problem, "errors": [problem]}


@pytest.mark.django_db
def test_a_nul_character_is_refused_in_json_on_the_api_and_as_text_on_pages(client) -> None:
    api = client.get("/api/v1/postal/results/?page=%00")
    page = client.get("/lookup/?code=%00")

    assert api.status_code == 400
    assert api.json()["code"] == "invalid_characters"
    assert api.json()["message"] == "Không chấp nhận ký tự NUL."
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("who", "lands"),
    [
        ("reception", "/reception/"),
        ("processing", "/reception/inbox/"),
        ("leader", "/reception/inbox/"),
    ],
)
def test_an_officer_signing_in_at_the_admin_lands_on_their_work(
    client,
    office,  # noqa: F811
    who,
    lands,
) -> None:
    officer = with_password(getattr(office, who))

    # As the admin's login form posts it (a hidden next=/admin/).
    signed_in = client.post(
        reverse("admin:login"),
        {"username": officer.username, "password": PASSWORD, "next": "/admin/"},
    )
    landed = client.get(signed_in["Location"])

    assert (signed_in.status_code, signed_in["Location"]) == (302, "/admin/")
    assert (landed.status_code, landed["Location"]) == (302, lands)


@pytest.mark.django_db
def test_a_manager_signing_in_at_the_admin_lands_on_the_indicators(client) -> None:
    manager = with_password(UserFactory(username="quanly", is_staff=True))
    province = AdministrativeUnit.objects.create(code="38", name="Tỉnh Thanh Hóa", level="province")
    Assignment.objects.create(user=manager, role=Role.MANAGER, unit=province)
    client.post(reverse("admin:login"), {"username": "quanly", "password": PASSWORD})

    landed = client.get("/admin/")

    assert (landed.status_code, landed["Location"]) == (302, "/reporting/")


@pytest.mark.django_db
def test_the_admin_index_stays_for_administrators_and_refuses_citizens(admin_client) -> None:
    citizen = Client()
    citizen.force_login(UserFactory(username="congdan"))

    assert admin_client.get("/admin/").status_code == 200
    refused = citizen.get("/admin/")
    assert (refused.status_code, refused["Location"]) == (302, "/admin/login/?next=/admin/")


def test_the_queue_address_leads_to_the_counters_queue(client, office) -> None:  # noqa: F811
    client.force_login(office.reception)

    response = client.get("/reception/queue/")

    assert (response.status_code, response["Location"]) == (302, "/reception/queue/counter/")


@pytest.mark.parametrize(
    ("who", "lands"),
    [("officer", "/reception/"), ("citizen", "/my/dossiers/")],
)
def test_whoever_is_not_staff_signs_in_at_the_admin_and_lands_on_their_page(
    client,
    office,  # noqa: F811
    who,
    lands,
) -> None:
    person = office.reception if who == "officer" else office.applicant
    person.is_staff = False
    with_password(person)

    signed_in = client.post(
        reverse("admin:login"),
        {"username": person.username, "password": PASSWORD, "next": "/admin/"},
    )
    header = client.get(lands).content.decode()

    assert (signed_in.status_code, signed_in["Location"]) == (302, lands)
    assert ('href="/account/workspace/"' in header) is (who == "officer")


def test_a_wrong_password_at_the_admin_signs_nobody_in(client, office) -> None:  # noqa: F811
    with_password(office.reception)

    refused = client.post(
        reverse("admin:login"),
        {"username": office.reception.username, "password": "sai-mat-khau", "next": "/admin/"},
    )

    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
