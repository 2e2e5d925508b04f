"""Writers behind the forms: a receipt reprinted later needs a new lookup secret, because
only the secret's hash is kept (dossiers.codes)."""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dossiers import codes, policies
from dossiers.errors import InvalidTransitionError
from dossiers.models import Dossier
from portal import audit
from portal.models import User

EVENT = "dossiers.lookup_secret_reissued"


@transaction.atomic
def receipt_reissue_secret(*, dossier_id: UUID | str, officer: User) -> str:
    """Cấp lại mã tra cứu: a new lookup secret for a reprinted receipt (form 01); the
    secret on the earlier receipt stops working. Returns the new secret, shown once."""
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("reception_point", "agency")
        .get(pk=dossier_id)
    )
    # The reception point issues receipts; no dossier action fits, so the capacity itself.
    if policies.RECEPTION not in policies.capacities(officer, dossier):
        raise PermissionDenied("only the reception point issues receipts for this dossier")
    if not dossier.code or dossier.received_at is None:
        raise InvalidTransitionError(dossier, "reissue_lookup_secret")
    secret = codes.issue_lookup_secret(dossier)
    # Not a change of state: the version stays, so nobody's open form goes stale.
    dossier.save(update_fields=["lookup_secret_hash", "updated_at"])
    audit.record(actor=officer, event=EVENT, target=dossier, data={"code": dossier.code})
    return secret
