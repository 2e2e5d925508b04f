"""HTML to PDF with WeasyPrint (as reporting.exports does), and the responses that carry
the forms: inline, never cached (they hold personal data and, form 01, a secret)."""

import unicodedata
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local_only(url: str) -> dict[str, object]:
    """The forms carry their stylesheet and QR code inline; anything else a template
    might name is read from the static folder, and nothing from the network."""
    from weasyprint import default_url_fetcher

    static = Path(settings.BASE_DIR, "static").resolve().as_uri()
    if not url.startswith(static + "/"):
        raise ValueError(f"{url} is not a static file of the portal")
    return default_url_fetcher(url)


def html(template: str, context: dict[str, object]) -> str:
    """The form as HTML, in NFC: HarfBuzz keeps decomposed input decomposed, and text
    copied out of the PDF must read "Mã hồ sơ", not "Ma\u0303 hô\u0300 sơ"."""
    return unicodedata.normalize("NFC", render_to_string(template, context))


def pdf(template: str, context: dict[str, object]) -> bytes:
    from weasyprint import HTML

    document = HTML(
        string=html(template, context),
        base_url=Path(settings.BASE_DIR, "static").resolve().as_uri() + "/",
        url_fetcher=_local_only,
    )
    return document.write_pdf()


def _private(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store, max-age=0"
    response["Pragma"] = "no-cache"
    return response


def pdf_response(template: str, context: dict[str, object], filename: str) -> HttpResponse:
    return _private(HttpResponse(pdf(template, context), content_type="application/pdf"), filename)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = _private(HttpResponse(content, content_type=XLSX), filename)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
