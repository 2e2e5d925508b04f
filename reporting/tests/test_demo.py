"""generate_demo_dossiers: realistic, bounded, and a cross-check of the snapshot against
the live computation on a few hundred varied dossiers."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from dossiers.models import Dossier, Evaluation
from procedures.models import AdministrativeUnit
from reporting import snapshots
from reporting.indicators import Period, Scope, compute
from tests.commands import run_command


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_generated_dossiers_look_like_a_province(demo) -> None:
    status, out, _ = run_command(
        "generate_demo_dossiers", "--count", "600", "--from", "2025-01-01", "--to", "2026-10-31"
    )

    assert status == 0
    assert out.startswith("generate_demo_dossiers: 600 dossiers received 2025-01-01 – 2026-10-31")
    assert Dossier.objects.count() == 600
    channels = {
        c: Dossier.objects.filter(channel=c).count() for c in ("counter", "online", "postal")
    }
    assert channels["counter"] > channels["online"] > channels["postal"] > 0
    # Before the reform, dossiers went to districts; after it, to communes and the province.
    levels_before = set(
        Dossier.objects.filter(received_at__date__lt=date(2025, 7, 1)).values_list(
            "unit__level", flat=True
        )
    )
    levels_after = set(
        Dossier.objects.filter(received_at__date__gte=date(2025, 7, 1)).values_list(
            "unit__level", flat=True
        )
    )
    assert levels_before == {"district", "province"}
    assert levels_after == {"commune", "province"}
    assert 0 < Evaluation.objects.count() < 600
    assert len(set(Dossier.objects.values_list("code", flat=True))) == 600


@pytest.mark.parametrize(
    "period",
    [
        Period(date(2025, 1, 1), date(2025, 12, 31)),
        Period(date(2025, 4, 1), date(2025, 9, 30)),
        Period(date(2026, 10, 1), date(2026, 10, 31)),
    ],
    ids=str,
)
def test_the_snapshot_agrees_with_the_live_computation(demo, period) -> None:
    run_command(
        "generate_demo_dossiers", "--count", "500", "--from", "2025-01-01", "--to", "2026-10-31"
    )
    province = AdministrativeUnit.objects.get(code="38")
    district = AdministrativeUnit.objects.filter(level="district").first()

    for scope in (Scope.of_unit(province), Scope.of_unit(district)):
        assert snapshots.indicators(scope, period) == compute(scope, period)
