"""Browser journeys: Playwright driving Debian's Chromium against a live server.

Without Chromium or PostgreSQL the journeys are skipped, except under REQUIRE_SERVICES=1
(CI), where a missing browser fails the run: .ci/run installs it."""

import os
import shutil

import pytest

from conftest import REQUIRE_SERVICES

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but no Chromium at {CHROMIUM}")
        pytest.skip("needs Chromium (apt install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls the tests
    # make between page steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """A fresh browser context per person (own cookies), at the live server."""
    from django.db import connection

    if connection.vendor != "postgresql":
        # The live server needs a transactional test, whose flush SQLite's append-only
        # audit trigger refuses (PostgreSQL truncates).
        pytest.skip("browser journeys run on PostgreSQL (set DATABASE_URL)")
    contexts = []

    def make(*, width: int = 1366, height: int = 900, language: str = "vi"):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale="vi-VN",
            accept_downloads=True,
        )
        if language != "vi":
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()
