"""Every page carries a strict Content-Security-Policy: scripts and styles only from the
portal itself, never inline (the browser journeys fail on any violation the policy meets)."""

import pytest
from django.test import Client

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)


def _directives(header: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in header.split("; ") if part}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/lookup/",
        "/procedures/",
        "/account/login/",
        "/account/signup/",
        "/admin/login/",
        "/reception/",
        "/healthz",
        "/api/v1/postal/pickups/",
        "/no-such-page/",
    ],
)
def test_every_response_carries_the_policy(client: Client, path: str) -> None:
    response = client.get(path)

    assert _directives(response["Content-Security-Policy"]) == _directives(POLICY)


@pytest.mark.django_db
def test_the_api_documentation_alone_allows_its_inline_style(client: Client) -> None:
    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script")

    assert page.status_code == 200
    directives = _directives(page["Content-Security-Policy"])
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["script-src"] == "'self'"
    assert "<script>" not in page.content.decode()  # its set-up script is served apart
    assert script.status_code == 200
