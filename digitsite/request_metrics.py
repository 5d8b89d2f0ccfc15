"""django-prometheus's request metrics (latency per view, responses by status), label values bounded.

Its latency histogram labels requests with the raw HTTP method, so a client sending made-up methods
would create a new time series for each; here every label called `method` gets the library's own
bounded name instead (a known method, or "<invalid method>"). Views are labelled by URL name, which
the URL configuration bounds.
"""
from django_prometheus.middleware import PrometheusAfterMiddleware


class RequestMetricsMiddleware(PrometheusAfterMiddleware):
    """Goes last in MIDDLEWARE, and django-prometheus's PrometheusBeforeMiddleware first."""

    def label_metric(self, metric, request, response=None, **labels):
        if "method" in labels:
            labels["method"] = self._method(request)
        return super().label_metric(metric, request, response, **labels)
