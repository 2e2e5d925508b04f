"""Scans that passed their checks are kept when the rest of the intake form is refused, so
the officer corrects the form without scanning again: stored privately under the form's
token, listed in the session, attached on success, removed then or when dropped."""

from dataclasses import dataclass

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

from dossiers.models.records import PrivateStorage

SESSION_KEY = "counter_kept_scans"
KEPT_FORMS = 5  # the officer's latest forms with kept scans


@dataclass(frozen=True)
class KeptScan:
    component_id: int
    path: str
    name: str
    size: int


def _all(request: HttpRequest) -> dict[str, dict[str, dict]]:
    return dict(request.session.get(SESSION_KEY, {}))


def kept_scans(request: HttpRequest, token: str) -> dict[int, KeptScan]:
    entries = _all(request).get(token, {})
    return {int(k): KeptScan(int(k), **v) for k, v in entries.items()}


def keep(request: HttpRequest, token: str, uploads: dict[int, UploadedFile]) -> None:
    """Store these checked uploads (component id → file) for the form `token`."""
    if not token or not uploads:
        return
    storage = PrivateStorage()
    every = _all(request)
    entries = dict(every.get(token, {}))
    for component_id, upload in uploads.items():
        old = entries.get(str(component_id))
        if old:
            storage.delete(old["path"])
        path = storage.save(f"counter-kept/{request.user.pk}/{token}/{component_id}", upload)
        entries[str(component_id)] = {"path": path, "name": upload.name, "size": upload.size}
    every[token] = entries
    for stale in list(every)[:-KEPT_FORMS]:
        drop_all(request, stale, every)
    request.session[SESSION_KEY] = every


def drop(request: HttpRequest, token: str, component_ids: set[int]) -> None:
    every = _all(request)
    entries = dict(every.get(token, {}))
    for component_id in component_ids:
        entry = entries.pop(str(component_id), None)
        if entry:
            PrivateStorage().delete(entry["path"])
    every[token] = entries
    request.session[SESSION_KEY] = every


def drop_all(request: HttpRequest, token: str, every: dict | None = None) -> None:
    own = every is None
    every = _all(request) if every is None else every
    for entry in every.pop(token, {}).values():
        PrivateStorage().delete(entry["path"])
    if own:
        request.session[SESSION_KEY] = every


def as_upload(scan: KeptScan) -> File:
    """The kept file, readable as an upload by the attachment service."""
    return File(PrivateStorage().open(scan.path, "rb"), name=scan.name)
