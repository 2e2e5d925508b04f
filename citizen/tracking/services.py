"""Writers for the citizen following a dossier online."""

from uuid import UUID

from django.db import transaction

from citizen.errors import SupplementWithoutFilesError
from dossiers.models import Attachment, Dossier
from dossiers.services import dossier_supplement
from portal.models import User


@transaction.atomic
def dossier_send_supplement(
    *, dossier_id: UUID | str, applicant: User, expected_version: int | None = None
) -> Dossier:
    """Nộp bổ sung trực tuyến: the applicant sends the files uploaded since the supplement
    request (form 02); the dossier goes back where it was asked and the clock runs again."""
    dossier = dossier_supplement(
        dossier_id=dossier_id, actor=applicant, expected_version=expected_version
    )
    # Checked under the dossier's lock, which dossier_supplement took: nothing uploaded
    # means nothing to send, and the transaction rolls the resumption back.
    answered = dossier.pauses.filter(resumed_at__isnull=False).latest("resumed_at", "pk")
    uploaded = Attachment.objects.filter(
        dossier=dossier,
        kind=Attachment.Kind.PAPER,
        uploaded_by=applicant,
        uploaded_at__gte=answered.requested_at,
    ).exists()
    if not uploaded:
        raise SupplementWithoutFilesError
    return dossier
