import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**keep, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checklist() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="k3y-" + "x9Q" * 20,
        ALLOWED_HOSTS="dichvucong.example.gov.vn",
        DATABASE_URL="sqlite:///:memory:",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_is_warned_off_the_simulated_payment_gateway() -> None:
    result = manage(
        "check",
        "--deploy",
        DJANGO_SECRET_KEY="k3y-" + "x9Q" * 20,
        ALLOWED_HOSTS="dichvucong.example.gov.vn",
        DATABASE_URL="sqlite:///:memory:",
        PAYMENT_PROVIDER="simulated",
    )

    assert result.returncode == 0, result.stderr
    assert (
        "(portal.W002) PAYMENT_PROVIDER is 'simulated': any citizen can mark their fees paid "
        "online." in result.stderr
    )


def test_production_refuses_to_serve_without_a_secret_key() -> None:
    deploy = manage("check", "--deploy", DATABASE_URL="sqlite:///:memory:")
    assert deploy.returncode == 1
    assert "(portal.E001) DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off." in deploy.stderr

    serve = subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "DATABASE_URL": "sqlite:///:memory:"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert serve.returncode == 1
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off." in serve.stderr


def test_management_commands_run_without_a_secret_key() -> None:
    result = manage("makemigrations", "--check", "--dry-run", DATABASE_URL="sqlite:///:memory:")

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
