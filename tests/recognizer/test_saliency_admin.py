"""The "why" heatmap beside a drawing on its admin change page, and only there."""
import re

import pytest
from django.urls import reverse

from recognizer.models import Drawing

pytestmark = pytest.mark.django_db


def heatmaps(html: str) -> list[tuple[str, str]]:
    """(src, alt) of every saliency <img> in the page."""
    return re.findall(r'<img src="(/api/predictions/[^"]+/saliency)" alt="([^"]*)"', html)


def test_the_change_page_shows_the_drawings_heatmap_with_its_answer(admin_client, drawing):
    response = admin_client.get(reverse("admin:recognizer_drawing_change", args=[drawing.pk]))

    assert response.status_code == 200
    [(src, alt)] = heatmaps(response.content.decode())
    assert src == f"/api/predictions/{drawing.pk}/saliency"
    answer = f"read {drawing.predicted_digit}"
    assert alt == f"Heatmap over the model input: yellow marks the parts that most made the model {answer}."
    assert set(response.context["adminform"].form.fields) == {"confirmed_label", "confirmed_not_a_digit"}
    image = admin_client.get(src)
    assert (image.status_code, image["Content-Type"]) == (200, "image/png")


def test_a_not_a_digit_answer_is_named_as_such(admin_client, drawing):
    Drawing.objects.filter(pk=drawing.pk).update(is_digit=False)

    response = admin_client.get(reverse("admin:recognizer_drawing_change", args=[drawing.pk]))

    [(_, alt)] = heatmaps(response.content.decode())
    assert alt.endswith("most made the model say it is not a digit.")


def test_the_changelist_computes_no_heatmaps(admin_client, drawing):
    response = admin_client.get(reverse("admin:recognizer_drawing_changelist"))

    assert response.status_code == 200
    assert f"/api/predictions/{drawing.pk}/input" in response.content.decode()
    assert heatmaps(response.content.decode()) == []
