"""The official forms 01–06 (Circular 01/2018/TT-VPCP annex) as PDF, and the register as XLSX.
Mounted at /reception/forms/ (namespace "reception:documents"); no personal data in URLs."""

from django.urls import path, register_converter

from reception.documents import views


class FormNumberConverter:
    """The forms printed per dossier: 01 receipt, 02 supplement request, 03 refusal,
    04 apology, 05 process-control sheet."""

    regex = "0[1-5]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormNumberConverter, "official_form")

urlpatterns = [
    path("register/", views.register_page, name="register"),
    path("register.pdf", views.register_pdf, name="register-pdf"),
    path("register.xlsx", views.register_xlsx, name="register-xlsx"),
    path("<uuid:dossier_id>/<official_form:form>.pdf", views.form_pdf, name="form"),
    path("<uuid:dossier_id>/01/reissue/", views.receipt_reissue, name="receipt-reissue"),
]
