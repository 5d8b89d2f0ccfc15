from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from digitsite.api_docs import OfflineRedocView, OfflineSwaggerView
from digitsite.metrics_view import metrics
from recognizer.monitoring.views import monitoring

urlpatterns = [
    # Staff only (admin_view: others go to the admin login); before the admin's catch-all.
    path("admin/monitoring/", admin.site.admin_view(monitoring), name="admin-monitoring"),
    path("admin/", admin.site.urls),
    path("metrics", metrics, name="metrics"),  # Prometheus; who may read it: digitsite/metrics_view.py
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Both docs pages load nothing from another host: digitsite/api_docs.py
    path("api/docs/", OfflineSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", OfflineRedocView.as_view(url_name="schema"), name="redoc"),
    # Languages (docs/i18n.md): set_language (POST, from the switcher) stores the choice in a cookie; the
    # catalogue gives the page's scripts gettext() and interpolate() in the visitor's language.
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["recognizer"]), name="javascript-catalog"),
    # Sign up, log in and out, password reset, "My drawings", API token: recognizer/accounts
    path("account/", include("recognizer.accounts.urls")),
    path("", include("recognizer.urls")),
]

handler404 = "recognizer.views.not_found"
handler500 = "recognizer.views.server_error"
