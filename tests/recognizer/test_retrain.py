"""`manage.py retrain`, `activate_model` and `list_models`, on real MNIST and real confirmed drawings.

The confirmed drawings are MNIST *training* digits drawn on a canvas tilted by 45 degrees, a habit the
shipped model (trained with ±12 degrees of rotation) often misreads, plus upright ones it reads well;
staff confirm their true labels. Training budgets are tiny (one or two epochs, a few thousand MNIST images)
so each run takes seconds.
"""
from io import StringIO

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from ml import artifacts
from ml.canvas import encode, stroke_mask, tilt, to_image
from ml.data import load_split
from recognizer import services
from recognizer.models import Drawing, ModelVersion
from recognizer.selectors import model_version_get_active

# One short epoch, the fine-tuned weights kept whole: mixing them with the parent's has its own tests
# (tests/ml/test_finetune.py), and the retrain job's test runs it with the defaults.
QUICK = ["--epochs", "1", "--mnist-limit", "4000", "--min-labels", "10", "--refresher-scale", "0.05",
         "--max-mnist-validation-drop", "100"]


@pytest.fixture(scope="module")
def mnist_train(mnist_dir):
    return load_split(mnist_dir, "train")


@pytest.fixture
def reviewer(db):
    return get_user_model().objects.create_user("reviewer", is_staff=True)


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.MODEL_DIR = tmp_path / "models"
    return settings.MODEL_DIR


def confirm_drawings(mnist_train, reviewer, *, tilted: int, upright: int, labels=None) -> list[Drawing]:
    """Store drawings through the prediction service, then confirm their true labels as staff would."""
    images, true_labels = mnist_train
    drawings = []
    for i in range(tilted + upright):
        mask = stroke_mask(images[i])
        if i < tilted:
            mask = tilt(mask, 45)  # always the same way, like a tablet held at an angle
        drawing = services.drawing_create(image=encode(to_image(mask)), source=Drawing.Source.PAGE)
        label = int(true_labels[i]) if labels is None else labels(i, int(true_labels[i]))
        drawings.append(services.drawing_confirm_label(drawing=drawing, label=label, user=reviewer))
    return drawings


