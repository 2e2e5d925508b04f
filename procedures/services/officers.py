"""Writer of the officers and their scoped roles (import_officers, INTERFACES.md §2).

Accounts are created without a usable password: each officer chooses one through a
set-password link, mailed after commit by a retried task or printed for the administrator.
A password never travels in a file."""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from portal import audit
from portal.accounts.services import SET_PASSWORD, account_email_after_commit, account_link
from portal.csv_import import CsvFile, ImportRejectedError, ImportSummary, Problem, Progress, Row
from portal.models import User
from portal.roles import Role
from procedures.models import AdministrativeUnit, Agency, Assignment, ReceptionPoint
from procedures.selectors.scope import forget_officer_scopes
from procedures.services.periods import holder_now

SCOPE_COLUMNS = ["unit_code", "agency_code", "reception_point_code"]
OFFICER_COLUMNS = ["username", "full_name", "email", "role", *SCOPE_COLUMNS]
OFFICER_REQUIRED_COLUMNS = ["username", "full_name", "role"]
# The file's role names (INTERFACES.md §2) and the portal's.
ROLES = {
    "reception_officer": Role.RECEPTION_OFFICER,
    "processing_officer": Role.PROCESSING_OFFICER,
    "leader": Role.UNIT_LEADER,
    "manager": Role.MANAGER,
}
USERNAME = UnicodeUsernameValidator()
# (role, unit id, agency id, reception point id)
Grant = tuple[str, int | None, int | None, int | None]


@dataclass
class OfficerRow:
    line: int
    username: str
    full_name: str
    email: str
    role: str
    scope_column: str
    scope_code: str
    grant: Grant | None = None


@dataclass
class Officer:
    """All the rows of one username."""

    rows: list[OfficerRow]
    user: User | None = None
    created: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def first(self) -> OfficerRow:
        return self.rows[0]

    @property
    def grants(self) -> set[Grant]:
        return {row.grant for row in self.rows if row.grant is not None}


@dataclass
class OfficersSummary(ImportSummary):
    """Created, updated and unchanged count officers; a row is one role of one."""

    officers: int = 0
    links: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"{self.rows} rows, {self.officers} officers: {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )


def officers_import(
    *,
    path: Path,
    update: bool = False,
    print_links: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
) -> OfficersSummary:
    """Nhập danh sách cán bộ: validate the whole file, then write all or nothing; each
    officer without a password gets a set-password link (mailed, or returned to print)."""
    csv_file = CsvFile(
        path, columns=OFFICER_COLUMNS, required=OFFICER_REQUIRED_COLUMNS, progress=progress
    )
    _explain_password_columns(csv_file)
    parsed = [read for row in csv_file.rows() if (read := _officer_from_row(row))]
    problems = csv_file.problems
    officers = _group(parsed, problems)
    if not problems:
        problems.extend(_check_officers(officers, update=update))
    if problems:
        raise ImportRejectedError(problems)
    csv_file.progress.checked(len(parsed))

    summary = OfficersSummary(rows=len(parsed), officers=len(officers))
    with transaction.atomic():
        _write_officers(officers, summary)
        audit.record(
            actor=actor,
            event="procedures.officers_imported",
            data={"file": Path(path).name, **_counts(summary)},
        )
        for officer in officers:
            user = officer.user
            if user is None or user.has_usable_password():
                continue
            if print_links:
                summary.links[user.username] = account_link(SET_PASSWORD, user)
            elif user.email and (officer.created or officer.changes):
                account_email_after_commit(user_id=user.pk, kind=SET_PASSWORD, language="vi")
    csv_file.progress.written(len(parsed))
    return summary


def _counts(summary: OfficersSummary) -> dict[str, int]:
    return {
        "rows": summary.rows,
        "officers": summary.officers,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
    }


def _explain_password_columns(csv_file: CsvFile) -> None:
    for index, problem in enumerate(csv_file.problems):
        if problem.line == 1 and "password" in problem.column.lower():
            csv_file.problems[index] = Problem(
                1,
                problem.column,
                "passwords never go in a file: each officer receives a set-password link",
            )


def _officer_from_row(row: Row) -> OfficerRow | None:
    username = row.text("username", required=True, max_length=150)
    if username is not None:
        try:
            USERNAME(username)
        except ValidationError:
            row.problem("username", f"{username!r}: letters, digits and @ . + - _ only")
            username = None
    full_name = row.text("full_name", required=True, max_length=200)
    email = row.text("email", max_length=254) or ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.problem("email", f"{email!r} is not an email address")
    role = row.choice("role", ROLES, required=True)
    scopes = [(column, code) for column in SCOPE_COLUMNS if (code := row.text(column))]
    if len(scopes) != 1:
        given = " and ".join(column for column, _ in scopes) or "none"
        row.problem("unit_code", f"exactly one of {', '.join(SCOPE_COLUMNS)} (given: {given})")
        return None
    if username is None or full_name is None or role is None or not row.ok:
        return None
    column, code = scopes[0]
    return OfficerRow(row.line, username, full_name, email, ROLES[role], column, code)


def _group(rows: list[OfficerRow], problems: list[Problem]) -> list[Officer]:
    """Rows of one username make one officer; they must agree on the person."""
    by_username: dict[str, Officer] = {}
    for row in rows:
        officer = by_username.setdefault(row.username.lower(), Officer([]))
        if officer.rows:
            first = officer.first
            for column in ("full_name", "email"):
                if getattr(row, column) != getattr(first, column):
                    problems.append(
                        Problem(
                            row.line, column, f"differs from row {first.line} ({first.username})"
                        )
                    )
            if row.username != first.username:
                problems.append(
                    Problem(
                        row.line,
                        "username",
                        f"{row.username} is {first.username} of row {first.line}",
                    )
                )
        officer.rows.append(row)
    return list(by_username.values())


