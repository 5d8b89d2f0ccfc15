"""The review queue in the admin: /admin/recognizer/drawing/review/ (the page) and .../review/action/ (JSON).

`DrawingAdmin.get_urls` adds both through `admin_urls`, wrapped in `admin_site.admin_view` (staff only;
others go to the login page). Both also need the change permission on drawings. The page renders a batch
chosen when it opens (`selectors.review_queue`), every drawing in it as a hidden card;
static/recognizer/review-queue.js shows one at a time and posts each key press to the endpoint, which
answers JSON, 400 with a message for bad input, 403 without the permission.
"""
import json

from django import forms
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_POST

from recognizer.models import Drawing
from recognizer.percent import format_percent
from recognizer.review import actions, selectors

TEMPLATE = "admin/recognizer/review_queue.html"
URL_NAME = "recognizer_drawing_review"
ACTION_URL_NAME = "recognizer_drawing_review_action"


class QueueForm(forms.Form):
    """How the batch is chosen; bad values are shown as form errors with the default batch."""

    order = forms.ChoiceField(choices=list(selectors.ORDERS.items()), initial=selectors.UNSURE, required=False)
    size = forms.IntegerField(min_value=1, max_value=selectors.MAX_SIZE, initial=selectors.DEFAULT_SIZE,
                              required=False, label=_("batch size"))


def admin_urls(model_admin: ModelAdmin) -> list:
    site = model_admin.admin_site
    return [
        path("review/", site.admin_view(lambda request: queue_view(request, model_admin)), name=URL_NAME),
        path("review/action/", site.admin_view(lambda request: action_view(request, model_admin)),
             name=ACTION_URL_NAME),
    ]


def queue_view(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    form = QueueForm(request.GET or None)
    order, size = selectors.UNSURE, selectors.DEFAULT_SIZE
    if form.is_bound and form.is_valid():
        order = form.cleaned_data["order"] or order
        size = form.cleaned_data["size"] or size
    drawings = selectors.review_queue(order=order, size=size)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Drawing._meta,
        "title": gettext("Review queue"),
        "form": form,
        "order_label": selectors.ORDERS[order],
        "cards": [_card(model_admin, drawing) for drawing in drawings],
    }
    return TemplateResponse(request, TEMPLATE, context)


@require_POST
def action_view(request: HttpRequest, model_admin: ModelAdmin) -> JsonResponse:
    """JSON in: {"action": "label"|"not_a_digit"|"skip"|"undo", "drawing": id, "label": 0-9}; JSON out."""
    if not model_admin.has_change_permission(request):
        return JsonResponse({"error": gettext("You may not change drawings.")}, status=403)
    try:
        body = json.loads(request.body or b"null")
        if not isinstance(body, dict):
            raise actions.ReviewError(gettext("send a JSON object"))
        outcome = actions.perform(session=request.session, user=request.user, action=body.get("action"),
                                  drawing_id=body.get("drawing"), label=body.get("label"))
    except (ValueError, actions.ReviewError) as err:  # json.JSONDecodeError is a ValueError
        message = str(err) if isinstance(err, actions.ReviewError) else gettext("send a JSON object")
        return JsonResponse({"error": message}, status=400)
    return JsonResponse({"action": outcome.action, "drawing": outcome.drawing_id, "message": outcome.message})


def _card(model_admin: ModelAdmin, drawing: Drawing) -> dict:
    """What one card shows, with the drawing admin's own large image helpers."""
    if drawing.suggested_not_a_digit:
        suggestion = gettext("not a digit")
    elif drawing.suggested_label is not None:
        suggestion = str(drawing.suggested_label)
    else:
        suggestion = gettext("none")
    return {
        "drawing": drawing,
        "image": model_admin.drawing_large(drawing),
        "input": model_admin.model_input_large(drawing),
        "guesses": [(digit, format_percent(p)) for digit, p in selectors.top_guesses(drawing)],
        "verdict": model_admin.digit_verdict(drawing),
        "suggestion": suggestion,
    }
