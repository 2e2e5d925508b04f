from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from dossiers.models import Attachment
from dossiers.selectors import dossiers_visible_to


@require_GET
@login_required
def attachment(request: HttpRequest, attachment_id: UUID) -> FileResponse:
    """A dossier's paper, only for those who may see the dossier; others get 404, which
    does not even confirm that it exists."""
    found = Attachment.objects.filter(
        pk=attachment_id, dossier__in=dossiers_visible_to(request.user)
    ).first()
    if found is None:
        raise Http404
    extension = found.file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=f"{found.dossier_id}-{found.component_id}.{extension}",
        content_type=found.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