def _check_officers(officers: list[Officer], *, update: bool) -> list[Problem]:
    problems: list[Problem] = []
    rows = [row for officer in officers for row in officer.rows]
    problems.extend(_resolve_scopes(rows))
    usernames = [officer.first.username for officer in officers]
    stored = {
        user.username.lower(): user
        for user in User.objects.filter(username__in=usernames).prefetch_related("assignments")
    }
    emails: dict[str, int] = {}
    for officer in officers:
        first = officer.first
        if first.email:
            if (line := emails.get(first.email.lower())) is not None:
                problems.append(Problem(first.line, "email", f"also the email of row {line}"))
            emails.setdefault(first.email.lower(), first.line)
        problems.extend(_repeated_grants(officer))
        officer.user = stored.get(first.username.lower())
        if officer.user is not None:
            problems.extend(_compare(officer, update=update))
    taken = dict(
        User.objects.annotate(email_ci=Lower("email"))
        .filter(email_ci__in=emails)
        .values_list("email_ci", "username")
    )
    for officer in officers:
        first = officer.first
        owner = taken.get(first.email.lower()) if first.email else None
        if owner is not None and owner.lower() != first.username.lower():
            problems.append(Problem(first.line, "email", f"already the email of account {owner}"))
    return problems


def _resolve_scopes(rows: list[OfficerRow]) -> list[Problem]:
    """The unit or agency holding the code today (else the latest), or the point."""
    models: dict[str, type[AdministrativeUnit] | type[Agency] | type[ReceptionPoint]] = {
        "unit_code": AdministrativeUnit,
        "agency_code": Agency,
        "reception_point_code": ReceptionPoint,
    }
    problems = []
    for column, model in models.items():
        codes = {row.scope_code for row in rows if row.scope_column == column}
        found: dict[str, list[AdministrativeUnit | Agency | ReceptionPoint]] = defaultdict(list)
        for stored in model.objects.filter(code__in=codes):
            found[stored.code].append(stored)
        for row in rows:
            if row.scope_column != column:
                continue
            record = holder_now(found.get(row.scope_code, []))
            if record is None:
                what = column.removesuffix("_code").replace("_", " ")
                problems.append(Problem(row.line, column, f"unknown {what} {row.scope_code}"))
                continue
            if record.valid_to is not None and not record.is_valid_on(timezone.localdate()):
                problems.append(
                    Problem(row.line, column, f"{record.name} closed on {record.valid_to}")
                )
                continue
            scope: dict[str, int | None] = {
                "unit_code": None,
                "agency_code": None,
                "reception_point_code": None,
            }
            scope[column] = record.pk
            row.grant = (
                row.role,
                scope["unit_code"],
                scope["agency_code"],
                scope["reception_point_code"],
            )
    return problems


def _repeated_grants(officer: Officer) -> list[Problem]:
    seen: dict[Grant, int] = {}
    problems = []
    for row in officer.rows:
        if row.grant is None:
            continue
        if row.grant in seen:
            problems.append(Problem(row.line, "role", f"repeats row {seen[row.grant]}"))
        seen.setdefault(row.grant, row.line)
    return problems


def _compare(officer: Officer, *, update: bool) -> list[Problem]:
    user, first = officer.user, officer.first
    assert user is not None
    stored_grants = {
        (a.role, a.unit_id, a.agency_id, a.reception_point_id) for a in user.assignments.all()
    }
    if not stored_grants and (user.is_superuser or not user.is_staff):
        return [
            Problem(first.line, "username", f"{user.username} is an account that is not an officer")
        ]
    if user.full_name != first.full_name:
        officer.changes.append("full_name")
    if user.email.lower() != first.email.lower():
        officer.changes.append("email")
    if stored_grants != officer.grants:
        officer.changes.append("roles")
    if officer.changes and not update:
        return [
            Problem(
                first.line,
                "username",
                f"{user.username} already exists with other {', '.join(officer.changes)}; "
                "use --update to change it",
            )
        ]
    return []


def _write_officers(officers: list[Officer], summary: OfficersSummary) -> None:
    new_users = []
    for officer in officers:
        if officer.user is None:
            first = officer.first
            # Staff marks an officer: signing in leads to their workspace, not a citizen's.
            user = User(
                username=first.username,
                full_name=first.full_name,
                email=first.email,
                is_staff=True,
            )
            user.set_unusable_password()
            new_users.append(user)
            officer.user, officer.created = user, True
    User.objects.bulk_create(new_users)
    summary.created = len(new_users)
    grants = []
    for officer in officers:
        assert officer.user is not None
        user = officer.user
        if not officer.created:
            if not officer.changes:
                summary.unchanged += 1
                continue
            summary.updated += 1
            user.full_name, user.email = officer.first.full_name, officer.first.email
            user.save(update_fields=["full_name", "email"])
            Assignment.objects.filter(user=user).delete()
        grants += [
            Assignment(
                user=user, role=role, unit_id=unit, agency_id=agency, reception_point_id=point
            )
            for role, unit, agency, point in sorted(officer.grants, key=str)
        ]
    Assignment.objects.bulk_create(grants)
    forget_officer_scopes()  # bulk writes send no signal
