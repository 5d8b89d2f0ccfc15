"""GET /admin/monitoring/: the staff monitoring page, or the same figures as JSON (`?format=json`).

Staff only: urls.py wraps the view in `admin.site.admin_view`, which sends anyone else to the admin
login. A bad date range is the form's error (the page still answers 200 with the message; JSON
answers 400 with {"status": "error", "error": ...}), never a server error.
"""
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from recognizer.localized import decimal, grouped
from recognizer.monitoring import plots
from recognizer.monitoring.forms import JSON, DateRangeForm, range_of
from recognizer.monitoring.latency import QUANTILES, Latency, prediction_latency
from recognizer.monitoring.selectors import Counts, Figures, monitoring_figures

TEMPLATE = "admin/monitoring.html"


def monitoring(request: HttpRequest) -> HttpResponse:
    form = DateRangeForm(request.GET)
    wants_json = request.GET.get("format") == JSON
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"status": "error", "error": _first_error(form), "errors": form.errors}, status=400)
        return _page(request, form)
    start, end = range_of(form)
    figures, latency = monitoring_figures(start=start, end=end), prediction_latency()
    if wants_json:
        return JsonResponse(figures_json(figures, latency))
    shown = DateRangeForm({"start": start, "end": end})  # the range in effect, defaults filled in
    return _page(request, shown, figures=figures, charts=_charts(figures, latency), **table_rows(figures, latency))


def _page(request: HttpRequest, form: DateRangeForm, **context) -> TemplateResponse:
    context = {**admin.site.each_context(request), "title": gettext("Monitoring"), "form": form, **context}
    return TemplateResponse(request, TEMPLATE, context)


def _first_error(form: DateRangeForm) -> str:
    field, messages = next(iter(form.errors.items()))
    return messages[0] if field == "__all__" else f"{field}: {messages[0]}"


def _charts(figures: Figures, latency: list[Latency]) -> dict:
    """Nothing to draw for an empty range: the page says so instead."""
    if not figures.total.predictions:
        return {}
    days, per_day = figures.days, [figures.per_day[day] for day in figures.days]
    versions = figures.per_version_day
    charts = {
        "accuracy": plots.line_chart(
            label=gettext("Accuracy per model version and day, from staff-confirmed drawings"), days=days, y_max=1.0,
            series={name: [_get(by_day, day, "accuracy") for day in days] for name, by_day in versions.items()},
            notes={name: [_fraction(by_day.get(day)) for day in days] for name, by_day in versions.items()},
        ),
        "rates": plots.line_chart(
            label=gettext("Share of predictions corrected by users, and answered not a digit, per day"), days=days,
            series={gettext("corrected by users"): [c.corrected_rate for c in per_day],
                    gettext("not a digit"): [c.not_a_digit_rate for c in per_day]},
        ),
        "confidence": plots.line_chart(
            label=gettext("Mean confidence per day"), days=days, y_max=1.0,
            series={gettext("mean confidence"): [c.mean_confidence for c in per_day]},
        ),
        "volume": plots.bar_chart(label=gettext("Predictions per day"), days=days,
                                  values=[c.predictions for c in per_day]),
    }
    if latency:
        charts["latency"] = plots.grouped_bar_chart(
            label=gettext("Prediction latency percentiles per endpoint, in milliseconds"),
            groups=[row.endpoint for row in latency], fmt=_milliseconds,
            series={f"p{round(q * 100)}": [1000 * row.percentiles[q] for row in latency] for q in QUANTILES},
        )
    return charts


def _get(by_day: dict, day, attribute: str):
    counts = by_day.get(day)
    return getattr(counts, attribute) if counts else None


def _fraction(counts: Counts | None) -> str:
    if not counts:
        return ""
    return gettext("%(correct)s of %(confirmed)s confirmed") % {
        "correct": _count(counts.confirmed_correct), "confirmed": _count(counts.confirmed)}


def table_rows(figures: Figures, latency: list[Latency]) -> dict:
    """The tables' cells as text: the same numbers as the plots, exactly."""
    return {
        "total_row": display(figures.total),
        "day_rows": [{"day": day, **display(figures.per_day[day])} for day in figures.days],
        "version_rows": [{"version": name, **display(counts)} for name, counts in figures.per_version.items()],
        "latency_rows": [
            {"endpoint": row.endpoint, "count": _count(row.count),
             "percentiles": [_milliseconds(1000 * row.percentiles[q]) for q in QUANTILES]}
            for row in latency
        ],
        "quantile_names": [f"p{round(q * 100)}" for q in QUANTILES],
    }


def display(counts: Counts) -> dict:
    """The cells in the request's language: 1,234 in English, 1.234 in German; 75.0 % or 75,0 %."""
    accuracy = gettext("%(share)s (%(correct)s of %(confirmed)s)") % {
        "share": _share(counts.accuracy), "correct": _count(counts.confirmed_correct),
        "confirmed": _count(counts.confirmed)}
    return {
        "predictions": _count(counts.predictions),
        "mean_confidence": _share(counts.mean_confidence),
        "not_a_digit": f"{_share(counts.not_a_digit_rate)} ({_count(counts.not_a_digit)})",
        "feedback": _count(counts.feedback),
        "corrected": f"{_share(counts.corrected_rate)} ({_count(counts.corrected)})",
        "confirmed": _count(counts.confirmed),
        "accuracy": accuracy,
    }


def _count(value: int) -> str:
    return grouped(value)


def _milliseconds(value: float) -> str:
    return gettext("%(ms)s ms") % {"ms": decimal(value, 1)}


def _share(value: float | None) -> str:
    return "–" if value is None else plots.percent(value)


def figures_json(figures: Figures, latency: list[Latency]) -> dict:
    return {
        "start": figures.start.isoformat(),
        "end": figures.end.isoformat(),
        "total": counts_json(figures.total),
        "days": [{"day": day.isoformat(), **counts_json(figures.per_day[day])} for day in figures.days],
        "versions": [
            {"version": name, **counts_json(figures.per_version[name]),
             "days": [{"day": day.isoformat(), **counts_json(c)} for day, c in sorted(by_day.items())]}
            for name, by_day in figures.per_version_day.items()
        ],
        "latency": {
            "source": "this server's Prometheus request histograms since it started (not the date range)",
            "endpoints": [
                {"endpoint": row.endpoint, "count": row.count,
                 **{f"p{round(q * 100)}_ms": round(1000 * row.percentiles[q], 3) for q in QUANTILES}}
                for row in latency
            ],
        },
    }


def counts_json(counts: Counts) -> dict:
    return {
        "predictions": counts.predictions,
        "mean_confidence": counts.mean_confidence,
        "not_a_digit": counts.not_a_digit,
        "not_a_digit_rate": counts.not_a_digit_rate,
        "feedback": counts.feedback,
        "corrected": counts.corrected,
        "corrected_rate": counts.corrected_rate,
        "confirmed": counts.confirmed,
        "confirmed_correct": counts.confirmed_correct,
        "accuracy": counts.accuracy,
    }
