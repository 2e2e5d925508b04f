"""The companions of procedures.csv in an import_catalogue directory: a procedure's papers,
fee items and internal steps, one row per item, and the interconnection groups."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from portal.csv_import import Problem, Row
from procedures.deadlines import TimeLimitUnit
from procedures.models import Component, CopyType, Fee, Step
from procedures.services.catalogue_rows import checked_time_limit

MAX_BUDGET_HOURS = Decimal("9999.99")


@dataclass
class Item:
    line: int
    procedure: str
    position: int
    values: tuple[object, ...]

    def key(self) -> tuple[object, ...]:
        return (self.position, *self.values)


def _paper(row: Row) -> tuple[object, ...] | None:
    values = (
        row.text("name", required=True, max_length=500),
        row.choice("copy_type", CopyType.values, required=True),
        row.integer("count", minimum=1) or 1,
        row.boolean("required", default=True),
        row.text("note") or "",
    )
    return None if None in values else values


def _fee(row: Row) -> tuple[object, ...] | None:
    values = (
        row.choice("kind", Fee.Kind.values) or Fee.Kind.CHARGE,
        row.text("name", required=True, max_length=300),
        row.integer("amount", required=True, minimum=0),
        row.text("exemptions") or "",
    )
    return None if None in values else values


def _step(row: Row) -> tuple[object, ...] | None:
    hours = row.decimal("budget_hours", required=True, minimum=Decimal(0))
    if hours is not None and (hours > MAX_BUDGET_HOURS or hours.as_tuple().exponent < -2):  # type: ignore[operator]
        row.problem("budget_hours", f"at most {MAX_BUDGET_HOURS}, with two decimals")
        hours = None
    values = (
        row.text("name", required=True, max_length=300),
        row.text("responsible", max_length=300) or "",
        None if hours is None else hours.quantize(Decimal("0.01")),
    )
    return None if None in values else values


@dataclass(frozen=True)
class ItemKind:
    """One companion file: its columns and the model fields its rows fill, in order."""

    file: str
    noun: str
    model: type[Component] | type[Fee] | type[Step]
    fields: tuple[str, ...]
    required: tuple[str, ...]
    parse: Callable[[Row], tuple[object, ...] | None]

    @property
    def columns(self) -> list[str]:
        return ["procedure_code", "position", *self.fields]


PAPERS = ItemKind(
    "papers.csv",
    "papers",
    Component,
    ("name", "copy_type", "count", "required", "note"),
    ("procedure_code", "position", "name", "copy_type"),
    _paper,
)
FEES = ItemKind(
    "fees.csv",
    "fee items",
    Fee,
    ("kind", "name", "amount", "exemptions"),
    ("procedure_code", "position", "name", "amount"),
    _fee,
)
STEPS = ItemKind(
    "steps.csv",
    "steps",
    Step,
    ("name", "responsible", "budget_hours"),
    ("procedure_code", "position", "name", "budget_hours"),
    _step,
)
ITEM_KINDS = (PAPERS, FEES, STEPS)


def item_from_row(kind: ItemKind, row: Row) -> Item | None:
    code = row.text("procedure_code", required=True)
    position = row.integer("position", required=True, minimum=1)
    values = kind.parse(row)
    if code is None or position is None or values is None:
        return None
    return Item(row.line, code, position, values)


def check_items(
    kind: ItemKind,
    items: list[Item],
    known: set[str],
    stored: dict[str, list[tuple[object, ...]]],
    *,
    update: bool,
) -> tuple[list[Problem], dict[str, list[Item]]]:
    """Problems, and the items by procedure. `stored` holds the stored items (position
    first) of the procedures that are stored."""
    problems: list[Problem] = []
    by_procedure: dict[str, list[Item]] = {}
    positions: dict[tuple[str, int], int] = {}
    for item in items:
        if item.procedure not in known:
            problems.append(
                Problem(item.line, "procedure_code", f"unknown procedure {item.procedure}")
            )
            continue
        first = positions.setdefault((item.procedure, item.position), item.line)
        if first != item.line:
            problems.append(
                Problem(
                    item.line,
                    "position",
                    f"{item.position} repeats row {first} for {item.procedure}",
                )
            )
        by_procedure.setdefault(item.procedure, []).append(item)
    for code, given in by_procedure.items():
        given.sort(key=lambda item: item.position)
        if code in stored and stored[code] and changed(given, stored[code]) and not update:
            problems.append(
                Problem(
                    min(item.line for item in given),
                    "procedure_code",
                    f"{code} already has other {kind.noun}; use --update to replace them",
                )
            )
    return problems, by_procedure


def changed(given: list[Item], stored: list[tuple[object, ...]]) -> bool:
    return [item.key() for item in given] != stored


@dataclass
class Group:
    line: int
    code: str
    values: dict[str, object]
    # (position, procedure code, line)
    members: list[tuple[int, str, int]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


GROUP_COLUMNS = [
    "code",
    "name",
    "time_limit",
    "time_limit_unit",
    "legal_basis",
    "procedure_code",
    "position",
]
GROUP_REQUIRED_COLUMNS = ["code", "name", "time_limit", "time_limit_unit", "procedure_code"]


def group_from_row(row: Row, groups: dict[str, Group]) -> None:
    """The group's own cells are on its first row; later rows may repeat them, the same."""
    code = row.text("code", required=True, max_length=40)
    procedure = row.text("procedure_code", required=True)
    position = row.integer("position", minimum=1)
    if code is None:
        return
    group = groups.get(code)
    first = group is None
    limit = row.decimal("time_limit", required=first, minimum=Decimal(0))
    unit = row.choice("time_limit_unit", TimeLimitUnit.values, required=first)
    values: dict[str, object] = {
        "name": row.text("name", required=first, max_length=500),
        "time_limit": checked_time_limit(row, limit, unit),
        "time_limit_unit": unit,
        "legal_basis": row.text("legal_basis") or ("" if first else None),
    }
    if group is None:
        group = groups[code] = Group(row.line, code, values)
    else:
        for name, value in values.items():
            if value is not None and value != group.values[name]:
                row.problem(name, f"differs from row {group.line}, the first of group {code}")
    if procedure is not None:
        group.members.append((position or len(group.members) + 1, procedure, row.line))


def check_groups(
    groups: dict[str, Group],
    known: set[str],
    stored: dict[str, tuple[dict[str, object], list[tuple[int, str]]]],
    *,
    update: bool,
) -> list[Problem]:
    problems: list[Problem] = []
    for group in groups.values():
        if None in group.values.values():
            continue  # already refused on its first row
        seen: dict[str, int] = {}
        positions: dict[int, int] = {}
        for position, code, line in group.members:
            if code not in known:
                problems.append(Problem(line, "procedure_code", f"unknown procedure {code}"))
            elif code in seen:
                problems.append(
                    Problem(
                        line, "procedure_code", f"{code} repeats row {seen[code]} of {group.code}"
                    )
                )
            if position in positions:
                problems.append(
                    Problem(
                        line,
                        "position",
                        f"{position} repeats row {positions[position]} of {group.code}",
                    )
                )
            seen.setdefault(code, line)
            positions.setdefault(position, line)
        if len(seen) == 1:
            problems.append(
                Problem(
                    group.line,
                    "procedure_code",
                    f"group {group.code} has one member; a group links at least two procedures",
                )
            )
        group.members.sort()
        if group.code in stored:
            values, members = stored[group.code]
            group.changes = [name for name, value in group.values.items() if values[name] != value]
            if members != [(position, code) for position, code, _ in group.members]:
                group.changes.append("members")
            if group.changes and not update:
                problems.append(
                    Problem(
                        group.line,
                        "code",
                        f"{group.code} already exists with other {', '.join(group.changes)}; "
                        "use --update to change it",
                    )
                )
    return problems
