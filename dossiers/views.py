from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from dossiers.models import Attachment
from dossiers.selectors import dossiers_visible_to
from portal.http import AuthenticatedHttpRequest
from procedures.search import fold


def download_name(attachment: Attachment) -> str:
    """What the file is called on the applicant's disk: the dossier's code (or reference
    before reception) and what it is, e.g. `H56.HT-260302-0001-ket-qua.pdf`."""
    dossier = attachment.dossier
    extension = (attachment.file.name or "").rsplit(".", 1)[-1].lower()
    if attachment.kind == Attachment.Kind.RESULT:
        what = "ket-qua"
    else:
        what = slugify(fold(attachment.component_name))[:60].strip("-") or "giay-to"
    return f"{dossier.code or dossier.reference}-{what}.{extension}"


@require_GET
@login_required
def attachment(request: AuthenticatedHttpRequest, attachment_id: UUID) -> FileResponse:
    """A dossier's paper, only for those who may see the dossier; others get 404, which
    does not even confirm that it exists."""
    found = (
        Attachment.objects.filter(pk=attachment_id, dossier__in=dossiers_visible_to(request.user))
        .select_related("dossier")
        .first()
    )
    if found is None:
        raise Http404
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=download_name(found),
        content_type=found.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
