"""Browser journeys: Playwright driving Debian's Chromium against a live server.

Without Chromium or PostgreSQL the journeys are skipped, except under REQUIRE_SERVICES=1
(CI), where a missing browser fails the run: .ci/run installs it."""

import os
import shutil
from pathlib import Path

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
    """A fresh browser context per person (own cookies), at the live server. Every page
    is watched for Content-Security-Policy violations (Chromium reports each refused
    script, style or image on the console): a journey that met one fails."""
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
        page.on("console", watch)
        return page

    def watch(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(message.text)

    violations: list[str] = []
    yield make
    for context in contexts:
        context.close()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


AXE_VERSION = "4.14.1"
AXE_HOME = os.environ.get(
    "AXE_HOME", os.path.join(os.path.expanduser("~"), ".cache", "portal-tests", "axe")
)


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core, installed from the npm registry at test time (never committed)."""
    import subprocess

    script = os.path.join(AXE_HOME, "node_modules", "axe-core", "axe.min.js")
    if not os.path.exists(script):
        npm = shutil.which("npm")
        if npm is None:
            if REQUIRE_SERVICES:
                pytest.fail("REQUIRE_SERVICES=1 but npm is missing: axe-core cannot be installed")
            pytest.skip("needs npm to install axe-core")
        os.makedirs(AXE_HOME, exist_ok=True)
        subprocess.run(  # noqa: S603 - a fixed command
            [npm, "install", "--no-save", "--no-audit", "--no-fund", f"axe-core@{AXE_VERSION}"],
            cwd=AXE_HOME,
            check=True,
            capture_output=True,
        )
    return script


@pytest.fixture
def accessibility(axe_script):
    """accessibility(page) -> the serious and critical WCAG 2.1 A/AA violations of the page
    as "rule: target" lines (empty when it passes)."""

    def check(page) -> list[str]:
        # Evaluated, not added as a <script>: the page's CSP refuses inline scripts.
        page.evaluate(Path(axe_script).read_text())
        result = page.evaluate(
            """() => axe.run(document, {runOnly: {type: "tag",
                 values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
        )
        return [
            f"{v['id']} ({v['impact']}): {node['target']}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
            for node in v["nodes"]
        ]

    return check
