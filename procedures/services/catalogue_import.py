"""Writer of a whole procedure catalogue from one directory of CSV files (import_catalogue):
procedures.csv, papers.csv, fees.csv, steps.csv, groups.csv, each optional, validated
together, written in one transaction."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal import audit
from portal.bulk import insert_rows
from portal.csv_import import (
    CsvFile,
    ImportRejectedError,
    ImportSummary,
    Problem,
    Progress,
)
from portal.models import User
from procedures.models import Component, InterconnectionGroup, InterconnectionMember, Procedure
from procedures.services.catalogue_items import (
    FEES,
    GROUP_COLUMNS,
    GROUP_REQUIRED_COLUMNS,
    ITEM_KINDS,
    PAPERS,
    Group,
    Item,
    ItemKind,
    changed,
    check_groups,
    check_items,
    group_from_row,
    item_from_row,
)
from procedures.services.catalogue_rows import (
    CATALOGUE_PROCEDURE_COLUMNS,
    PROCEDURE_REQUIRED_COLUMNS,
    ProcedureRow,
    StoredCatalogue,
    check_procedures,
    procedure_from_row,
    summarise,
    write_procedures,
)

PROCEDURES_FILE, GROUPS_FILE = "procedures.csv", "groups.csv"
CATALOGUE_FILES = [PROCEDURES_FILE, *(kind.file for kind in ITEM_KINDS), GROUPS_FILE]


@dataclass(frozen=True)
class FileProblem(Problem):
    """A problem of one file of the directory: `papers.csv: row 4: copy_type: …`."""

    file: str = ""

    def __lt__(self, other: object) -> bool:
        return self._order() < cast(FileProblem, other)._order()

    def _order(self) -> tuple[int, int, str, str]:
        rank = CATALOGUE_FILES.index(self.file) if self.file in CATALOGUE_FILES else -1
        return (rank, self.line, self.column, self.reason)

    def __str__(self) -> str:
        where = f"row {self.line}: " if self.line else ""
        return f"{self.file}: {where}{self.column}: {self.reason}"


@dataclass
class CatalogueSummary:
    files: dict[str, ImportSummary] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{name}: {summary}" for name, summary in self.files.items())


@dataclass
class Plan:
    """The checked directory: what the write phase needs."""

    stored: StoredCatalogue
    progress: Progress
    procedures: list[ProcedureRow] = field(default_factory=list)
    items: dict[ItemKind, dict[str, list[Item]]] = field(default_factory=dict)
    stored_items: dict[ItemKind, dict[str, list[tuple[object, ...]]]] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    stored_groups: dict[str, InterconnectionGroup] = field(default_factory=dict)


def catalogue_import(
    *,
    directory: Path,
    update: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
) -> CatalogueSummary:
    """Nhập danh mục thủ tục hành chính đầy đủ: validate every file of the directory
    together, then write all or nothing."""
    directory = Path(directory)
    problems: list[Problem] = []
    present = _catalogue_files(directory, problems)
    plan = Plan(stored=StoredCatalogue.load(), progress=progress or Progress())
    problems.extend(_read(directory, present, plan, update=update))
    if problems:
        raise ImportRejectedError(problems)

    summary = _summarise(plan, present)
    rows = sum(part.rows for part in summary.files.values())
    plan.progress.checked(rows)
    with transaction.atomic():
        _write(plan)
        audit.record(
            actor=actor,
            event="procedures.catalogue_imported",
            data={
                "directory": directory.name,
                **{name: counts.__dict__ for name, counts in summary.files.items()},
            },
        )
    plan.progress.written(rows)
    return summary


def _catalogue_files(directory: Path, problems: list[Problem]) -> list[str]:
    """A misspelt companion (paper.csv) would be silently skipped: it is refused instead."""
    names = sorted(path.name for path in directory.iterdir() if path.suffix.lower() == ".csv")
    for name in names:
        if name not in CATALOGUE_FILES:
            problems.append(
                FileProblem(0, "file", f"not a catalogue file ({', '.join(CATALOGUE_FILES)})", name)
            )
    present = [name for name in CATALOGUE_FILES if name in names]
    if not present:
        problems.append(
            FileProblem(0, "file", f"none of {', '.join(CATALOGUE_FILES)}", directory.name)
        )
    return present


def _in_file(name: str, problems: list[Problem]) -> list[FileProblem]:
    return [FileProblem(p.line, p.column, p.reason, name) for p in problems]


def _read(directory: Path, present: list[str], plan: Plan, *, update: bool) -> list[Problem]:
    stored = plan.stored
    problems: list[Problem] = []
    in_file: set[str] = set()
    procedure_problems: list[Problem] = []
    if PROCEDURES_FILE in present:
        csv_file = CsvFile(
            directory / PROCEDURES_FILE,
            columns=CATALOGUE_PROCEDURE_COLUMNS,
            required=PROCEDURE_REQUIRED_COLUMNS,
            progress=plan.progress,
        )
        for raw in csv_file.rows():
            in_file.add(raw.values.get("code", "").strip())
            if (row := procedure_from_row(raw)) is not None:
                plan.procedures.append(row)
        procedure_problems = csv_file.problems
    known = in_file | set(stored.procedures)

    for kind in ITEM_KINDS:
        if kind.file not in present:
            continue
        csv_file = CsvFile(
            directory / kind.file,
            columns=kind.columns,
            required=kind.required,
            progress=plan.progress,
        )
        parsed = [item for raw in csv_file.rows() if (item := item_from_row(kind, raw))]
        found = csv_file.problems
        if not found:
            plan.stored_items[kind] = _stored_items(kind, parsed, stored)
            found, plan.items[kind] = check_items(
                kind, parsed, known, plan.stored_items[kind], update=update
            )
        problems.extend(_in_file(kind.file, found))

    fee_items = plan.items.get(FEES, {})
    if not procedure_problems:
        procedure_problems = check_procedures(
            plan.procedures,
            stored,
            update=update,
            itemised=fee_items,
            fee_items_hint="give them in fees.csv",
        )
        procedure_problems += _check_fee_totals(plan.procedures, fee_items)
    problems.extend(_in_file(PROCEDURES_FILE, procedure_problems))

    if GROUPS_FILE in present:
        csv_file = CsvFile(
            directory / GROUPS_FILE,
            columns=GROUP_COLUMNS,
            required=GROUP_REQUIRED_COLUMNS,
            progress=plan.progress,
        )
        for raw in csv_file.rows():
            group_from_row(raw, plan.groups)
        found = csv_file.problems
        if not found:
            plan.stored_groups = {
                group.code: group
                for group in InterconnectionGroup.objects.filter(
                    code__in=plan.groups
                ).prefetch_related("members__procedure")
            }
            found = check_groups(
                plan.groups,
                known,
                {code: _group_terms(group) for code, group in plan.stored_groups.items()},
                update=update,
            )
        problems.extend(_in_file(GROUPS_FILE, found))
    return problems


def _stored_items(
    kind: ItemKind, items: list[Item], stored: StoredCatalogue
) -> dict[str, list[tuple[object, ...]]]:
    """The stored items of the stored procedures the file names, position first."""
    codes = {
        stored.procedures[item.procedure].pk: item.procedure
        for item in items
        if item.procedure in stored.procedures
    }
    found: dict[str, list[tuple[object, ...]]] = {code: [] for code in codes.values()}
    rows = (
        kind.model.objects.filter(procedure_id__in=codes)
        .order_by("procedure_id", "position", "pk")
        .values_list("procedure_id", "position", *kind.fields)
    )
    for procedure_id, *values in rows:
        found[codes[procedure_id]].append(tuple(values))
    return found


def _check_fee_totals(rows: list[ProcedureRow], fee_items: dict[str, list[Item]]) -> list[Problem]:
    problems = []
    for row in rows:
        items = fee_items.get(row.code)
        if items and row.fee_given:
            total = sum(item.values[FEES.fields.index("amount")] for item in items)  # type: ignore[misc]
            if total != row.fee:
                problems.append(
                    Problem(
                        row.line,
                        "fee",
                        f"{row.fee} is not the total of its fees.csv items ({total})",
                    )
                )
    return problems


def _group_terms(group: InterconnectionGroup) -> tuple[dict[str, object], list[tuple[int, str]]]:
    values = {
        "name": group.name,
        "time_limit": group.time_limit,
        "time_limit_unit": group.time_limit_unit,
        "legal_basis": group.legal_basis,
    }
    members = sorted((m.position, m.procedure.code) for m in group.members.all())
    return values, members


def _replaced(plan: Plan, kind: ItemKind) -> dict[str, list[Item]]:
    """The procedures whose items the file gives anew: new ones, or different ones."""
    stored = plan.stored_items.get(kind, {})
    return {
        code: items
        for code, items in plan.items.get(kind, {}).items()
        if not stored.get(code) or changed(items, stored[code])
    }


def _summarise(plan: Plan, present: list[str]) -> CatalogueSummary:
    summary = CatalogueSummary()
    if PROCEDURES_FILE in present:
        summary.files[PROCEDURES_FILE] = summarise(plan.procedures, plan.stored)
    for kind in ITEM_KINDS:
        if kind.file not in present:
            continue
        counts = summary.files[kind.file] = ImportSummary()
        stored, replaced = plan.stored_items[kind], _replaced(plan, kind)
        for code, items in plan.items[kind].items():
            counts.rows += len(items)
            if code not in replaced:
                counts.unchanged += len(items)
            elif stored.get(code):
                counts.updated += len(items)
            else:
                counts.created += len(items)
    if GROUPS_FILE in present:
        counts = summary.files[GROUPS_FILE] = ImportSummary()
        for group in plan.groups.values():
            members = len(group.members)
            counts.rows += members
            if group.code not in plan.stored_groups:
                counts.created += members
            elif group.changes:
                counts.updated += members
            else:
                counts.unchanged += members
    return summary


def _write(plan: Plan) -> None:
    stored = plan.stored
    fee_items = plan.items.get(FEES, {})
    written = write_procedures(plan.procedures, stored, itemised=fee_items)
    ids = {code: procedure.pk for code, procedure in stored.procedures.items()}
    ids.update((code, procedure.pk) for code, procedure in written.items())
    edited: set[str] = set()
    for kind in plan.items:
        replaced = _replaced(plan, kind)
        had_items = [ids[code] for code in replaced if plan.stored_items[kind].get(code)]
        templates = _form_templates(had_items) if kind is PAPERS else {}
        kind.model.objects.filter(procedure_id__in=had_items).delete()
        insert_rows(
            kind.model,
            (
                _item_values(kind, ids[code], item, templates)
                for code, items in replaced.items()
                for item in items
            ),
        )
        edited.update(code for code in replaced if code in stored.procedures)
    # An edit of papers, fees or steps is an edit of the procedure (as in the admin),
    # counted once with the procedure's own changes.
    edited -= {row.code for row in plan.procedures if row.changes}
    Procedure.objects.filter(pk__in=[ids[code] for code in edited]).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    _write_groups(plan, ids)


def _item_values(
    kind: ItemKind, procedure_id: int, item: Item, templates: dict[tuple[int, str], str]
) -> dict[str, object]:
    values: dict[str, object] = {"procedure_id": procedure_id, "position": item.position}
    values.update(zip(kind.fields, item.values, strict=True))
    if kind is PAPERS and (template := templates.get((procedure_id, str(values["name"])))):
        values["form_template"] = template
    return values


def _form_templates(procedure_ids: list[int]) -> dict[tuple[int, str], str]:
    """A paper's form uploaded in the admin stays with the paper of the same name."""
    return {
        (procedure_id, name): template
        for procedure_id, name, template in Component.objects.filter(procedure_id__in=procedure_ids)
        .exclude(form_template="")
        .values_list("procedure_id", "name", "form_template")
    }


def _write_groups(plan: Plan, ids: dict[str, int]) -> None:
    new = [
        InterconnectionGroup(code=group.code, **group.values)
        for group in plan.groups.values()
        if group.code not in plan.stored_groups
    ]
    InterconnectionGroup.objects.bulk_create(new)
    changed_groups = []
    for group in plan.groups.values():
        stored = plan.stored_groups.get(group.code)
        if stored is not None and group.changes:
            for name, value in group.values.items():
                setattr(stored, name, value)
            stored.save()
            changed_groups.append(stored)
    InterconnectionMember.objects.filter(group__in=changed_groups).delete()
    by_code = {group.code: group for group in [*new, *changed_groups]}
    insert_rows(
        InterconnectionMember,
        (
            {"group_id": by_code[code].pk, "procedure_id": ids[member], "position": position}
            for code, group in plan.groups.items()
            if code in by_code
            for position, member, _ in group.members
        ),
    )
