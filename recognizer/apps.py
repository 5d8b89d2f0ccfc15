from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognizerConfig(AppConfig):
    name = "recognizer"
    verbose_name = _("Digit recognizer")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from recognizer.field_labels import label_models

        label_models(self)  # translatable names for the admin, without a migration (field_labels.py)
