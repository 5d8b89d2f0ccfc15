from django.apps import AppConfig


class RecognizerConfig(AppConfig):
    name = "recognizer"
    verbose_name = "Digit recognizer"
    default_auto_field = "django.db.models.BigAutoField"
