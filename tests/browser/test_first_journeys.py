"""Issue #15's journeys, as a new user would take them in Chromium: the citizen from the
receipt's QR code rates the service and switches language; each officer signs in on each
sign-in page and lands on their work; the error pages. Every page is checked with axe,
opened in English and back through the header's language form, and every form on the way
is posted from the browser (so the CSRF Origin check runs, which the test client skips)."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from dossiers.models import Evaluation
from dossiers.services import dossier_complete, dossier_transfer
from dossiers.services.intake import Applicant, dossier_receive_at_counter
from dossiers.services.processing import dossier_return_result
from dossiers.tests.conftest import office  # noqa: F401 - the commune fixture
from portal.roles import Role
from procedures.models import Assignment
from reception.documents.context import lookup_url
from tests.browser.languages import round_trip, switch
from tests.factories import UserFactory
from tests.po import entries

PHONE = {"width": 390, "height": 844}
PASSWORD = "Mot-cua-2026!"
SHOTS = Path(os.environ.get("JOURNEY_SHOTS", "/tmp/journey-shots"))  # noqa: S108 - to look at
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _english_sentences() -> list[str]:
    """English msgids a page under `vi` must never show: whole sentences whose Vietnamese
    differs (short words such as "Email" may rightly stay the same)."""
    return [
        entry.msgid
        for entry in entries(CATALOGUE)
        if entry.translated
        and not entry.msgid_plural
        and len(entry.msgid) >= 24
        and " " in entry.msgid
        and "%" not in entry.msgid
        and "{" not in entry.msgid
        and entry.msgstr[0] != entry.msgid
    ]


class Walk:
    """One person's walk: each page is checked with axe, looked for English under `vi`,
    screenshotted, then switched to English and back with the header's form."""

    def __init__(self, page, accessibility, problems: list[str], english: list[str]) -> None:
        self.page, self.check, self.problems, self.english = page, accessibility, problems, english

    def look(self, name: str, *, languages: bool = True, status: int = 200) -> None:
        """`status`: what the page answers (an error page answers its error again)."""
        page = self.page
        self.problems.extend(f"{name}: {problem}" for problem in self.check(page))
        assert page.locator("html").get_attribute("lang") == "vi", name
        text = page.locator("body").inner_text()
        self.problems.extend(
            f"{name}: English under vi: {sentence!r}"
            for sentence in self.english
            if sentence in text
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        if languages:
            self.problems.extend(
                f"{name}: {problem}"
                for problem in round_trip(page, status=status, check=self.check)
            )


@pytest.fixture
def walk(accessibility):
    problems: list[str] = []
    english = _english_sentences()

    def start(page) -> Walk:
        return Walk(page, accessibility, problems, english)

    start.problems = problems
    return start


def _returned_with_secret(office) -> tuple[object, str]:  # noqa: F811
    reception = dossier_receive_at_counter(
        officer=office.reception,
        procedure=office.procedure,
        agency=office.agency,
        reception_point=office.point,
        applicant=Applicant(name="Nguyễn Thị Lan", citizen_id="038190000123"),
    )
    dossier = reception.dossier
    dossier_transfer(dossier_id=dossier.pk, officer=office.reception)
    dossier_complete(dossier_id=dossier.pk, officer=office.leader)
    dossier_return_result(dossier_id=dossier.pk, officer=office.reception, delivery="counter")
    return dossier, reception.lookup_secret


def _open_qr(page, live_server, dossier, secret: str) -> None:
    """What the phone's camera opens: the QR's address, with the secret in the fragment."""
    address = urlsplit(lookup_url(dossier, secret))
    assert address.fragment == f"secret={secret}"
    page.goto(f"{live_server.url}{address.path}?{address.query}#{address.fragment}")
    page.locator(".lookup-answer").wait_for()
    assert "#" not in page.url
    assert secret not in page.url


@pytest.mark.django_db(transaction=True)
def test_from_the_receipts_qr_code_the_citizen_rates_and_switches_language(
    new_page,
    live_server,
    office,  # noqa: F811
    walk,
) -> None:
    dossier, secret = _returned_with_secret(office)
    page = new_page(**PHONE)
    citizen = walk(page)

    _open_qr(page, live_server, dossier, secret)
    assert "Đã trả kết quả" in page.locator(".lookup-answer").inner_text()
    citizen.look("q01-lookup-answer")

    _open_qr(page, live_server, dossier, secret)
    with page.expect_navigation() as opened:
        page.get_by_role("button", name="Đánh giá sự hài lòng").click()
    assert opened.value.status == 200
    citizen.look("q02-rating", languages=False)
    page.check("input[name=rating][value=satisfied]")
    with page.expect_navigation() as sent:
        page.get_by_role("button", name=re.compile("Gửi")).click()
    assert sent.value.status == 200
    assert page.url.endswith("/lookup/")
    citizen.look("q03-rated")

    evaluation = Evaluation.objects.get(dossier=dossier)
    assert (evaluation.rating, evaluation.channel) == ("satisfied", "online")
    assert citizen.problems == []


def _officers(office) -> dict[str, tuple[object, str]]:  # noqa: F811
    manager = UserFactory(username="quanly", is_staff=True)
    Assignment.objects.create(user=manager, role=Role.MANAGER, unit=office.unit.parent)
    return {
        "reception": (office.reception, "/reception/"),
        "processing": (office.processing, "/reception/inbox/"),
        "leader": (office.leader, "/reception/inbox/"),
        "manager": (manager, "/reporting/"),
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sign_in_page", ["/account/login/", "/admin/login/"])
def test_every_officer_signs_in_on_each_sign_in_page_and_lands_on_their_work(
    new_page,
    office,  # noqa: F811
    walk,
    sign_in_page,
) -> None:
    officers = _officers(office)
    page_name = "portal" if sign_in_page.startswith("/account") else "admin"
    for role, (officer, lands) in officers.items():
        officer.set_password(PASSWORD)
        officer.save()
        page = new_page(width=1366, height=900)
        person = walk(page)

        page.goto(sign_in_page)
        # The admin's own page has no language switch of ours.
        person.look(f"s-{page_name}-sign-in-{role}", languages=page_name == "portal")
        page.fill("#id_username", officer.username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.locator("main form [type=submit], #login-form [type=submit]").first.click()
        page.wait_for_load_state()

        assert urlsplit(page.url).path == lands, (role, sign_in_page, page.url)
        person.look(f"s-{page_name}-landed-{role}", languages=role in ("reception", "manager"))
        # No link of the header leads to a refusal or nowhere.
        for href in page.locator("header a[href^='/']").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        ):
            assert page.request.get(href).status == 200, (role, href)
        with page.expect_navigation() as signed_out:
            page.get_by_role("button", name="Đăng xuất").click()
        assert signed_out.value.status == 200
        assert urlsplit(page.url).path == "/"

    assert walk.problems == []


@pytest.mark.django_db(transaction=True)
def test_the_error_pages_are_the_portals_own_with_a_way_on(
    new_page,
    office,  # noqa: F811
    walk,
) -> None:
    visitor = new_page(**PHONE)
    person = walk(visitor)

    missing = visitor.goto("/khong-co-trang-nay/")
    assert missing.status == 404
    assert visitor.locator("h1").inner_text() == "Không tìm thấy trang"
    person.look("e01-404", status=404)
    with visitor.expect_navigation():
        visitor.get_by_role("link", name="Tra cứu thủ tục").last.click()
    assert urlsplit(visitor.url).path == "/procedures/"

    office.reception.set_password(PASSWORD)
    office.reception.save()
    officer = new_page(width=1366, height=900)
    person = walk(officer)
    officer.goto("/account/login/")
    officer.fill("#id_username", office.reception.username)
    officer.fill("#id_password", PASSWORD)
    with officer.expect_navigation():
        officer.locator("form.account-form [type=submit]").click()
    refused = officer.goto("/reporting/")
    assert refused.status == 403
    assert officer.locator("h1").inner_text() == "Trang này không dành cho tài khoản của bạn"
    person.look("e02-403", status=403)
    with officer.expect_navigation():
        officer.get_by_role("link", name="Trang làm việc của bạn").click()
    assert urlsplit(officer.url).path == "/reception/"

    queue = officer.goto("/reception/queue/")
    assert queue.status == 200
    assert urlsplit(officer.url).path == "/reception/queue/counter/"

    # A form whose CSRF cookie is gone (a page left open across a sign-out elsewhere).
    officer.goto("/procedures/")
    officer.context.clear_cookies()
    switch(officer, "vi", status=403)
    assert officer.locator("h1").inner_text() == "Không gửi được biểu mẫu"
    person.look("e03-csrf", languages=False)

    assert walk.problems == []
