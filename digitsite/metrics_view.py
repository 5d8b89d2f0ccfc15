"""GET /metrics: Prometheus's text format, for a scraper and nobody else.

Development (DEBUG on): answered to the loopback address only. Production (DEBUG off): hidden (404)
until METRICS_TOKEN is set, then 401 without `Authorization: Bearer <METRICS_TOKEN>`. Under gunicorn
(PROMETHEUS_MULTIPROC_DIR set), the answer adds up every worker's files, so any worker gives the whole
server's figures.
"""
import hmac
import ipaddress
import os

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.exposition import choose_encoder

from digitsite.multiproc import ENV as MULTIPROC_DIR

BEARER = "Bearer "


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if settings.DEBUG:
        if not is_loopback(request.META.get("REMOTE_ADDR", "")):
            raise Http404()
    elif not settings.METRICS_TOKEN:
        raise Http404()
    elif not has_token(request, settings.METRICS_TOKEN):
        response = HttpResponse("a bearer token is required\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return exposition(request)


def exposition(request: HttpRequest) -> HttpResponse:
    """In the format the scraper's Accept header asks for (OpenMetrics for Prometheus, else the classic text)."""
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encoder(_registry()), content_type=content_type)


def _registry():
    if not os.environ.get(MULTIPROC_DIR):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # every process's files in the directory, added up
    return registry


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def has_token(request: HttpRequest, token: str) -> bool:
    """Constant-time comparison, so response times do not reveal how much of a guess was right."""
    header = request.headers.get("Authorization", "")
    if not header.startswith(BEARER):
        return False
    return hmac.compare_digest(header[len(BEARER):].strip().encode(), token.encode())
