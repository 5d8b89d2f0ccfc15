"""The "why" heatmap beside a drawing on its admin change page (a readonly field of DrawingAdmin).

The <img> asks GET /api/predictions/{id}/saliency, so the map is computed only when a reviewer opens the
drawing (lazily, ~0.1 s), never for the changelist's 50 rows.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

HEATMAP = '<img src="{}" alt="{}" width="280" height="280" loading="lazy" style="border: 1px solid #ccc">'
HOW_TO_READ = _("Yellow: hiding this part made the model least sure of its answer. Purple: hiding it changed nothing.")


class SaliencyAdminMixin:
    @admin.display(description=_("why (heatmap)"))
    def saliency_large(self, drawing):
        if drawing.is_digit is False:
            alt = gettext("Heatmap over the model input: yellow marks the parts that most made the model say it is "
                          "not a digit.")
        else:
            alt = gettext("Heatmap over the model input: yellow marks the parts that most made the model read "
                          "%(digit)s.") % {"digit": drawing.predicted_digit}
        url = reverse("recognizer:prediction-saliency", args=[drawing.pk])
        return format_html(HEATMAP + '<p class="help">{}</p>', url, alt, HOW_TO_READ)
