"""Model versions, the drawings they predicted, and the numbers those drawings are digits of.

A Drawing keeps the original upload (to review and re-run) and the 28x28 model input as an 8-bit
grayscale PNG made by `ml.preprocess.input_to_png` (white digit on black, exactly what the model
saw; `ml.preprocess.png_to_input` turns it back into the float array for retraining).

A Number keeps the original upload of a whole number; each digit read in it is a Drawing (source
"number") whose image is the digit's crop of the original, so review, feedback and retraining treat
digits of numbers like any other drawing.
"""
import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from ml.report import HELD_OUT, MNIST_TEST, Report

DIGIT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(9)]
MAX_NUMBER_DIGITS = 32  # as ml.numbers.reading.MAX_DIGITS (not imported: models stay free of the reader)
DIGIT_STRING = r"^[0-9]*$"
DIGIT_STRING_VALIDATORS = [RegexValidator(DIGIT_STRING, _("digits 0-9 only"))]


def _digit_check(field: str, *, nullable: bool) -> models.CheckConstraint:
    in_range = Q(**{f"{field}__gte": 0, f"{field}__lte": 9})
    condition = in_range | Q(**{f"{field}__isnull": True}) if nullable else in_range
    return models.CheckConstraint(condition=condition, name=f"drawing_{field}_is_a_digit")


FILE_FIELDS = ("model_file", "keras_file")  # a version's files: megabytes, read by recognizer.model_files only


class ModelVersionManager(models.Manager):
    """Every query leaves the file columns unloaded (lists, filters, joins); `recognizer.model_files` reads
    them by name when a server needs the file."""

    def get_queryset(self):
        return super().get_queryset().defer(*FILE_FIELDS)


class ModelVersion(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text=_("Version name, from the model's metrics file."))
    artifact = models.CharField(
        max_length=500, help_text=_("Path of the .tflite file; relative paths are relative to the project root.")
    )
    sha256 = models.CharField("SHA-256", max_length=64, help_text=_("Checksum of the .tflite file when registered."))
    metrics = models.JSONField(default=dict, blank=True, help_text=_("The training run's metrics.json."))
    created = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=False, help_text=_("Serves predictions; at most one version is active."))
    notes = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        help_text=_("The version this one was fine-tuned from (none when trained from scratch)."),
    )
    model_file = models.BinaryField(
        null=True, blank=True, editable=False,
        help_text=_("The .tflite file itself, so every server on this database can serve the version "
        "(each keeps a local copy under VAR_DIR, checked against sha256)."),
    )
    keras_file = models.BinaryField(
        null=True, blank=True, editable=False,
        help_text=_("The .keras file retraining fine-tunes from, for workers on other machines."),
    )
    training_drawings = models.ManyToManyField(
        "Drawing", blank=True, related_name="trained_versions",
        help_text=_("Confirmed drawings this version was trained on (held-out drawings are never here)."),
    )

    objects = ModelVersionManager()

    class Meta:
        verbose_name = _("model version")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_model_version")
        ]

    def __str__(self) -> str:
        return gettext("%(name)s (active)") % {"name": self.name} if self.is_active else self.name

    @property
    def artifact_path(self) -> Path:
        return settings.BASE_DIR / self.artifact  # an absolute `artifact` wins over BASE_DIR

    @property
    def report(self) -> Report:
        """The metrics report, whatever layout it was stored in."""
        return Report.from_dict(self.metrics)

    @property
    def test_accuracy(self) -> float | None:
        return self.report.accuracy(MNIST_TEST)

    @property
    def held_out_accuracy(self) -> float | None:
        """Accuracy on the held-out confirmed drawings, measured when this version was trained."""
        return self.report.accuracy(HELD_OUT)


