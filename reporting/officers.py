"""Satisfaction per officer (RULES.md §8): each evaluation names the reception and the
processing officer of its dossier."""

from dataclasses import dataclass

from django.db.models import Count, Q

from dossiers.models import Evaluation
from portal.models import User
from reporting.indicators import Period, Scope, rate

SATISFIED = Q(rating__in=["very_satisfied", "satisfied"])
UNHAPPY = Q(rating__in=["dissatisfied", "very_dissatisfied"])


@dataclass(frozen=True)
class OfficerRow:
    officer: User
    role: str  # "reception" or "processing"
    evaluations: int
    satisfied: int
    dissatisfied: int

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.satisfied, self.evaluations)


def officer_satisfaction(scope: Scope, period: Period) -> list[OfficerRow]:
    """Evaluations given in the period to the scope's dossiers, per officer and role,
    most evaluated first: two grouped queries."""
    evaluations = Evaluation.objects.filter(
        dossier__in=scope.dossiers(),
        evaluated_at__gte=period.start_at,
        evaluated_at__lt=period.end_at,
    )
    rows: list[tuple[int, str, int, int, int]] = []
    for role in ("reception", "processing"):
        field = f"{role}_officer"
        grouped = (
            evaluations.filter(**{f"{field}__isnull": False})
            .values(field)
            .annotate(
                n=Count("pk"),
                good=Count("pk", filter=SATISFIED),
                bad=Count("pk", filter=UNHAPPY),
            )
        )
        rows += [(row[field], role, row["n"], row["good"], row["bad"]) for row in grouped]
    officers = User.objects.in_bulk({row[0] for row in rows})
    result = [OfficerRow(officers[pk], role, n, good, bad) for pk, role, n, good, bad in rows]
    return sorted(result, key=lambda row: (-row.evaluations, row.officer.username))
