"""The Decision 766 index of a unit and period: each sub-indicator's raw rate and points,
per the scoring version in force (reporting.models.ScoringVersion). Sub-indicators the
portal has no data for (publication dates, petitions, national sync…) are reported as not
measured rather than guessed."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet

from procedures.models import Agency, OnlineLevel, Procedure
from reporting.indicators import RECEIVED_SPLITS, Indicators, Period, Scope
from reporting.models import ScoringVersion
from reporting.snapshots import procedures_with

ONLINE, PAID = RECEIVED_SPLITS["received_online"], RECEIVED_SPLITS["paid_online"]


@dataclass(frozen=True)
class Score:
    id: str
    name: str
    rate: float | None  # 0–100, None when not measured or nothing to measure
    points: float | None
    maximum: float


@dataclass(frozen=True)
class GroupScore:
    id: str
    name: str
    maximum: float
    scores: list[Score]

    @property
    def points(self) -> float:
        return round(sum(s.points for s in self.scores if s.points is not None), 2)

    @property
    def measured_maximum(self) -> float:
        return sum(s.maximum for s in self.scores if s.points is not None)


def version_for(day: date) -> ScoringVersion | None:
    return ScoringVersion.objects.filter(effective_from__lte=day).first()


def _points(rule: dict, ratio: float | None) -> float | None:
    if ratio is None:
        return None
    maximum = float(rule["max"])
    if rule.get("curve") == "full_at":
        return round(min(maximum, maximum * ratio / float(rule["full_at"])), 2)
    return round(maximum * min(ratio, 1.0), 2)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _procedures(scope: Scope, day: date) -> QuerySet[Procedure]:
    """Procedures in force offered by an agency of the scope."""
    agencies = Agency.objects.all()
    if scope.unit_ids:
        agencies = agencies.filter(unit_id__in=scope.unit_ids)
    if scope.agency_id is not None:
        agencies = agencies.filter(pk=scope.agency_id)
    procedures = Procedure.objects.public(day).filter(agencies__in=agencies).distinct()
    if scope.sector_id is not None:
        procedures = procedures.filter(sector_id=scope.sector_id)
    return procedures


def _sources(scope: Scope, period: Period, indicators: Indicators) -> dict[str, float | None]:
    counts = indicators.counts
    procedures = _procedures(scope, period.end)
    online = procedures.exclude(online_level=OnlineLevel.NONE)
    used = online.filter(pk__in=procedures_with(scope, period, "received_online", live=ONLINE))
    fee_procedures = procedures.filter(fees__amount__gt=0).distinct()
    paid = fee_procedures.filter(pk__in=procedures_with(scope, period, "paid_online", live=PAID))
    # ND 63/2010 art. 8(2): steps, papers, time limit, who applies, who decides.
    complete = (
        procedures.annotate(
            paper_count=Count("components", distinct=True),
            step_count=Count("steps", distinct=True),
        )
        .filter(paper_count__gt=0, step_count__gt=0)
        .exclude(applicants="")
        .exclude(deciding_authority="")
    )
    total = procedures.count()
    online_total = online.count()
    fee_total = fee_procedures.count()
    unhappy = counts["dissatisfied"] + counts["very_dissatisfied"]
    return {
        "catalogue_complete": _ratio(complete.count(), total),
        "progress": _ratio(
            counts["resolved_early"]
            + counts["resolved_on_time"]
            + counts["in_progress_within_deadline"],
            counts["to_process"],
        ),
        "online_procedures": _ratio(online_total, total),
        "online_services_used": _ratio(used.count(), online_total),
        "online_rate": _ratio(counts["received_online"], counts["received"]),
        "fee_procedures_with_online_payment": _ratio(paid.count(), fee_total),
        "online_payment_rate": _ratio(counts["paid_online"], counts["fee_bearing"]),
        "digitization_rate": _ratio(counts["digitized"], counts["received"]),
        "handling_satisfaction": (
            max(0.0, 1 - (counts["resolved_late"] + unhappy) / counts["resolved"])
            if counts["resolved"]
            else None
        ),
    }


def score(scope: Scope, period: Period, indicators: Indicators) -> tuple[str, list[GroupScore]]:
    """(version code, groups) for the scope and period; empty when no version applies."""
    version = version_for(period.end)
    if version is None:
        return "", []
    sources = _sources(scope, period, indicators)
    groups = []
    for group in version.config["groups"]:
        scores = []
        for rule in group["indicators"]:
            ratio = sources.get(rule["source"]) if rule.get("source") else None
            scores.append(
                Score(
                    id=rule["id"],
                    name=rule["name"],
                    rate=round(ratio * 100, 2) if ratio is not None else None,
                    points=_points(rule, ratio),
                    maximum=float(rule["max"]),
                )
            )
        groups.append(GroupScore(group["id"], group["name"], float(group["max"]), scores))
    return version.code, groups
