"""Writers behind the forms: a receipt reprinted later needs a new lookup secret, because
only the secret's hash is kept (dossiers.codes)."""

from uuid import UUID

from django.db import transaction

from dossiers import codes, policies
from dossiers.errors import InvalidTransitionError
from dossiers.models import Channel, Dossier
from portal import audit
from portal.models import User
from reception.errors import ElectronicReceiptDeniedError, ReceiptDeniedError

EVENT = "dossiers.lookup_secret_reissued"
E_RECEIPT_EVENT = "dossiers.e_receipt_issued"
# The channels without a paper slip handed over at reception: the applicant gets form 01
# from "My dossiers" (the counter prints it, and a new secret would void the paper one).
E_RECEIPT_CHANNELS = (Channel.ONLINE, Channel.POSTAL)


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
        raise ReceiptDeniedError
    if not dossier.code or dossier.received_at is None:
        raise InvalidTransitionError(dossier, "reissue_lookup_secret")
    secret = codes.issue_lookup_secret(dossier)
    # Not a change of state: the version stays, so nobody's open form goes stale.
    dossier.save(update_fields=["lookup_secret_hash", "updated_at"])
    audit.record(actor=officer, event=EVENT, target=dossier, data={"code": dossier.code})
    return secret


@transaction.atomic
def receipt_issue_electronic(*, dossier_id: UUID | str, applicant: User) -> str:
    """Cấp giấy tiếp nhận điện tử: form 01 of an online or postal dossier for its signed-in
    applicant. Only the hash of a secret is kept, so each issue gives a new lookup secret
    (the one of an earlier e-receipt stops working). Returns it, to print once."""
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_id)
    if dossier.applicant_id != applicant.pk:
        raise ElectronicReceiptDeniedError
    if dossier.channel not in E_RECEIPT_CHANNELS or not dossier.code or not dossier.received_at:
        raise InvalidTransitionError(dossier, "issue_e_receipt")
    secret = codes.issue_lookup_secret(dossier)
    dossier.save(update_fields=["lookup_secret_hash", "updated_at"])
    audit.record(
        actor=applicant, event=E_RECEIPT_EVENT, target=dossier, data={"code": dossier.code}
    )
    return secret