class Drawing(models.Model):
    class Source(models.TextChoices):
        PAGE = "page", _("drawing page")
        API = "api", _("REST API")
        BATCH = "batch", _("batch API")
        SEED = "seed", _("legacy /predict")
        DATASET = "dataset", _("imported dataset")
        NUMBER = "number", _("digit of a number")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    image = models.BinaryField(help_text=_("The uploaded file, as sent."))
    content_type = models.CharField(max_length=50, help_text=_("Media type of the decoded image (image/png, ...)."))
    input_png = models.BinaryField(help_text=_("The 28x28 model input as a grayscale PNG, white on black."))
    predicted_digit = models.PositiveSmallIntegerField(validators=DIGIT_VALIDATORS)
    confidence = models.FloatField(help_text=_("Probability of the predicted digit."))
    probabilities = models.JSONField(help_text=_("Probability of each digit 0-9."))
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="drawings")
    source = models.CharField(max_length=10, choices=Source.choices)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    suggested_label = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=DIGIT_VALIDATORS, help_text=_("The digit the user says they drew.")
    )
    confirmed_label = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=DIGIT_VALIDATORS, help_text=_("The digit staff confirmed; used for training.")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    digit_score = models.FloatField(
        null=True, blank=True,
        help_text=_("How surely the drawing is a digit at all, 0-1 (empty: the model has no not-a-digit output)."),
    )
    is_digit = models.BooleanField(
        null=True, blank=True,
        help_text=_("digit_score reached the answering model version's threshold (empty: no not-a-digit output)."),
    )
    suggested_not_a_digit = models.BooleanField(
        default=False, help_text=_("The user says the drawing is not a digit; replaces any suggested label.")
    )
    confirmed_not_a_digit = models.BooleanField(
        default=False, help_text=_("Staff confirmed the drawing is not a digit; used for training instead of a label.")
    )
    dataset = models.CharField(
        max_length=100, blank=True, db_index=True,
        help_text=_("Name of the imported dataset this drawing came from (source \"dataset\"); empty otherwise."),
    )
    number = models.ForeignKey(
        "Number", null=True, blank=True, on_delete=models.CASCADE, related_name="digits",
        help_text=_("The number this drawing is a digit of (empty for single-digit drawings)."),
    )
    position = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Place of the digit in its number, from 0 at the left.")
    )
    box = models.JSONField(
        null=True, blank=True,
        help_text=_("[x, y, width, height] of the digit in the number's image (pixels, EXIF orientation applied)."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="drawings",
        help_text=_("The signed-in user who drew it: only they and staff may see it (empty: anonymous, readable by id)."),
    )
    delete_token_hash = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text=_("SHA-256 of the delete token the creation answer showed once (empty: only staff may delete)."),
    )

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__isnull=True, position__isnull=True, box__isnull=True)
                | Q(number__isnull=False, position__isnull=False, box__isnull=False),
                name="drawing_digit_of_a_number_has_position_and_box",
            ),
            models.UniqueConstraint(fields=["number", "position"], name="one_drawing_per_digit_of_a_number"),
            _digit_check("predicted_digit", nullable=False),
            _digit_check("suggested_label", nullable=True),
            _digit_check("confirmed_label", nullable=True),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="drawing_confidence_is_a_probability"
            ),
            models.CheckConstraint(
                condition=Q(digit_score__gte=0, digit_score__lte=1) | Q(digit_score__isnull=True),
                name="drawing_digit_score_is_a_probability",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_label__isnull=True) | Q(confirmed_not_a_digit=False),
                name="drawing_confirmed_label_or_not_a_digit",
                violation_error_message="A drawing is confirmed either as a digit or as not a digit, not both.",
            ),
        ]

    def __str__(self) -> str:
        return gettext("drawing %(id)s: predicted %(digit)s") % {"id": str(self.id)[:8], "digit": self.predicted_digit}

    @property
    def training_label(self) -> int | None:
        """The confirmed digit; None for unconfirmed drawings and for drawings confirmed as not a digit.

        Only staff-confirmed labels train models; user suggestions wait for review.
        """
        return self.confirmed_label

    @property
    def is_confirmed(self) -> bool:
        """Staff confirmed what it is: a digit (`training_label`) or not a digit (`confirmed_not_a_digit`).

        The query form is `selectors.drawing_confirmed_q()`.
        """
        return self.confirmed_label is not None or self.confirmed_not_a_digit


