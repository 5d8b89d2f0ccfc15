"""Imported examples → confirmed drawings, predicted by the active model and stored in one transaction.

Imported drawings are not counted in the prediction metrics (they are no live traffic), but they are
confirmed drawings, so retraining and `train --dataset` learn from them like from reviewed ones.
"""
import re
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from recognizer.datasets.archive import DatasetError
from recognizer.datasets.importers import NOT_A_DIGIT, Dataset, Example, read_dataset
from recognizer.datasets.limits import Limits
from recognizer.models import Drawing, ModelVersion
from recognizer.predictors import predictor_for
from recognizer.selectors import model_version_get_serving
from recognizer.services import drawing_build

BATCH = 256  # images per model call and per INSERT
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class ImportResult:
    name: str
    format: str
    digits: int
    not_digits: int
    ignored: int  # files in the archive that labels.csv does not list
    stored: bool  # False for a dry run

    @property
    def count(self) -> int:
        return self.digits + self.not_digits

    def summary(self) -> str:
        verb = "would import" if not self.stored else "imported"
        ignored = f"; {self.ignored} unlisted file(s) ignored" if self.ignored else ""
        return (f"{verb} {self.count:,} drawing(s) into dataset {self.name!r} from a {self.format} archive "
                f"({self.digits:,} digits, {self.not_digits:,} not a digit{ignored})")


def check_dataset_name(name: str, *, append: bool) -> None:
    """A short plain name; an existing one only when appending (so two imports never mix by accident)."""
    if not NAME.match(name or ""):
        raise DatasetError(
            f"dataset name {name!r}: use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    if not append and Drawing.objects.filter(dataset=name).exists():
        raise DatasetError(f"a dataset named {name!r} already exists; choose another name or append to it")


def dataset_import(*, file, name: str, fmt: str = "auto", append: bool = False, dry_run: bool = False,
                   user=None, limits: Limits | None = None, progress=None) -> ImportResult:
    """Reads and checks the whole archive, then stores every example or none (DatasetError otherwise).

    `progress(done, total)` is called after each stored batch (a background job reports and may stop
    there: whatever it raises rolls the whole import back)."""
    check_dataset_name(name, append=append)
    dataset = read_dataset(file, fmt, limits)
    if not dry_run:
        _store(dataset.examples, name, user, progress or (lambda done, total: None))
    return _result(name, dataset, stored=not dry_run)


def _result(name: str, dataset: Dataset, *, stored: bool) -> ImportResult:
    not_digits = sum(example.label == NOT_A_DIGIT for example in dataset.examples)
    return ImportResult(name, dataset.format, len(dataset.examples) - not_digits, not_digits, dataset.ignored, stored)


def _store(examples: list[Example], name: str, user, progress) -> None:
    version = model_version_get_serving()
    predictor = predictor_for(version)
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(examples), BATCH):
            chunk = examples[start:start + BATCH]
            predictions = predictor.predict_batch(np.stack([example.x for example in chunk]))
            Drawing.objects.bulk_create(
                [_drawing(example, prediction, version, name, user, now) for example, prediction in zip(chunk, predictions)]
            )
            progress(start + len(chunk), len(examples))


def _drawing(example: Example, prediction, version: ModelVersion, name: str, user, now) -> Drawing:
    drawing = drawing_build(example.image, example.x, prediction, version, Drawing.Source.DATASET)
    drawing.dataset = name
    drawing.confirmed_not_a_digit = example.label == NOT_A_DIGIT
    drawing.confirmed_label = None if drawing.confirmed_not_a_digit else example.label
    drawing.confirmed_by = user
    drawing.confirmed_at = now
    return drawing
