"""The citizen's pages, under the namespace "citizen": applying online and paying, the own
dossiers, the public lookup and the evaluation. Their addresses are the ones printed on
receipts and QR codes already handed out: they never change. The home page is the
project's "home" (portal/urls.py), which every layout links to."""

from citizen.applications import urls as applications
from citizen.tracking import urls as tracking

urlpatterns = [
    *applications.urlpatterns,
    *tracking.urlpatterns,
]
