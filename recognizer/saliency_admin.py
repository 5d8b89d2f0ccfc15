"""The "why" heatmap beside a drawing on its admin change page (a readonly field of DrawingAdmin).

The <img> asks GET /api/predictions/{id}/saliency, so the map is computed only when a reviewer opens the
drawing (lazily, ~0.1 s), never for the changelist's 50 rows.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

HEATMAP = '<img src="{}" alt="{}" width="280" height="280" loading="lazy" style="border: 1px solid #ccc">'
HOW_TO_READ = "Yellow: hiding this part made the model least sure of its answer. Purple: hiding it changed nothing."


class SaliencyAdminMixin:
    @admin.display(description="why (heatmap)")
    def saliency_large(self, drawing):
        answer = "say it is not a digit" if drawing.is_digit is False else f"read {drawing.predicted_digit}"
        alt = f"Heatmap over the model input: yellow marks the parts that most made the model {answer}."
        url = reverse("recognizer:prediction-saliency", args=[drawing.pk])
        return format_html(HEATMAP + '<p class="help">{}</p>', url, alt, HOW_TO_READ)
