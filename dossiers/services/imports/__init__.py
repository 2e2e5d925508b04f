"""Nhập hồ sơ tồn đọng: historical dossiers from a legacy one-door system (import_dossiers,
INTERFACES.md §2), stored in the state they were recorded in. No transition runs, so no
notification, hand-over or code allocation happens; each dossier gets one audit event."""

import itertools
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction

from dossiers.services.imports.checks import Catalogue, check_dossiers
from dossiers.services.imports.rows import (
    BATCH_SIZE,
    DOSSIER_COLUMNS,
    DOSSIER_REQUIRED_COLUMNS,
    dossier_from_row,
)
from dossiers.services.imports.write import write_batch
from portal.csv_import import CsvFile, ImportRejectedError, ImportSummary, Progress, Row
from portal.models import User

__all__ = ["DOSSIER_COLUMNS", "dossiers_import"]


def dossiers_import(
    *,
    path: Path,
    update: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Nhập hồ sơ: validate the whole file, then write every dossier or none.

    `unit_code` names the unit that bore the code on the local date of `received_at`
    (codes are reused across the 2025 reform); the agency is `agency_code`'s, else follows
    `Catalogue.agency`; the reception point is `reception_point_code`'s, else the one
    point of the unit serving that agency. Codes are the legacy system's, kept verbatim.
    A row whose code is stored with the same data is left alone (empty due_at,
    online_level and legacy_level are not compared: they were derived from a catalogue
    that may have changed since); one with other data is refused, `update` or not: a
    historical dossier is corrected in the legacy system, never rewritten here."""
    csv_file = CsvFile(
        path, columns=DOSSIER_COLUMNS, required=DOSSIER_REQUIRED_COLUMNS, progress=progress
    )
    catalogue = Catalogue.load()
    problems = csv_file.problems
    seen: dict[str, int] = {}
    summary = ImportSummary()
    # One pass, a batch at a time, inside one transaction: memory holds a batch and the
    # codes seen, whatever the file's size. The first problem stops the writing (the rest
    # of the file is still checked, to report every problem) and the transaction is
    # rolled back: all or nothing.
    with transaction.atomic():
        for raw_rows in _batches(csv_file.rows()):
            parsed = [row for raw in raw_rows if (row := dossier_from_row(raw)) is not None]
            problems.extend(check_dossiers(parsed, catalogue, update=update, seen=seen))
            summary.rows += len(parsed)
            csv_file.progress.checked(len(parsed))
            if problems:
                continue
            fresh = [row for row in parsed if not row.unchanged]
            write_batch(fresh, catalogue, actor)
            summary.created += len(fresh)
            summary.unchanged += len(parsed) - len(fresh)
            csv_file.progress.written(len(fresh))
        if problems:
            raise ImportRejectedError(problems)
    return summary


def _batches(rows: Iterator[Row]) -> Iterator[list[Row]]:
    while batch := list(itertools.islice(rows, BATCH_SIZE)):
        yield batch
