"""Nhập dữ liệu from the admin: the imports of the shell as pages, for operators who don't
use one. Upload → the whole file is checked (run and rolled back) → its problems listed,
or what it would create and update → confirm → the same import, for real.

Between the check and the confirmation the file waits under PRIVATE_MEDIA_ROOT/imports/,
named by a random id that travels signed in the confirmation form, so nobody can confirm
a file they did not upload or swap it in between."""

import logging
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.csv_import import ImportRejectedError, ImportSummary, run_or_check
from portal.http import AuthenticatedHttpRequest
from portal.imports import Importer, importer, importers

logger = logging.getLogger(__name__)

SALT = "portal.admin-imports"
# A checked file waits this long for its confirmation, then is removed.
WAIT_SECONDS = 60 * 60
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: object, initial: object = None) -> list:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = MultipleFileField(
        label=_("CSV file (UTF-8, header row); for the whole catalogue, its files together")
    )
    update = forms.BooleanField(
        label=_("Change stored rows whose data differs (--update)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (i.name, i.label) for i in importers()
        ]

    def clean_file(self) -> list:
        uploads = self.cleaned_data["file"]
        if sum(upload.size for upload in uploads) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("The files are larger than %(mib)d MiB.") % {"mib": MAX_UPLOAD_BYTES >> 20}
            )
        names = [Path(upload.name).name for upload in uploads]
        if any(not SAFE_NAME.fullmatch(name) for name in names) or len(set(names)) < len(names):
            raise forms.ValidationError(
                gettext("Give each file a plain, distinct name (a-z, 0-9).")
            )
        return uploads

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        chosen = importer(cleaned.get("kind", ""))
        uploads = cleaned.get("file") or []
        if chosen is not None and not chosen.reads_directory and len(uploads) > 1:
            self.add_error("file", gettext("This import reads one file."))
        return cleaned


def summary_text(summary: object) -> str:
    """In the page's language; an import of several files says it per file."""
    files = getattr(summary, "files", None)
    if files is not None:
        return "; ".join(f"{name}: {summary_text(part)}" for name, part in files.items())
    assert isinstance(summary, ImportSummary)
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
    for path in folder.iterdir():
        if path.stat().st_mtime < limit:
            shutil.rmtree(path, ignore_errors=True)


def _store(uploads: list, folder: Path) -> Path:
    """The uploads in a folder of their own, named as uploaded."""
    folder.mkdir()
    for upload in uploads:
        with (folder / Path(upload.name).name).open("wb") as stored:
            for chunk in upload.chunks():
                stored.write(chunk)
    return folder


def _input(chosen: Importer, folder: Path) -> Path:
    """What the import reads: the folder itself, or its one file."""
    if chosen.reads_directory:
        return folder
    return next(folder.iterdir())


def _run(
    chosen: Importer, path: Path, *, update: bool, check: bool, request: AuthenticatedHttpRequest
) -> object:
    return run_or_check(
        lambda: chosen(path=path, update=update, actor=request.user),
        check=check,
    )


def imports_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    # admin_view (portal.urls) has signed a staff member in.
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
    waiting = _store(form.cleaned_data["file"], folder / token)
    update = form.cleaned_data["update"]
    try:
        summary = _run(chosen, _input(chosen, waiting), update=update, check=True, request=request)
    except ImportRejectedError as rejected:
        shutil.rmtree(waiting, ignore_errors=True)
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
            "file_name": ", ".join(sorted(path.name for path in waiting.iterdir())),
            "confirmation": confirmation,
            "update": update,
        },
    )


def _confirm(request: AuthenticatedHttpRequest, folder: Path) -> HttpResponse:
    try:
        payload = signing.loads(request.POST["confirm"], salt=SALT, max_age=WAIT_SECONDS)
    except signing.BadSignature:
        messages.error(request, gettext("This check has expired: upload the file again."))
        return redirect("admin-imports")
    chosen = importer(payload["k"])
    waiting = folder / payload["t"]
    if chosen is None or not waiting.is_dir():
        messages.error(request, gettext("This check has expired: upload the file again."))
        return redirect("admin-imports")
    try:
        summary = _run(
            chosen, _input(chosen, waiting), update=payload["u"], check=False, request=request
        )
    except ImportRejectedError as rejected:
        # The data changed since the check (another import): nothing was written.
        messages.error(
            request,
            gettext("The file no longer passes its checks (%(count)d problems): nothing imported.")
            % {"count": len(rejected.problems)},
        )
        return redirect("admin-imports")
    finally:
        shutil.rmtree(waiting, ignore_errors=True)
    logger.info("admin import %s by user %s: %s", chosen.name, request.user.pk, summary)
    messages.success(request, f"{chosen.label}: {summary_text(summary)}")
    return redirect("admin-imports")
