"""The counter's writes: each outcome of an intake in one transaction, so a dossier is
never half made (a refused scan leaves no dossier, and a failed dossier no file)."""

from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.db import transaction

from dossiers.models import Dossier
from dossiers.services import Applicant, dossier_receive_at_counter
from dossiers.services.attachments import attachment_add
from dossiers.services.intake import dossier_guide_at_counter, dossier_refuse_at_counter
from portal.models import User
from procedures.models import Agency, Procedure, ReceptionPoint
from reception.queue.services import counter_note_dossier


@dataclass(frozen=True)
class Intake:
    procedure: Procedure
    agency: Agency
    reception_point: ReceptionPoint
    applicant: Applicant
    filled_by_officer: bool = False


@dataclass(frozen=True)
class Outcome:
    dossier: Dossier
    lookup_secret: str = ""  # only for a reception: printed on form 01, then forgotten


def note_served(*, officer: User, dossier: Dossier) -> None:
    """Tell the queue which dossier this counter just served (for its kiosk)."""
    counter_note_dossier(officer=officer, dossier=dossier)


def _walk_in(intake: Intake) -> dict[str, Any]:
    return {
        "procedure": intake.procedure,
        "agency": intake.agency,
        "reception_point": intake.reception_point,
        "applicant": intake.applicant,
        "filled_by_officer": intake.filled_by_officer,
    }


@transaction.atomic
def counter_receive(
    *,
    officer: User,
    intake: Intake,
    papers: list[dict[str, Any]],
    scans: list[tuple[int, str, "File[Any]"]],
    sets_count: int,
    result_delivery: str,
    delivery_address: str,
    fee_amount: int,
    fee_collected: bool,
) -> Outcome:
    """Tiếp nhận hồ sơ giấy (form 01), with the papers scanned at the counter."""
    reception = dossier_receive_at_counter(
        officer=officer,
        papers=papers,
        sets_count=sets_count,
        result_delivery=result_delivery,
        delivery_address=delivery_address,
        fee_amount=fee_amount,
        fee_collected=fee_collected,
        **_walk_in(intake),
    )
    stored = []
    try:
        for component_id, copy_type, upload in scans:
            stored.append(
                attachment_add(
                    dossier_id=reception.dossier.pk,
                    actor=officer,
                    component_id=component_id,
                    upload=upload,
                    copy_type=copy_type,
                    digitized=True,
                )
            )
    except Exception:
        # The transaction takes the rows back; the files written so far go with them.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    reception.dossier.refresh_from_db()
    note_served(officer=officer, dossier=reception.dossier)
    return Outcome(reception.dossier, reception.lookup_secret)


@transaction.atomic
def counter_guide(*, officer: User, intake: Intake, items: list[str], reason: str) -> Outcome:
    """Hướng dẫn hoàn thiện hồ sơ (form 02) for an incomplete paper dossier."""
    dossier = dossier_guide_at_counter(
        officer=officer, items=items, reason=reason, **_walk_in(intake)
    )
    note_served(officer=officer, dossier=dossier)
    return Outcome(dossier)


@transaction.atomic
def counter_refuse(*, officer: User, intake: Intake, reason: str) -> Outcome:
    """Từ chối tiếp nhận (form 03) of a paper dossier."""
    dossier = dossier_refuse_at_counter(officer=officer, reason=reason, **_walk_in(intake))
    note_served(officer=officer, dossier=dossier)
    return Outcome(dossier)
