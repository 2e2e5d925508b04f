"""What each official form prints, read from a dossier (forms 01–05). Read only: a
form whose record does not exist raises FormUnavailableError, which the views turn into 404."""

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from dossiers.models import Apology, Attachment, Dossier, Pause, Status
from portal.models import AuditEvent
from reception.documents import formatting as fmt
from reception.models import Shipment

# Form 05 leaves room to write hand-overs by hand while the sheet travels with the paper.
CONTROL_SHEET_MIN_ROWS = 4


class FormUnavailableError(LookupError):
    """The dossier has no record this form prints (no refusal, no apology, ...)."""


@dataclass(frozen=True)
class Paper:
    name: str
    copy_type: str
    count: int
    digitized: bool


def _identity(dossier: Dossier) -> str:
    return dossier.code or dossier.reference


def _base(
    dossier: Dossier, issuer: fmt.Issuer, day: date | datetime, number: str
) -> dict[str, object]:
    terms = dossier.terms or {}
    return {
        "dossier": dossier,
        "identity": _identity(dossier),
        # Before reception a dossier has only its provisional reference.
        "identity_label": "Mã hồ sơ" if dossier.code else "Số tham chiếu",
        "issuer": issuer,
        "place_date": fmt.place_and_date(day),
        "number": f"Số: {_identity(dossier)}/{number}" if number else "",
        "procedure_name": terms.get("name") or dossier.procedure.name,
        "procedure_code": terms.get("code") or dossier.procedure.code,
        "point_name": dossier.reception_point.name if dossier.reception_point else "",
        "point_phone": dossier.reception_point.phone if dossier.reception_point else "",
        "agency_name": dossier.agency.name,
    }


def _reception_issuer(dossier: Dossier) -> fmt.Issuer:
    if dossier.reception_point is not None:
        return fmt.point_issuer(dossier.reception_point)
    return fmt.agency_issuer(dossier.agency)


def require_received(dossier: Dossier) -> None:
    # Only reception gives a code (a refused or incomplete dossier keeps its reference).
    if not dossier.code or dossier.received_at is None:
        raise FormUnavailableError("the dossier has not been received")