def retrain(*args) -> str:
    out = StringIO()
    call_command("retrain", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_too_few_confirmed_drawings_is_refused(mnist_train, reviewer, model_dir):
    confirm_drawings(mnist_train, reviewer, tilted=3, upright=2)
    with pytest.raises(CommandError, match="only 5 drawing.s. have a staff-confirmed label; retraining needs at least 20"):
        retrain()
    assert ModelVersion.objects.count() == 1


@pytest.mark.django_db
def test_dry_run_reports_the_split_and_changes_nothing(mnist_train, reviewer, model_dir):
    confirm_drawings(mnist_train, reviewer, tilted=30, upright=10)
    out = retrain("--dry-run", "--min-labels", "10")
    assert "40 confirmed" not in out  # it reports the split, not just the total
    trains, validates, held = [int(n.strip(",")) for n in out.split("; ")[1].split() if n.strip(",").isdigit()][:3]
    assert trains + validates + held == 40 and held > 0
    assert ModelVersion.objects.count() == 1
    assert not model_dir.exists() or not any(model_dir.iterdir())


@pytest.mark.django_db
def test_holdout_split_depends_on_the_drawing_id_only(mnist_train, reviewer, model_dir):
    from recognizer.retraining import RetrainOptions, retrain_plan

    confirm_drawings(mnist_train, reviewer, tilted=20, upright=20)
    first = retrain_plan(options=RetrainOptions(min_labels=1))
    Drawing.objects.filter(pk__in=first.train.ids[:5]).update(confirmed_label=None)  # fewer labels now
    second = retrain_plan(options=RetrainOptions(min_labels=1))
    assert second.held_out.ids == first.held_out.ids
    assert set(second.train.ids) == set(first.train.ids[5:])


@pytest.mark.django_db
def test_retrain_on_corrections_promotes_a_better_model_and_serving_switches(mnist_train, reviewer, model_dir):
    shipped = model_version_get_active()
    confirm_drawings(mnist_train, reviewer, tilted=250, upright=50)
    # Two epochs on a fifth of MNIST cost a few tenths of a point of MNIST test (0.20 in one run here), so the
    # fine-tuned weights are kept whole: mixed back to within 0.05 points of MNIST validation, little of the
    # fine-tuning may be left to pass the gate (this test failed once so, most likely; the output was not kept).
    # Weight mixing has its own tests in tests/ml/test_finetune.py.
    out = retrain("--epochs", "2", "--mnist-limit", "10000", "--drawing-share", "0.25", "--holdout-percent", "30",
                  "--refresher-scale", "0.2", "--max-mnist-drop", "0.5", "--max-mnist-validation-drop", "100")

    candidate = ModelVersion.objects.exclude(pk=shipped.pk).get()
    metrics = candidate.metrics
    comparison = metrics["retraining"]["comparison"]
    assert candidate.is_active, out
    assert comparison["held_out"]["candidate_accuracy"] >= comparison["held_out"]["active_accuracy"]
    assert comparison["held_out"]["fixed"] > comparison["held_out"]["broken"]
    assert comparison["mnist_test"]["active_accuracy"] - comparison["mnist_test"]["candidate_accuracy"] <= 0.005
    assert metrics["parent"] == shipped.name and candidate.parent == shipped
    assert "held-out drawings" in out and "MNIST test" in out and "now active" in out

    # The version's files, and the drawings it learned from (never the held-out ones).
    version_dir = model_dir / candidate.name
    for name in (artifacts.KERAS_MODEL, artifacts.TFLITE_MODEL, artifacts.METRICS, artifacts.CURVES_PLOT, artifacts.CONFUSION_PLOT):
        assert (version_dir / name).is_file(), name
    assert artifacts.read_metrics(version_dir)["version"] == candidate.name
    trained = {str(pk) for pk in candidate.training_drawings.values_list("pk", flat=True)}
    assert trained == set(metrics["retraining"]["training_drawings"])
    held_out, validation = set(metrics["retraining"]["held_out_drawings"]), set(metrics["retraining"]["validation_drawings"])
    assert not trained & held_out and not trained & validation and not held_out & validation
    assert len(trained) + len(held_out) + len(validation) == 300

    # The request path picks up the new version without a restart, and records it.
    image = encode(to_image(tilt(stroke_mask(mnist_train[0][500]), 45)))
    assert services.drawing_create(image=image, source=Drawing.Source.API).model_version == candidate

    # Roll back: the shipped model serves again.
    call_command("activate_model", shipped.name, stdout=StringIO())
    assert model_version_get_active() == shipped
    assert services.drawing_create(image=image, source=Drawing.Source.API).model_version == shipped
    listing = StringIO()
    call_command("list_models", stdout=listing)
    assert f"* {shipped.name}" in listing.getvalue() and f"  {candidate.name}" in listing.getvalue()


@pytest.mark.django_db
def test_gate_refuses_a_worse_candidate_but_stores_it(mnist_train, reviewer, model_dir):
    shipped = model_version_get_active()
    confirm_drawings(mnist_train, reviewer, tilted=20, upright=20)
    # A fresh network, one epoch on 1,000 MNIST images: far worse than the shipped model.
    out = retrain("--from-scratch", "--epochs", "1", "--mnist-limit", "1000", "--min-labels", "10", "--refresher-scale", "0.05")
    candidate = ModelVersion.objects.exclude(pk=shipped.pk).get()
    assert not candidate.is_active
    assert model_version_get_active() == shipped
    assert candidate.metrics["retraining"]["promotion"]["passed_gate"] is False
    assert "MNIST test accuracy drops" in candidate.metrics["retraining"]["promotion"]["reason"]
    assert candidate.parent is None
    assert "stored, not active" in out


@pytest.mark.django_db
def test_promote_never_stores_without_activating_and_records_the_command(mnist_train, reviewer, model_dir):
    shipped = model_version_get_active()
    confirm_drawings(mnist_train, reviewer, tilted=20, upright=10)
    retrain(*QUICK, "--promote", "never")
    assert model_version_get_active() == shipped
    assert ModelVersion.objects.count() == 2
    command = ModelVersion.objects.exclude(is_active=True).get().metrics["command"]
    assert command.startswith("python manage.py retrain --epochs 1 --min-labels 10 ")
    assert "--mnist-limit 4000" in command and "--refresher-scale 0.05" in command and "--promote never" in command and "--from-scratch" not in command


@pytest.mark.django_db
def test_failure_mid_training_leaves_everything_as_it_was(mnist_train, reviewer, model_dir, mnist_dir):
    from recognizer.retraining import RetrainOptions, model_version_retrain
    from ml.finetune import FinetuneConfig

    shipped = model_version_get_active()
    confirm_drawings(mnist_train, reviewer, tilted=20, upright=10)

    def crash_after_first_epoch(line: str):
        if line.startswith("epoch  1/"):
            raise OSError("disk full")  # what a real failure during training looks like to the caller

    options = RetrainOptions(finetune=FinetuneConfig(epochs=2, mnist_limit=2000, refresher_scale=0.05), min_labels=10,
                             mnist_dir=str(mnist_dir))
    with pytest.raises(OSError, match="disk full"):
        model_version_retrain(options=options, log=crash_after_first_epoch)
    assert list(ModelVersion.objects.all()) == [shipped] and model_version_get_active() == shipped
    assert not any(model_dir.iterdir())  # no half-written version left behind


@pytest.mark.django_db
def test_activate_model_names_the_known_versions_when_asked_for_an_unknown_one(model_dir):
    shipped = model_version_get_active()
    with pytest.raises(CommandError, match=f"no model version named 'v99'; known versions: {shipped.name}"):
        call_command("activate_model", "v99")


@pytest.mark.django_db
def test_activate_model_refuses_a_version_whose_file_is_gone(model_dir, tmp_path):
    shipped = model_version_get_active()
    ghost = ModelVersion.objects.create(name="ghost", artifact=str(tmp_path / "gone.tflite"), sha256="0" * 64)
    with pytest.raises(CommandError, match="missing or changed"):
        call_command("activate_model", "ghost")
    assert model_version_get_active() == shipped and not ModelVersion.objects.get(pk=ghost.pk).is_active


@pytest.mark.django_db
def test_command_reports_a_failure_as_a_clear_error(mnist_train, reviewer, model_dir, tmp_path):
    shipped = model_version_get_active()
    confirm_drawings(mnist_train, reviewer, tilted=10, upright=10)
    with pytest.raises(CommandError, match="retraining failed, nothing was changed: MnistFormatError: MNIST file not found"):
        retrain(*QUICK, "--mnist-dir", str(tmp_path))
    assert list(ModelVersion.objects.all()) == [shipped]
    assert not any(model_dir.iterdir())


@pytest.mark.django_db
def test_held_out_side_never_holds_drawings_an_ancestor_trained_on(mnist_train, reviewer, model_dir):
    from recognizer.retraining import RetrainOptions, retrain_plan

    confirm_drawings(mnist_train, reviewer, tilted=30, upright=30)
    shipped = model_version_get_active()
    first = retrain_plan(options=RetrainOptions(min_labels=1, holdout_percent=20))
    shipped.training_drawings.set(first.train.ids)  # as if the active version had learned from them

    wider = retrain_plan(options=RetrainOptions(min_labels=1, holdout_percent=60))

    assert not set(wider.held_out.ids) & set(first.train.ids)
    assert set(first.train.ids) <= set(wider.train.ids)
    assert set(first.held_out.ids) <= set(wider.held_out.ids)


@pytest.mark.django_db
def test_gate_refuses_when_too_few_drawings_are_held_out(mnist_train, reviewer, model_dir):
    shipped = model_version_get_active()
    confirm_drawings(mnist_train, reviewer, tilted=30, upright=10)
    out = retrain(*QUICK, "--max-mnist-drop", "5")  # a one-epoch candidate; here the held-out count decides
    candidate = ModelVersion.objects.exclude(pk=shipped.pk).get()
    held_out = len(candidate.metrics["retraining"]["held_out_drawings"])
    assert held_out < 50 and not candidate.is_active
    assert f"only {held_out} held-out drawings; at least 50 are needed" in candidate.metrics["retraining"]["promotion"]["reason"]
    assert "stored, not active" in out


@pytest.mark.django_db
def test_confirmed_non_digits_train_as_not_a_digit(mnist_train, reviewer, model_dir):
    from ml.calibration import NOT_A_DIGIT
    from ml.negatives import scribbles
    from ml.preprocess import input_to_png
    from recognizer.retraining import RetrainOptions, retrain_plan

    confirm_drawings(mnist_train, reviewer, tilted=10, upright=10)
    for x in scribbles(20, np.random.default_rng(5)):
        drawing = services.drawing_create(image=input_to_png(x), source=Drawing.Source.PAGE)
        services.drawing_confirm_not_a_digit(drawing=drawing, user=reviewer)

    plan = retrain_plan(options=RetrainOptions(min_labels=1))
    labels = np.concatenate([plan.train.labels, plan.validation.labels, plan.held_out.labels])
    assert (labels == NOT_A_DIGIT).sum() == 20 and ((labels >= 0) & (labels <= 9)).sum() == 20

    out = retrain(*QUICK, "--promote", "never")
    candidate = ModelVersion.objects.exclude(is_active=True).get()
    trained = set(str(pk) for pk in candidate.training_drawings.values_list("pk", flat=True))
    assert Drawing.objects.filter(pk__in=trained, confirmed_not_a_digit=True).exists(), out
    assert candidate.report.serving["digit_threshold"] is not None