class Number(models.Model):
    """A whole number read from one image. Its digits are Drawings (`digits`, left to right).

    `confirmed_count_differs` flags a confirmed string whose length is not the number of digits found:
    the segmentation was wrong, so no digit label could be confirmed from it; it waits for review.
    """

    class Source(models.TextChoices):
        PAGE = "page", _("drawing page")
        API = "api", _("REST API")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    image = models.BinaryField(help_text=_("The uploaded file, as sent."))
    content_type = models.CharField(max_length=50, help_text=_("Media type of the decoded image (image/png, ...)."))
    width = models.PositiveIntegerField(help_text=_("Width of the image in pixels, EXIF orientation applied."))
    height = models.PositiveIntegerField(help_text=_("Height of the image in pixels, EXIF orientation applied."))
    number = models.CharField(
        max_length=MAX_NUMBER_DIGITS, blank=True, validators=DIGIT_STRING_VALIDATORS,
        help_text=_("The digits read, left to right (empty: nothing read as a digit)."),
    )
    confidence = models.FloatField(help_text=_("Probability that the whole reading is right (0 when empty)."))
    rejected = models.JSONField(
        default=list, blank=True, help_text=_("Pieces judged not to be digits: [{box, digit_score}, ...].")
    )
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="numbers")
    source = models.CharField(max_length=10, choices=Source.choices)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    suggested_number = models.CharField(
        max_length=MAX_NUMBER_DIGITS, blank=True, validators=DIGIT_STRING_VALIDATORS,
        help_text=_("The number the user says they wrote (empty: none said)."),
    )
    confirmed_number = models.CharField(
        max_length=MAX_NUMBER_DIGITS, blank=True, validators=DIGIT_STRING_VALIDATORS,
        help_text=_("The number staff confirmed (empty: not confirmed)."),
    )
    confirmed_count_differs = models.BooleanField(
        default=False, help_text=_("The confirmed number has another count of digits than were found: review the pieces.")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="numbers",
        help_text=_("The signed-in user who wrote it: only they and staff may see it (empty: anonymous, readable by id)."),
    )

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="number_confidence_is_a_probability"
            ),
            *(
                models.CheckConstraint(condition=Q(**{f"{field}__regex": DIGIT_STRING}), name=f"number_{field}_is_digits")
                for field in ("number", "suggested_number", "confirmed_number")
            ),
        ]

    def __str__(self) -> str:
        return gettext("number %(id)s: read %(number)s") % {
            "id": str(self.id)[:8], "number": self.number or gettext("(no digit)")}

    @property
    def is_confirmed(self) -> bool:
        return bool(self.confirmed_number)


class Job(models.Model):
    """A training, retraining, import or export run in a worker (django-tasks), as staff follow it.

    The Tasks API knows neither progress nor cancelling: the worker writes `progress` and `log` here, and
    checks `cancel_requested` (set by staff) between epochs and batches.
    """

    class Kind(models.TextChoices):
        TRAIN = "train", _("train from scratch")
        RETRAIN = "retrain", _("retrain from corrections")
        IMPORT = "import", _("import a dataset")
        EXPORT = "export", _("export confirmed drawings")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    TRAINING_KINDS = (Kind.TRAIN, Kind.RETRAIN)
    UNFINISHED = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    arguments = models.JSONField(default=dict, blank=True, help_text=_("The options the job was started with."))
    task_id = models.CharField(max_length=64, blank=True, help_text=_("The task's id in the queue backend."))
    created = models.DateTimeField(default=timezone.now, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    progress = models.JSONField(
        default=dict, blank=True, help_text=_("Stage, epoch, epochs, loss, seconds left: the latest the worker reported.")
    )
    log = models.TextField(blank=True, help_text=_("Everything the job printed."))
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True, help_text=_("What the job produced (counts, file, reason)."))
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs",
        help_text=_("The version the job registered, if any."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status not in self.UNFINISHED
