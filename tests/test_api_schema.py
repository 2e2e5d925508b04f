"""The OpenAPI document (/api/schema/) is valid without a warning, and every operation
documents the one error body (portal.api_errors) for each status it can refuse with."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

ERROR = {"$ref": "#/components/schemas/ErrorOutput"}
METHODS = {"get", "post", "put", "patch", "delete"}


def test_the_schema_validates_without_warnings(tmp_path) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s"))

    assert (tmp_path / "s").read_text(encoding="utf-8").startswith("openapi: 3")


@pytest.mark.django_db
def test_every_operation_documents_the_error_body() -> None:
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()

    documented = {
        (path, method): sorted(
            status
            for status, response in operation["responses"].items()
            if response.get("content", {}).get("application/json", {}).get("schema") == ERROR
        )
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in METHODS
    }

    expected = {
        (path, method): (
            # The partner API needs a key (401) with its scopes (403); the catalogue is open.
            ["400", "401", "403", "404", *(["409"] if method == "post" else []), "429"]
            if "/postal/" in path
            else ["400", "404", "429"]
        )
        for path, method in documented
    }
    assert len([key for key in documented if "/postal/" in key[0]]) == 5
    assert documented == expected
    assert schema["components"]["schemas"]["ErrorOutput"]["required"] == [
        "code",
        "errors",
        "field",
        "message",
    ]
