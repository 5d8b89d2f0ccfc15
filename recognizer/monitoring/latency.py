"""Prediction latency percentiles, from this server's Prometheus request histograms.

The database stores no latency (a Drawing records what was predicted, not how long it took), so the
page cannot filter latency by its date range. What exists is django-prometheus's histogram
`django_http_requests_latency_seconds_by_view_method`, the same one /metrics exposes: here it is read
from this process, or under gunicorn from every worker's files (PROMETHEUS_MULTIPROC_DIR), and covers
the time since the server started. Percentiles are estimated the way PromQL's histogram_quantile does,
by linear interpolation inside the bucket (buckets 2.5 ms ... 10 s, settings.PROMETHEUS_LATENCY_BUCKETS).
"""
import math
import os
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, multiprocess

from digitsite.multiproc import ENV as MULTIPROC_DIR

METRIC = "django_http_requests_latency_seconds_by_view_method"
# URL name -> what an operator calls it; the POSTs that predict.
PREDICTION_VIEWS = {
    "recognizer:prediction-list": "POST /api/predictions/",
    "recognizer:prediction-batch": "POST /api/predictions/batch/",
    "recognizer:seed-predict": "POST /predict",
    "recognizer:seed-predict-slash": "POST /predict/",
}
QUANTILES = (0.5, 0.95, 0.99)


@dataclass(frozen=True)
class Latency:
    endpoint: str
    count: int
    percentiles: dict[float, float]  # quantile -> seconds


def prediction_latency(registry: CollectorRegistry | None = None) -> list[Latency]:
    """One row per prediction endpoint that has answered at least once, in PREDICTION_VIEWS order."""
    buckets = _buckets(registry or _server_registry())
    rows = []
    for view, endpoint in PREDICTION_VIEWS.items():
        cumulative = sorted(buckets.get(view, {}).items())
        count = int(cumulative[-1][1]) if cumulative else 0
        if count:
            rows.append(Latency(endpoint, count, {q: histogram_quantile(q, cumulative) for q in QUANTILES}))
    return rows


def histogram_quantile(q: float, cumulative: list[tuple[float, float]]) -> float:
    """PromQL's estimate from cumulative (upper bound, count) pairs, sorted, ending with +Inf.

    Linear inside the bucket holding the q-th observation (the first bucket starts at 0); an observation
    beyond the last finite bound is reported as that bound, since the histogram knows nothing more.
    """
    rank = q * cumulative[-1][1]
    lower, below = 0.0, 0.0
    for upper, count in cumulative:
        if count >= rank and count > below:
            if math.isinf(upper):
                return lower
            return lower + (upper - lower) * (rank - below) / (count - below)
        lower, below = upper, count
    return lower


def _buckets(registry: CollectorRegistry) -> dict[str, dict[float, float]]:
    """view -> {upper bound: cumulative count}, POSTs only, added up over workers."""
    found: dict[str, dict[float, float]] = {}
    for family in registry.collect():
        if family.name != METRIC:
            continue
        for sample in family.samples:
            labels = sample.labels
            if sample.name != METRIC + "_bucket" or labels.get("method") != "POST":
                continue
            per_bound = found.setdefault(labels.get("view", ""), {})
            bound = float(labels["le"])
            per_bound[bound] = per_bound.get(bound, 0.0) + sample.value
    return found


def _server_registry():
    """As /metrics reads it (digitsite/metrics_view.py): every worker's files under gunicorn."""
    if not os.environ.get(MULTIPROC_DIR):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry
