"""Writing a batch of checked rows: dossiers, their evaluations and one audit event each,
by COPY on PostgreSQL (portal.bulk)."""

import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType

from dossiers.codes import new_reference
from dossiers.models import Channel, Dossier, Evaluation
from dossiers.services.imports.checks import Catalogue
from dossiers.services.imports.rows import DossierRow
from portal.bulk import insert_rows
from portal.models import AuditEvent, User
from procedures import deadlines
from procedures.models import OnlineLevel

EVENT = "dossiers.imported"
EVALUATION_CHANNEL = "imported"


def write_batch(rows: list[DossierRow], catalogue: Catalogue, actor: User | None) -> None:
    dossiers = [_dossier_values(row, catalogue) for row in rows]
    insert_rows(Dossier, dossiers)
    evaluations = [
        {
            "dossier_id": dossier["id"],
            "rating": row.satisfaction,
            "channel": EVALUATION_CHANNEL,
            "evaluated_at": row.evaluated_at,
        }
        for row, dossier in zip(rows, dossiers, strict=True)
        if row.satisfaction
    ]
    insert_rows(Evaluation, evaluations)
    target_type_id = ContentType.objects.get_for_model(Dossier).pk
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    events = [
        {
            "actor_id": actor_id,
            "event": EVENT,
            "target_type_id": target_type_id,
            "target_id": str(dossier["id"]),
            "target_label": dossier["code"],
            "data": {"status": dossier["status"]},
        }
        for dossier in dossiers
    ]
    insert_rows(AuditEvent, events)


def _dossier_values(row: DossierRow, catalogue: Catalogue) -> dict[str, Any]:
    procedure, unit, agency = row.procedure, row.unit, row.agency
    # check_dossiers resolved all three, or refused the file.
    assert procedure is not None
    assert unit is not None
    assert agency is not None
    online_level = ""
    if row.channel == Channel.ONLINE:
        online_level = row.online_level or procedure.online_level
        online_level = "" if online_level == OnlineLevel.NONE else online_level
    due_at = row.due_at
    if due_at is None:
        limit, limit_unit = catalogue.time_limit(procedure)
        due_at = deadlines.due_at(catalogue.calendar(unit), row.received_at, limit, limit_unit)
    return {
        "id": uuid.uuid4(),
        "code": row.code,
        "reference": new_reference(),
        "status": row.status,
        "procedure_id": procedure.pk,
        "procedure_version": procedure.version,
        "terms": catalogue.terms(procedure),
        "agency_id": agency.pk,
        "reception_point_id": row.reception_point.pk if row.reception_point else None,
        "unit_id": unit.pk,
        "channel": row.channel,
        "online_level": online_level,
        "legacy_level": row.legacy_level or procedure.legacy_level,
        "applicant_name": row.applicant_name,
        "result_delivery": row.result_delivery,
        "fee_amount": row.fee_amount,
        "paid_online": row.paid_online,
        "digitized": row.digitized,
        "result_electronic": row.result_electronic,
        "result_digitized": row.result_digitized,
        "submitted_at": row.submitted_at,
        "received_at": row.received_at,
        "due_at": due_at,
        "supplement_count": row.supplement_count,
        "processing_ended_at": row.completed_at,
        "returned_at": row.returned_at,
        "withdrawn_at": row.withdrawn_at,
        "imported": True,
    }
