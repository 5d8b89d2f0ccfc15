"""The drawing page, and JSON 404/500 pages for API clients."""
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views import defaults
from django.views.decorators.csrf import ensure_csrf_cookie

from recognizer.exceptions import error_body

API_PREFIXES = ("/api/", "/predict", "/health")


@ensure_csrf_cookie
def index(request):
    """The cookie lets the page's script send X-CSRFToken when the visitor is also signed in as staff."""
    return render(request, "recognizer/index.html")


def not_found(request, exception=None):
    if request.path.startswith(API_PREFIXES):
        return JsonResponse(error_body(gettext("not found")), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIXES):
        return JsonResponse(error_body(gettext("internal error")), status=500)
    return defaults.server_error(request)
