"""Translatable names for the models and their fields, as the admin shows them (column headers, filters,
form labels, the app index).

A field declared without a verbose name is named after its attribute ("predicted_digit" → "predicted
digit"), a string no catalogue can translate. The usual cure, `verbose_name=_("...")` in models.py, is
written into every migration's state, so it would need a migration altering each field (no SQL, but a
migration all the same). Instead `label_models()`, called once when the app loads (apps.py), gives each
field and model the same words as lazy translations. Migrations do not see them: a field deconstructs
the verbose name it was declared with (`Field._verbose_name`), and a model's migration state its Meta as
written (`Options.original_attrs`). `manage.py makemigrations --check` stays clean; tests/recognizer/
test_i18n.py checks that, and that every field of the project's models has a name here.

A name is the English default Django would have made, so nothing changes in English.
"""
from django.utils.translation import gettext_lazy as _, pgettext_lazy

MODELS = {
    # model name: (verbose_name, verbose_name_plural)
    "modelversion": (_("model version"), _("model versions")),
    "drawing": (_("drawing"), _("drawings")),
    "number": (_("number"), _("numbers")),
    "job": (_("job"), _("jobs")),
}

FIELDS = {
    "modelversion": {
        "name": _("name"),
        "artifact": _("artifact"),
        "metrics": _("metrics"),
        "created": _("created"),
        "is_active": _("is active"),
        "notes": _("notes"),
        "parent": _("parent"),
        "model_file": _("model file"),
        "keras_file": _("keras file"),
        "training_drawings": _("training drawings"),
    },
    "drawing": {
        "id": _("id"),
        "image": _("image"),
        "content_type": _("content type"),
        "input_png": _("input png"),
        "predicted_digit": _("predicted digit"),
        "confidence": _("confidence"),
        "probabilities": _("probabilities"),
        "model_version": _("model version"),
        "source": _("source"),
        "created": _("created"),
        "suggested_label": _("suggested label"),
        "confirmed_label": _("confirmed label"),
        "confirmed_by": _("confirmed by"),
        "confirmed_at": _("confirmed at"),
        "digit_score": _("digit score"),
        "is_digit": _("is digit"),
        "suggested_not_a_digit": _("suggested not a digit"),
        "confirmed_not_a_digit": _("confirmed not a digit"),
        "dataset": _("dataset"),
        "number": _("number"),
        "position": _("position"),
        "box": _("box"),
        "owner": _("owner"),
        "delete_token_hash": _("delete token hash"),
    },
    "number": {
        "id": _("id"),
        "image": _("image"),
        "content_type": _("content type"),
        "width": _("width"),
        "height": _("height"),
        "number": pgettext_lazy("the digits read", "number"),
        "confidence": _("confidence"),
        "rejected": _("rejected"),
        "model_version": _("model version"),
        "source": _("source"),
        "created": _("created"),
        "suggested_number": _("suggested number"),
        "confirmed_number": _("confirmed number"),
        "confirmed_count_differs": _("confirmed count differs"),
        "confirmed_by": _("confirmed by"),
        "confirmed_at": _("confirmed at"),
        "owner": _("owner"),
    },
    "job": {
        "id": _("id"),
        "kind": _("kind"),
        "status": _("status"),
        "arguments": _("arguments"),
        "task_id": _("task id"),
        "created": _("created"),
        "started": _("started"),
        "finished": _("finished"),
        "progress": _("progress"),
        "log": _("log"),
        "cancel_requested": _("cancel requested"),
        "error": _("error"),
        "result": _("result"),
        "model_version": _("model version"),
        "created_by": _("created by"),
    },
}


def label_models(app_config) -> None:
    """Sets the lazy names on the app's models and on their fields declared without a verbose name."""
    for model in app_config.get_models():
        key = model._meta.model_name
        if key in MODELS:
            model._meta.verbose_name, model._meta.verbose_name_plural = MODELS[key]
        for name, label in FIELDS.get(key, {}).items():
            field = model._meta.get_field(name)
            if field._verbose_name is None:  # a name given in models.py wins
                field.verbose_name = label
