from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from citizen import urls as citizen_urls
from citizen import views as citizen_views
from portal import admin_imports, views
from portal.accounts import urls as account_urls
from portal.accounts.views import AdminSignInView
from procedures import urls as procedure_urls
from reception import urls as reception_urls

urlpatterns = [
    path("", citizen_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for it whatever the pages say.
    path("favicon.ico", views.favicon, name="favicon"),
    path("account/", include((account_urls.urlpatterns, "portal"))),
    path("", include((citizen_urls.urlpatterns, "citizen"))),
    path("procedures/", include("procedures.urls")),
    path("dossiers/", include("dossiers.urls")),
    path("reporting/", include("reporting.urls")),
    path("reception/", include((reception_urls.workspace_urlpatterns, "reception"))),
    path("api/v1/", include((procedure_urls.api_urlpatterns, "catalogue-api"))),
    path("api/v1/postal/", include((reception_urls.postal_api_urlpatterns, "postal-api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/imports/", admin.site.admin_view(admin_imports.imports_view), name="admin-imports"),
    # Before the admin's own index: officers without admin rights are sent to their work.
    path("admin/", views.admin_index, name="admin-home"),
    path("admin/login/", AdminSignInView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's own script served apart (the split view), its template's <style> allowed.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

if settings.PORTAL_BENCH_BARE_VIEW:
    urlpatterns.append(path("bench/bare", views.bare, name="bench-bare"))

admin.site.site_header = _("One-stop-shop portal")
admin.site.site_title = _("One-stop-shop administration")

handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
