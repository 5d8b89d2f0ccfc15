"""The API documentation pages, served entirely from this site: no font, image or script from another host.

The sidecar package serves Swagger UI's and Redoc's bundles from our static files. What is left is
closed here: Redoc's page without drf-spectacular's Google Fonts links (templates/api_docs/redoc.html),
Swagger UI without its online validator badge (SPECTACULAR_SETTINGS), and a Content-Security-Policy
that lets the browser load nothing from another host, which also stops the Redocly logo that Redoc's
bundle puts in its side menu (`https://cdn.redoc.ly/...`; the menu shows the link without it).
"""
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

# Both UIs run an inline start-up script and inject inline styles; Redoc's search runs in a blob: worker;
# Swagger UI draws its icons from data: URLs. Everything else only from this site.
DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "worker-src 'self' blob:",
        "connect-src 'self'",
    ]
)


class _SameSiteOnly:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response


class OfflineSwaggerView(_SameSiteOnly, SpectacularSwaggerView):
    """Swagger UI (`/api/docs/`)."""


class OfflineRedocView(_SameSiteOnly, SpectacularRedocView):
    """Redoc (`/api/redoc/`), without the web fonts drf-spectacular's own page loads."""

    template_name = "api_docs/redoc.html"
