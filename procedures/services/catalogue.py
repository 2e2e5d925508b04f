"""Writers of the procedure catalogue: import_procedures, edits, publication."""

from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.db.models import F

from portal import audit
from portal.csv_import import CsvFile, ImportRejectedError, ImportSummary, Progress
from portal.models import User
from procedures.models import Procedure, Sector
from procedures.services.catalogue_rows import (
    PROCEDURE_COLUMNS,
    PROCEDURE_REQUIRED_COLUMNS,
    StoredCatalogue,
    check_procedures,
    index,
    procedure_from_row,
    summarise,
    write_procedures,
)

__all__ = ["PROCEDURE_COLUMNS", "index"]


def procedures_import(
    *,
    path: Path,
    update: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Nhập danh mục thủ tục hành chính: validate the whole file, then write all or nothing."""
    csv_file = CsvFile(
        path, columns=PROCEDURE_COLUMNS, required=PROCEDURE_REQUIRED_COLUMNS, progress=progress
    )
    parsed = [row for raw in csv_file.rows() if (row := procedure_from_row(raw)) is not None]
    problems = csv_file.problems
    stored = StoredCatalogue.load()
    if not problems:
        problems.extend(check_procedures(parsed, stored, update=update))
    if problems:
        raise ImportRejectedError(problems)
    csv_file.progress.checked(len(parsed))

    summary = summarise(parsed, stored)
    with transaction.atomic():
        write_procedures(parsed, stored)
        audit.record(
            actor=actor,
            event="procedures.procedures_imported",
            data={"file": Path(path).name, **summary.__dict__},
        )
    csv_file.progress.written(len(parsed))
    return summary


@transaction.atomic
def procedure_record_edit(
    *, procedure: Procedure, actor: User | None, created: bool = False
) -> Procedure:
    """Sửa thủ tục: after the procedure or its papers, fees or steps were saved, re-index
    it and bump its version; dossiers already received keep their own copy."""
    index(procedure)
    if not created:
        procedure.version = F("version") + 1
    procedure.save(update_fields=["search_text", "sort_name", "version", "updated_at"])
    procedure.refresh_from_db(fields=["version"])
    audit.record(
        actor=actor,
        event="procedures.procedure_created" if created else "procedures.procedure_edited",
        target=procedure,
        data={"version": procedure.version},
    )
    return procedure


@transaction.atomic
def sector_record_edit(*, sector: Sector, actor: User | None) -> None:
    """A sector's name is part of its procedures' search text."""
    for procedure in sector.procedures.select_related("sector"):
        procedure.sector = sector
        index(procedure)
        procedure.save(update_fields=["search_text"])
    audit.record(actor=actor, event="procedures.sector_edited", target=sector)


@transaction.atomic
def procedures_set_status(
    *, procedures: Iterable[Procedure], status: str, actor: User | None
) -> int:
    """Công bố / ngừng công bố: publish or withdraw procedures from the public catalogue."""
    changed = 0
    for procedure in procedures:
        if procedure.status == status:
            continue
        before = procedure.status
        procedure.status = status
        procedure.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            event="procedures.procedure_status_changed",
            target=procedure,
            data={"from": before, "to": status},
        )
        changed += 1
    return changed
