"""`manage.py retrain` learns from the digits of numbers staff confirmed, like any confirmed drawing.

Numbers are written with MNIST *training* digits (never test digits: they judge the model), read through
the service, and confirmed with their true string; the digits of each number whose count matched get
their labels, and a tiny fine-tuning run (the budget of test_retrain.py's quick runs) trains on them.
"""
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ml.data import load_split
from recognizer import number_services
from recognizer.models import Drawing, ModelVersion
from tests.recognizer.number_images import number_png

QUICK = ["--epochs", "1", "--mnist-limit", "4000", "--min-labels", "10", "--refresher-scale", "0.05",
         "--max-mnist-validation-drop", "100"]  # the fine-tuned weights kept whole: mixing is tested elsewhere
TEXT = "0123456789"


@pytest.mark.training
@pytest.mark.django_db
def test_retrain_trains_on_the_confirmed_digits_of_numbers(mnist_dir, settings, tmp_path):
    settings.MODEL_DIR = tmp_path / "models"
    reviewer = get_user_model().objects.create_user("reviewer", is_staff=True)
    mnist_train = load_split(mnist_dir, "train")
    for nth in range(4):
        number = number_services.number_create(image=number_png(mnist_train, TEXT, nth=nth), source="page")
        number_services.number_confirm(number=number, value=TEXT, user=reviewer)
    confirmed = Drawing.objects.filter(source=Drawing.Source.NUMBER, confirmed_label__isnull=False)
    assert confirmed.count() >= 20, "most numbers were cut into ten digits, so their labels were confirmed"

    out = StringIO()
    call_command("retrain", *QUICK, "--promote", "never", stdout=out)

    candidate = ModelVersion.objects.exclude(is_active=True).get()
    trained = {str(pk) for pk in candidate.training_drawings.values_list("pk", flat=True)}
    retraining = candidate.metrics["retraining"]
    assert trained and trained == set(retraining["training_drawings"]), out.getvalue()
    assert trained <= {str(pk) for pk in confirmed.values_list("pk", flat=True)}
    assert candidate.metrics["data"]["drawings"]["count"] == len(trained)
    seen = trained | set(retraining["validation_drawings"]) | set(retraining["held_out_drawings"])
    assert seen == {str(pk) for pk in confirmed.values_list("pk", flat=True)}
