"""Tables for a model version's admin page, read from its report (ml/report.py's layout): the training run
and the data it was trained on, so nobody needs the raw metrics JSON to answer "how was this made?"."""
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy as _

from ml.report import Report
from recognizer.localized import decimal, grouped

KINDS = {"trained": _("trained"), "retrained": _("retrained"), "imported": _("imported")}  # ml/report.py's kinds


def training_table(report: Report) -> SafeString:
    """Architecture, size and the run's length; "-" for what an older report did not record."""
    training = report.training or {}
    seconds = training.get("seconds")
    rows = [
        (gettext("architecture"), report.architecture or "-"),
        (gettext("parameters"), grouped(report.parameters) if report.parameters else "-"),
        (gettext("epochs run"), _or_dash(training.get("epochs_run"))),
        (gettext("best epoch (weights kept)"), _or_dash(training.get("best_epoch"))),
        (gettext("training time"),
         "-" if seconds is None else gettext("%(minutes)s min") % {"minutes": decimal(seconds / 60, 1)}),
        (gettext("kind"), KINDS.get(report.kind, report.kind)),
        (gettext("trained from"), report.parent or "-"),
    ]
    return format_html("<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows))


def data_table(report: Report) -> SafeString:
    """Each training and validation source: how many images, and the checksum of exactly those images."""
    if not report.data:
        return mark_safe("-")
    rows = format_html_join(
        "", "<tr><td>{}</td><td>{}</td><td><code title=\"{}\">{}</code></td></tr>",
        ((name.replace("_", " "), grouped(source.get("count", 0)), source.get("sha256") or "",
          (source.get("sha256") or "-")[:12]) for name, source in report.data.items()),
    )
    head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th></tr>", gettext("source"), gettext("images"),
                       gettext("SHA-256 (first 12)"))
    return format_html("<table>{}{}</table>", head, rows)


def _or_dash(value) -> str:
    return "-" if value is None else str(value)
