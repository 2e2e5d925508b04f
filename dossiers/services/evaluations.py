"""Đánh giá sự hài lòng (RULES.md §8): one evaluation per dossier, by its applicant online
(signed in, or holding the receipt's code and lookup secret) or through a reception officer
(the counter kiosk, a paper form)."""

from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dossiers import codes, policies
from dossiers.errors import (
    AlreadyEvaluatedError,
    CommentTooLongError,
    CriterionPointsInvalidError,
    EvaluationDeniedError,
    InvalidTransitionError,
    UnknownCriteriaError,
    UnknownEvaluationChannelError,
    UnknownRatingError,
)
from dossiers.models import Dossier, Evaluation, Status
from portal import audit
from portal.models import AuditEvent, User
from portal.service_errors import ServiceValidationError, refuse


class EvaluationChannel:
    ONLINE = "online"  # the applicant signed in, or whoever holds the receipt (its QR code)
    KIOSK = "kiosk"  # the tablet at the counter, opened by a reception officer
    PAPER = "paper"  # a paper form, typed in by a reception officer


# Who may record an evaluation through each channel.
CHANNELS = {
    EvaluationChannel.ONLINE: policies.APPLICANT,
    EvaluationChannel.KIOSK: policies.RECEPTION,
    EvaluationChannel.PAPER: policies.RECEPTION,
}

# DOMAIN.md §11.1 (Decree 61/2018, Circular 01/2018): nine criteria, 0 to 2 points each.
CRITERIA = {
    "total_time": gettext_lazy("Total handling time compared with the legal time limit"),
    "agency_time": gettext_lazy("Time taken by each agency involved, co-operating ones included"),
    "contacts": gettext_lazy("Number of times you had to contact us to complete the dossier"),
    "agencies_contacted": gettext_lazy("Number of agencies you had to contact"),
    "one_stop": gettext_lazy("Reception, handling and return done through the one-stop unit"),
    "publicity": gettext_lazy("Procedures made public"),
    "attitude": gettext_lazy("Attitude of the officers"),
    "feedback": gettext_lazy("Handling of your feedback and petitions"),
    "online_service": gettext_lazy("Progress and quality of the online services"),
}
CRITERION_POINTS = (0, 1, 2)
COMMENT_MAX_LENGTH = 2000

# Processing has ended and the result (or the written refusal) is at the one-stop unit or
# with the applicant: DOMAIN.md §6.2 T16. Before that there is nothing yet to rate.
EVALUABLE = frozenset({Status.COMPLETED, Status.RETURNED, Status.STOPPED})


def _clean(
    rating: str, criteria: dict[str, int] | None, comment: str, channel: str
) -> dict[str, int]:
    problems: list[ServiceValidationError] = []
    if rating not in Evaluation.Rating.values:
        problems.append(UnknownRatingError(choices=", ".join(Evaluation.Rating.values)))
    if channel not in CHANNELS:
        problems.append(UnknownEvaluationChannelError(choices=", ".join(CHANNELS)))
    criteria = criteria or {}
    unknown = sorted(set(criteria) - set(CRITERIA))
    if unknown:
        problems.append(UnknownCriteriaError(criteria=", ".join(unknown)))
    else:
        wrong = [
            key
            for key, points in criteria.items()
            if isinstance(points, bool) or points not in CRITERION_POINTS
        ]
        if wrong:
            problems.append(CriterionPointsInvalidError(criteria=", ".join(sorted(wrong))))
    if len(comment) > COMMENT_MAX_LENGTH:
        problems.append(CommentTooLongError(limit=COMMENT_MAX_LENGTH))
    refuse(problems)
    return {key: criteria[key] for key in CRITERIA if key in criteria}


def _processing_officer(dossier: Dossier) -> User | None:
    """Who ended processing: the leader who signed the result or the refusal."""
    event = (
        AuditEvent.objects.filter(
            target_id=str(dossier.pk),
            target_type__app_label="dossiers",
            target_type__model="dossier",
            event__in=["dossiers.completed", "dossiers.stopped"],
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor if event is not None else None


def _record(
    dossier: Dossier,
    *,
    actor: User | None,
    rating: str,
    scores: dict[str, int],
    comment: str,
    channel: str,
    data: dict[str, object] | None = None,
) -> Evaluation:
    """The evaluation of the locked dossier, once its processing has ended and only once."""
    if dossier.status not in EVALUABLE:
        raise InvalidTransitionError(dossier, "evaluate")
    if Evaluation.objects.filter(dossier=dossier).exists():
        raise AlreadyEvaluatedError(dossier)
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                dossier=dossier,
                rating=rating,
                criteria=scores,
                comment=comment,
                channel=channel,
                evaluated_at=timezone.now(),
                reception_officer_id=dossier.received_by_id,
                processing_officer=_processing_officer(dossier),
            )
    except IntegrityError as error:  # an import wrote one meanwhile, past the dossier lock
        raise AlreadyEvaluatedError(dossier) from error
    # Not a transition (common.EVENTS lists only those), but saved and audited the same way:
    # the version moves on and the indicator snapshots see the dossier changed.
    dossier.version += 1
    dossier.save()
    audit.record(
        actor=actor,
        event="dossiers.evaluated",
        target=dossier,
        data={"rating": rating, "channel": channel, "criteria": scores, **(data or {})},
    )
    return evaluation


@transaction.atomic
def dossier_evaluate(
    *,
    dossier_id: UUID | str,
    actor: User,
    rating: str,
    criteria: dict[str, int] | None = None,
    comment: str = "",
    channel: str,
) -> Evaluation:
    """Đánh giá sự hài lòng: the applicant's overall rating and, optionally, the nine
    criteria; it names the reception and processing officers for the per-officer figures."""
    comment = comment.strip()
    scores = _clean(rating, criteria, comment, channel)
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_id)
    if CHANNELS[channel] not in policies.capacities(actor, dossier):
        raise EvaluationDeniedError
    return _record(
        dossier, actor=actor, rating=rating, scores=scores, comment=comment, channel=channel
    )


# Compared against when no dossier has the code, so that a wrong code costs what a wrong
# secret does and the answer time does not tell which of the two was wrong.
_NO_SECRET_HASH = "0" * 64


def receipt_dossier(
    dossiers: QuerySet[Dossier], *, code: str, secret: str, legacy_by_code: bool = False
) -> Dossier:
    """The dossier of `dossiers` whose receipt carries this code and lookup secret; the
    same DoesNotExist whether the code or the secret is wrong (RULES.md §7).

    Codes match as printed; the portal's own codes also as typed in lower case. With
    `legacy_by_code`, a dossier imported from a legacy system whose receipts carried no
    secret of ours (none issued since) answers to its code alone."""
    code = code.strip()
    candidates = {code, code.upper()} if code else set()
    found = min(dossiers.filter(code__in=candidates), key=lambda d: d.code != code, default=None)
    if legacy_by_code and found is not None and found.imported and not found.lookup_secret_hash:
        return found
    matches = codes.secret_matches(found or Dossier(lookup_secret_hash=_NO_SECRET_HASH), secret)
    if found is None or not matches:
        raise Dossier.DoesNotExist("no dossier with this code and lookup secret")
    return found


@transaction.atomic
def dossier_evaluate_by_receipt(
    *,
    code: str,
    secret: str,
    rating: str,
    criteria: dict[str, int] | None = None,
    comment: str = "",
) -> Evaluation:
    """Đánh giá sự hài lòng qua mã QR trên phiếu hẹn: whoever holds the receipt (form 01)
    rates the service online without an account, with the dossier code and lookup secret."""
    comment = comment.strip()
    scores = _clean(rating, criteria, comment, EvaluationChannel.ONLINE)
    dossier = receipt_dossier(
        Dossier.objects.select_for_update(of=("self",)), code=code, secret=secret
    )
    return _record(
        dossier,
        actor=None,
        rating=rating,
        scores=scores,
        comment=comment,
        channel=EvaluationChannel.ONLINE,
        data={"by": "receipt"},
    )
