"""What the load scenarios need from the data set (bench/load/run.py), made idempotently:

- accounts named `loadbench.<role>.<n>`, one per simulated user, each with a session made
  on the server side (the production session cookie is Secure, so a client on plain HTTP
  could not sign in and keep it): province managers, managers of the busiest commune,
  processing officers of the agency with the most open dossiers, reception officers at the
  reception point with the most dossiers;
- lookups: the code and a known secret of a random sample of dossiers (only the secret's
  hash is stored: the sample's hashes are set with dossiers.codes.secret_hash, so the
  sample's printed receipts stop working, which on generated dossiers nobody has);
- the postal partner `loadbench-post`, with a new API key each run and its own reception
  point `loadbench-post` (a desk of an agency that settles a postal procedure), so the
  dossiers its pickups create stay apart from the data set's."""

import secrets
from datetime import date

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db.models import Count, Q, Sum
from django.utils import timezone

from dossiers import codes
from dossiers.models import Dossier
from portal.models import User
from portal.roles import Role
from procedures.models import AdministrativeUnit, Assignment, Procedure, ReceptionPoint
from reception.models import PartnerClient
from reception.postal.keys import partner_create, partner_key_rotate
from reporting.models import MonthlyFlow

PROVINCE_CODE = "38"
YEAR = 2026
PARTNER = "loadbench-post"
BACKEND = "portal.auth_backends.IdentifierBackend"


def data_set_missing() -> str:
    """Why the database cannot be measured, or ''."""
    if not AdministrativeUnit.objects.filter(code=PROVINCE_CODE).exists():
        return f"no province {PROVINCE_CODE} (load_demo)"
    if not Dossier.objects.filter(code__isnull=False).exists():
        return "no dossiers (bench/kpi_snapshots.py --keep builds them)"
    if not MonthlyFlow.objects.filter(month__year=YEAR).exists():
        return f"no indicator snapshot for {YEAR} (bench/kpi_snapshots.py --keep builds it)"
    return ""


def _busiest_commune() -> AdministrativeUnit:
    row = (
        MonthlyFlow.objects.filter(month__year=YEAR, unit__level="commune")
        .values("unit_id")
        .annotate(received=Sum("received"))
        .order_by("-received")
        .first()
    )
    return AdministrativeUnit.objects.get(pk=row["unit_id"])


def _busiest_agency_id() -> int:
    open_dossiers = Dossier.objects.filter(received_at__isnull=False, processing_ended_at=None)
    row = open_dossiers.values("agency_id").annotate(n=Count("pk")).order_by("-n").first()
    return row["agency_id"]


def _busiest_point() -> ReceptionPoint:
    today = timezone.localdate()
    open_points = ReceptionPoint.objects.valid_on(today).values_list("pk", flat=True)
    row = (
        Dossier.objects.filter(reception_point_id__in=list(open_points))
        .values("reception_point_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return ReceptionPoint.objects.get(pk=row["reception_point_id"])


def _sessions(role: Role, scope: dict, name: str, users: int) -> list[str]:
    keys = []
    for number in range(1, users + 1):
        user, _ = User.objects.get_or_create(
            username=f"loadbench.{name}.{number:02d}",
            defaults={"full_name": f"Load benchmark {name} {number}", "is_staff": True},
        )
        Assignment.objects.get_or_create(user=user, role=role, **scope)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = BACKEND
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def _lookups(sample: int) -> list[tuple[str, str]]:
    chosen = list(
        Dossier.objects.filter(code__isnull=False).order_by("?").only("pk", "code")[:sample]
    )
    pairs = []
    for dossier in chosen:
        secret = codes.random_text(codes.SECRET_LENGTH)
        Dossier.objects.filter(pk=dossier.pk).update(
            lookup_secret_hash=codes.secret_hash(dossier, secret)
        )
        pairs.append((dossier.code, secret))
    return pairs


def _partner(requests_per_minute: int) -> dict:
    today = timezone.localdate()
    procedure = (
        Procedure.objects.public(today)
        .filter(postal_intake=True, agencies__reception_points__isnull=False)
        .order_by("code")
        .first()
    )
    agency = procedure.agencies.filter(reception_points__isnull=False).order_by("code").first()
    point, _ = ReceptionPoint.objects.get_or_create(
        code=PARTNER,
        defaults={
            "name": "Load benchmark postal desk",
            "kind": ReceptionPoint.Kind.RECEPTION_DESK,
            "unit_id": agency.unit_id,
            "valid_from": date(2025, 7, 1),
        },
    )
    point.agencies.add(agency)
    client = PartnerClient.objects.filter(code=PARTNER).first()
    if client is None:
        made = partner_create(
            code=PARTNER,
            name="Load benchmark partner",
            scopes=["pickups:create"],
            reception_points=[point],
            actor=None,
        )
        client, key = made.client, made.api_key
    else:
        key = partner_key_rotate(client=client, actor=None)
    client.requests_per_minute = requests_per_minute
    client.save(update_fields=["requests_per_minute"])
    papers = procedure.components.filter(required=True).values_list("pk", flat=True)
    return {
        "api_key": key,
        "procedure": procedure.code,
        "reception_point": point.code,
        "components": sorted(papers),
        "requests_per_minute": requests_per_minute,
    }


def prepare(*, users: int, lookups: int, partner_limit: int) -> dict:
    """The fixture of bench/load/locustfile.py, as JSON-ready data."""
    province = AdministrativeUnit.objects.valid_on(timezone.localdate()).get(code=PROVINCE_CODE)
    commune = _busiest_commune()
    agency_id, point = _busiest_agency_id(), _busiest_point()
    return {
        "pages": {
            "province_dashboard": f"/reporting/?year={YEAR}",
            "commune_dashboard": f"/reporting/units/{commune.pk}/?year={YEAR}",
            "province_overdue": f"/reporting/units/{province.pk}/overdue/",
        },
        "scopes": {
            "province": province.name,
            "commune": commune.name,
            "agency_open_dossiers": Dossier.objects.filter(
                Q(agency_id=agency_id), received_at__isnull=False, processing_ended_at=None
            ).count(),
            "reception_point": point.code,
        },
        "sessions": {
            "province_manager": _sessions(Role.MANAGER, {"unit": province}, "province", users),
            "commune_manager": _sessions(Role.MANAGER, {"unit": commune}, "commune", users),
            "processing_officer": _sessions(
                Role.PROCESSING_OFFICER, {"agency_id": agency_id}, "officer", users
            ),
            "reception_officer": _sessions(
                Role.RECEPTION_OFFICER, {"reception_point": point}, "counter", users
            ),
        },
        "lookups": _lookups(lookups),
        "partner": _partner(partner_limit),
        "run": secrets.token_hex(4),
    }


def clean_up(fixture: dict) -> None:
    """Ends the run's sessions (the accounts, the partner and its point stay for the next)."""
    keys = [key for role in fixture["sessions"].values() for key in role]
    Session.objects.filter(session_key__in=keys).delete()
