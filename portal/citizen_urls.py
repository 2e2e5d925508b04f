"""The citizen portal's pages, under the namespace "portal"."""

from django.urls import include, path

from portal.accounts import urls as accounts
from portal.applications import urls as applications
from portal.tracking import urls as tracking

urlpatterns = [
    path("account/", include(accounts.urlpatterns)),
    path("", include(applications.urlpatterns)),
    path("", include(tracking.urlpatterns)),
]
