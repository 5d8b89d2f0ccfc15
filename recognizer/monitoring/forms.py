"""The page's date range: both days included, UTC, at most MAX_DAYS long, never past tomorrow."""
from datetime import UTC, date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

DEFAULT_DAYS = 30
MAX_DAYS = 366  # a year of daily points is still a readable plot and a cheap query
HTML, JSON = "html", "json"


class DateRangeForm(forms.Form):
    """Empty fields mean the last DEFAULT_DAYS days up to today. Bound to request.GET, so a bad value
    comes back as the form's error message, never as a server error."""

    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Start"),
                            help_text=_("First day."))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("End"),
                          help_text=_("Last day."))
    format = forms.ChoiceField(required=False, choices=[(HTML, _("page")), (JSON, "JSON")], widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = utc_today()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        # Tomorrow is allowed: a staff member east of UTC may already be there; later days hold nothing.
        if end > today + timedelta(days=1):
            raise forms.ValidationError(
                gettext("The end date %(end)s is in the future (today is %(today)s, UTC).") % {"end": end, "today": today}
            )
        if start > end:
            raise forms.ValidationError(
                gettext("The start date %(start)s is after the end date %(end)s.") % {"start": start, "end": end}
            )
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                gettext("The range %(start)s to %(end)s is %(days)d days; at most %(max)d are shown at once.")
                % {"start": start, "end": end, "days": (end - start).days + 1, "max": MAX_DAYS}
            )
        data.update(start=start, end=end, format=data.get("format") or HTML)
        return data


def utc_today() -> date:
    return timezone.now().astimezone(UTC).date()


def range_of(form: DateRangeForm) -> tuple[date, date]:
    return form.cleaned_data["start"], form.cleaned_data["end"]
