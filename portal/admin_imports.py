"""Nhập dữ liệu from the admin: the imports of the shell as pages, for operators who don't
use one. Upload → the whole file is checked (run and rolled back) → its problems listed,
or what it would create and update → confirm → the same import, for real.

Between the check and the confirmation the file waits under PRIVATE_MEDIA_ROOT/imports/,
named by a random id that travels signed in the confirmation form, so nobody can confirm
a file they did not upload or swap it in between."""

import logging
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.csv_import import ImportRejectedError, ImportSummary, run_or_check
from portal.imports import Importer, importer, importers

logger = logging.getLogger(__name__)

SALT = "portal.admin-imports"
# A checked file waits this long for its confirmation, then is removed.
WAIT_SECONDS = 60 * 60
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(label=_("CSV file (UTF-8, header row)"))
    update = forms.BooleanField(
        label=_("Change stored rows whose data differs (--update)"), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(i.name, i.label) for i in importers()]

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(mib)d MiB.") % {"mib": MAX_UPLOAD_BYTES >> 20}
            )
        return upload


def summary_text(summary: ImportSummary) -> str:
    return gettext(
        "%(rows)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged"
    ) % {
        "rows": summary.rows,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
    }


def waiting_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _remove_stale(folder: Path) -> None:
    limit = time.time() - WAIT_SECONDS
    for path in folder.glob("*.csv"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _run(chosen: Importer, path: Path, *, update: bool, check: bool, request: HttpRequest):
    return run_or_check(
        lambda: chosen(path=path, update=update, actor=request.user),  # type: ignore[arg-type]
        check=check,
    )


def imports_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    folder = waiting_dir()
    _remove_stale(folder)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Import data"),
        "importers": importers(),
    }
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, folder)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return TemplateResponse(request, "admin/imports.html", {**context, "form": form})

    chosen = importer(form.cleaned_data["kind"])
    assert chosen is not None
    token = secrets.token_hex(16)
    path = folder / f"{token}.csv"
    with path.open("wb") as stored:
        for chunk in form.cleaned_data["file"].chunks():
            stored.write(chunk)
    update = form.cleaned_data["update"]
    try:
        summary = _run(chosen, path, update=update, check=True, request=request)
    except ImportRejectedError as rejected:
        path.unlink(missing_ok=True)
        return TemplateResponse(
            request,
            "admin/imports.html",
            {**context, "form": form, "chosen": chosen, "problems": rejected.problems},
            status=422,
        )
    confirmation = signing.dumps({"t": token, "k": chosen.name, "u": update}, salt=SALT)
    return TemplateResponse(
        request,
        "admin/imports.html",
        {
            **context,
            "form": UploadForm(),
            "chosen": chosen,
            "summary": summary,
            "summary_text": summary_text(summary),
            "file_name": Path(form.cleaned_data["file"].name).name,
            "confirmation": confirmation,
            "update": update,
        },
    )


def _confirm(request: HttpRequest, folder: Path) -> HttpResponse:
    try:
        payload = signing.loads(request.POST["confirm"], salt=SALT, max_age=WAIT_SECONDS)
    except signing.BadSignature:
        messages.error(request, gettext("This check has expired: upload the file again."))
        return redirect("admin-imports")
    chosen = importer(payload["k"])
    path = folder / f"{payload['t']}.csv"
    if chosen is None or not path.is_file():
        messages.error(request, gettext("This check has expired: upload the file again."))
        return redirect("admin-imports")
    try:
        summary = _run(chosen, path, update=payload["u"], check=False, request=request)
    except ImportRejectedError as rejected:
        # The data changed since the check (another import): nothing was written.
        messages.error(
            request,
            gettext("The file no longer passes its checks (%(count)d problems): nothing imported.")
            % {"count": len(rejected.problems)},
        )
        return redirect("admin-imports")
    finally:
        path.unlink(missing_ok=True)
    logger.info("admin import %s by user %s: %s", chosen.name, request.user.pk, summary)
    messages.success(request, f"{chosen.label}: {summary_text(summary)}")
    return redirect("admin-imports")