def lookup_url(dossier: Dossier, secret: str) -> str:
    """The public status lookup the receipt's QR code opens (contract with the lookup page):
    the secret rides in the fragment, which browsers never send, so no log keeps it."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}/lookup/?{urlencode({'code': dossier.code})}#{urlencode({'secret': secret})}"


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3, border=2, dark="#000")


def _papers(dossier: Dossier) -> list[Paper]:
    """The papers handed in as checked at the counter; for online and postal dossiers
    their uploaded papers; failing both, the required papers of the procedure as
    captured at reception (what the officer checked the dossier against)."""
    files: dict[object, list[Attachment]] = {}
    for attachment in dossier.attachments.filter(kind=Attachment.Kind.PAPER).only(
        "component_id", "component_name", "copy_type", "digitized"
    ):
        key = attachment.component_id or attachment.component_name
        files.setdefault(key, []).append(attachment)
    listed = dossier.papers or (
        []
        if files
        else [c for c in (dossier.terms or {}).get("components", []) if c.get("required", True)]
    )
    papers = []
    for paper in listed:
        found = files.pop(paper.get("id"), [])
        papers.append(
            Paper(
                name=paper["name"],
                copy_type=fmt.COPY_TYPES.get(paper.get("copy_type", ""), ""),
                count=paper.get("count", 1),
                digitized=any(attachment.digitized for attachment in found),
            )
        )
    for found in files.values():
        papers.append(
            Paper(
                name=found[0].component_name,
                copy_type=fmt.COPY_TYPES.get(found[0].copy_type, ""),
                count=1,
                digitized=any(attachment.digitized for attachment in found),
            )
        )
    return papers


def _fees(dossier: Dossier) -> str:
    if not dossier.fee_amount:
        return "Không thu phí, lệ phí"
    if dossier.paid_online:
        paid = "đã thanh toán trực tuyến"
    elif dossier.fee_collected:
        paid = "đã thu tại Bộ phận Một cửa"
    else:
        paid = "chưa thanh toán"
    return f"{fmt.money(dossier.fee_amount)} ({paid})"


def _delivery(dossier: Dossier) -> str:
    delivery = fmt.DELIVERIES.get(dossier.result_delivery, fmt.DELIVERIES["counter"])
    if dossier.result_delivery == "postal" and dossier.delivery_address:
        return f"{delivery}, địa chỉ: {dossier.delivery_address}"
    if dossier.result_delivery in ("", "counter") and dossier.reception_point:
        return f"Trực tiếp tại {dossier.reception_point.name}"
    return delivery


def receipt(dossier: Dossier, *, secret: str) -> dict[str, object]:
    """Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả, in two copies."""
    require_received(dossier)
    assert dossier.code  # for mypy: require_received checked both
    assert dossier.received_at is not None
    limit = (dossier.terms or {}).get("time_limit", dossier.procedure.time_limit)
    unit = (dossier.terms or {}).get("time_limit_unit", dossier.procedure.time_limit_unit)
    url = lookup_url(dossier, secret)
    return _base(dossier, _reception_issuer(dossier), dossier.received_at, "TNHS") | {
        "copies": ["Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ"],
        "papers": _papers(dossier),
        "sets_count": f"{dossier.sets_count:02d}",
        "time_limit": fmt.time_limit(limit, unit),
        "received_at": fmt.long_time(dossier.received_at),
        "due_at": fmt.long_time(dossier.due_at),
        "delivery": _delivery(dossier),
        "fees": _fees(dossier),
        "officer": dossier.received_by,
        "register_sequence": dossier.code.rsplit("-", 1)[-1],
        "secret": secret,
        "lookup_address": f"{settings.PUBLIC_BASE_URL.rstrip('/')}/lookup/",
        "qr_url": url,
        "qr_svg": qr_svg(url),
    }


def supplement_request(dossier: Dossier) -> dict[str, object]:
    """Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, from the open request or the last."""
    pauses = list(
        dossier.pauses.filter(kind=Pause.Kind.SUPPLEMENT)
        .select_related("requested_by")
        .order_by("requested_at", "pk")
    )
    if not pauses:
        raise FormUnavailableError("no supplement was requested")
    open_pauses = [pause for pause in pauses if pause.resumed_at is None]
    pause = open_pauses[-1] if open_pauses else pauses[-1]
    at_intake = pause.stage == Pause.Stage.INTAKE
    issuer = _reception_issuer(dossier) if at_intake else fmt.agency_issuer(dossier.agency)
    return _base(dossier, issuer, pause.requested_at, "HDHS") | {
        "pause": pause,
        "at_intake": at_intake,
        "issuer_full_name": dossier.reception_point.name
        if at_intake and dossier.reception_point
        else dossier.agency.name,
        "items": [item for item in pause.items if str(item).strip()],
        "requested_at": fmt.long_time(pause.requested_at),
        "officer": pause.requested_by,
    }


def _decision_event(dossier: Dossier, event: str) -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(Dossier),
            target_id=str(dossier.pk),
            event=event,
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def refusal(dossier: Dossier) -> dict[str, object]:
    """Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ, at reception (rejected) or after
    appraisal (stopped); the reason is the one the service recorded with the decision."""
    if dossier.status == Status.REJECTED:
        at_intake, event, when = True, "dossiers.rejected", dossier.rejected_at
    elif dossier.status == Status.STOPPED:
        at_intake, event, when = False, "dossiers.stopped", dossier.processing_ended_at
    else:
        raise FormUnavailableError("the dossier was not refused")
    decision = _decision_event(dossier, event)
    if decision is None:
        raise FormUnavailableError("the refusal was not recorded")
    when = when or decision.created_at
    issuer = _reception_issuer(dossier) if at_intake else fmt.agency_issuer(dossier.agency)
    return _base(dossier, issuer, when, "TCHS") | {
        "at_intake": at_intake,
        "issuer_full_name": dossier.reception_point.name
        if at_intake and dossier.reception_point
        else dossier.agency.name,
        "reason": decision.data.get("reason", ""),
        "officer": decision.actor,
        "refused_at": fmt.long_time(when),
    }


def apology(dossier: Dossier) -> dict[str, object]:
    """Mẫu 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả."""
    require_received(dossier)
    assert dossier.received_at is not None  # for mypy: require_received checked it
    try:
        letter = Apology.objects.select_related("issued_by").get(dossier=dossier)
    except Apology.DoesNotExist as missing:
        raise FormUnavailableError("no apology was issued") from missing
    return _base(dossier, fmt.agency_issuer(dossier.agency), letter.issued_at, "PXL") | {
        "apology": letter,
        "received_on": fmt.long_date(dossier.received_at),
        "due_at": fmt.long_time(dossier.due_at),
        "new_due_at": fmt.long_time(letter.new_due_at),
    }


@dataclass(frozen=True)
class HandOverRow:
    sequence: int
    giver: str
    receiver: str
    sent_at: str
    sent_by: str
    received_by: str
    result: str
    note: str


def control_sheet(dossier: Dossier) -> dict[str, object]:
    """Mẫu 05: Phiếu kiểm soát quá trình giải quyết hồ sơ, one row per hand-over."""
    require_received(dossier)
    assert dossier.received_at is not None  # for mypy: require_received checked it
    hand_overs = list(
        dossier.hand_overs.select_related("sent_by", "received_by", "to_agency").order_by(
            "sequence"
        )
    )
    bills = list(
        Shipment.objects.filter(dossier=dossier)
        .order_by("created_at", "pk")
        .values_list("direction", "bill_number")
    )
    rows = [
        HandOverRow(
            sequence=row.sequence,
            giver=row.from_label,
            receiver=row.to_label,
            sent_at=fmt.long_time(row.sent_at),
            sent_by=str(row.sent_by),
            received_by=str(row.received_by) if row.received_by else "",
            result=fmt.TIMELINESS.get(row.timeliness, ""),
            note=row.note,
        )
        for row in hand_overs
    ]
    partners = sorted(
        {
            row.to_agency.name
            for row in hand_overs
            if row.to_agency is not None and row.to_agency_id != dossier.agency_id
        }
    )
    return _base(dossier, _reception_issuer(dossier), dossier.received_at, "") | {
        "rows": rows,
        "blank_rows": range(max(0, CONTROL_SHEET_MIN_ROWS - len(rows))),
        "partners": ", ".join(partners),
        "dossier_bills": [number for direction, number in bills if direction == "dossier"],
        "result_bills": [number for direction, number in bills if direction == "result"],
        "due_at": fmt.long_time(dossier.due_at),
    }
