"""The options staff may give a retrain started from the admin (Jobs → "Start retrain"); any left blank keep the
`retrain` command's default. They become the job's arguments, i.e. the command's options."""
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ml.finetune import KEEP_FINE_TUNED
from recognizer.retraining import PROMOTE_CHOICES


PROMOTE_LABELS = {"auto": _("auto"), "always": _("always"), "never": _("never")}  # the command's words, translated


class RetrainStartForm(forms.Form):
    epochs = forms.IntegerField(required=False, min_value=1, max_value=100,
                                label=_("epochs"), help_text=_("passes over MNIST and the drawings"))
    mnist_limit = forms.IntegerField(required=False, min_value=100, max_value=55_000,
                                     label=_("MNIST images"), help_text=_("mix in only the first N MNIST images"))
    refresher_scale = forms.FloatField(required=False, min_value=0, max_value=10, label=_("refresher scale"),
                                       help_text=_("share of other writers' digits and non-digits mixed in; 0 leaves "
                                                   "them out"))
    max_mnist_validation_drop = forms.FloatField(
        required=False, min_value=0, max_value=KEEP_FINE_TUNED, label=_("MNIST validation allowance"),
        help_text=format_lazy(_("points of MNIST validation accuracy that mixing the new weights with the active "
                                "version's may lose; {keep} keeps the fine-tuned weights as they are"),
                              keep=KEEP_FINE_TUNED))
    promote = forms.ChoiceField(required=False, choices=[("", "")] + [(c, PROMOTE_LABELS.get(c, c)) for c in PROMOTE_CHOICES],
                                label=_("promote"), help_text=_("auto: only if the promotion gate passes"))

    def arguments(self) -> dict:
        """The options given (after `is_valid()`), as the retrain command's option names."""
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def error_text(self) -> str:
        """One line naming each bad field and what is wrong with it."""
        return "; ".join(f"{name}: {' '.join(errors)}" for name, errors in self.errors.items())
