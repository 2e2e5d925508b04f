import io

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.mark.django_db
def test_home_is_vietnamese_even_for_an_english_browser(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Thủ tục hành chính, tại một nơi" in html
    assert 'href="#main"' in html  # skip link
    assert response["Content-Language"] == "vi"


@pytest.mark.django_db
def test_language_switch_to_english_is_remembered(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    html = client.get("/").content.decode()

    assert '<html lang="en">' in html
    assert "Administrative procedures, in one place" in html


@pytest.mark.django_db
def test_home_shows_the_demo_province_figures(client: Client) -> None:
    call_command("load_demo", stdout=io.StringIO())

    response = client.get("/")

    figures = response.context["figures"]
    # Thanh Hóa since 2025-07-01: 166 communes and wards, each with its People's
    # Committee and public administration centre, plus 13 provincial bodies and one centre.
    assert (figures.provinces, figures.communes) == (1, 166)
    assert (figures.agencies, figures.reception_points) == (166 + 13, 166 + 1)


@pytest.mark.django_db
def test_every_page_names_its_icon_and_the_usual_address_leads_to_it(client) -> None:
    home = client.get("/").content.decode()
    old = client.get("/favicon.ico")

    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in home
    assert (old.status_code, old["Location"]) == (301, "/static/img/favicon.svg")
