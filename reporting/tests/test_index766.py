from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting import snapshots
from reporting.index766 import score
from reporting.indicators import Period, Scope, compute
from reporting.models import ScoringVersion

from .march import MARCH


def test_the_2026_version_is_installed_with_its_weights(db) -> None:
    version = ScoringVersion.objects.get()
    groups = {g["id"]: g for g in version.config["groups"]}
    assert version.code == "766-portal-2026"
    assert sum(g["max"] for g in groups.values()) == 100
    for group in groups.values():
        assert sum(i["max"] for i in group["indicators"]) == group["max"], group["id"]


def test_march_scores_worked_out_by_hand(march, office) -> None:
    scope = Scope.of_unit(office.unit)

    code, groups = score(scope, MARCH, compute(scope, MARCH))

    assert code == "766-portal-2026"
    table = {s.id: (s.rate, s.points) for g in groups for s in g.scores}
    assert table["2.1"] == (50.0, 10.0)  # (2 early + 1 on time + 2 within) / 10
    assert table["3.1"] == (100.0, 2.0)  # the one procedure is online: full at 80 %
    assert table["3.2"] == (100.0, 4.0)  # and it received online dossiers
    assert table["3.3"] == (42.86, 5.14)  # 3/7, full marks at 50 %
    assert table["3.5"] == (None, None)  # no fee-bearing procedure: nothing to measure
    assert table["3.6"] == (50.0, 3.0)
    assert table["4.2"] == (14.29, 0.57)
    assert table["5.4"] == (40.0, 2.67)  # 1 - (2 late + 1 unhappy) / 5, full at 90 %
    assert table["1.3"] == (0.0, 0.0)  # the procedure publishes no papers yet
    assert table["1.1"] == (None, None)  # publication dates are not in the portal
    points = {g.id: (g.points, g.measured_maximum, g.maximum) for g in groups}
    assert points == {
        "transparency": (0.0, 2.0, 18.0),
        "progress": (10.0, 20.0, 20.0),
        "online": (11.14, 12.0, 12.0),
        "payment": (3.0, 6.0, 10.0),
        "digitisation": (0.57, 4.0, 22.0),
        "satisfaction": (2.67, 6.0, 18.0),
    }


def _table(groups) -> dict[str, tuple[float | None, float | None]]:
    return {s.id: (s.rate, s.points) for g in groups for s in g.scores}


def test_from_the_snapshot_the_index_reads_no_dossier_and_agrees_with_live(march, office) -> None:
    scope = Scope.of_unit(office.unit)
    live = _table(score(scope, MARCH, compute(scope, MARCH))[1])
    snapshots.refresh_full()
    from_snapshot = snapshots.indicators(scope, MARCH)

    with CaptureQueriesContext(connection) as queries:
        code, groups = score(scope, MARCH, from_snapshot)

    assert code == "766-portal-2026"
    assert _table(groups) == live
    assert live["3.2"] == (100.0, 4.0)
    assert not [q["sql"] for q in queries if "dossiers_dossier" in q["sql"]]


def test_a_period_of_part_months_reads_the_dossiers(march, office) -> None:
    scope = Scope.of_unit(office.unit)
    snapshots.refresh_full()
    part = Period(MARCH.start, MARCH.end.replace(day=20))

    with CaptureQueriesContext(connection) as queries:
        score(scope, part, compute(scope, part))

    assert [q["sql"] for q in queries if "dossiers_dossier" in q["sql"]]
