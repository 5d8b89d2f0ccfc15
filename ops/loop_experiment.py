"""The review loop, measured end to end on a scratch database: does `retrain` with its defaults learn a
new population of writers from staff corrections?

    .venv/bin/python -m ops.loop_experiment --population writers     (about 15 minutes on 2 cores)
    .venv/bin/python -m ops.loop_experiment --population tilted -- --epochs 4   (retrain's options after --)

1. Every drawing of the population is predicted by the shipped model through the prediction service.
2. Staff confirm the true labels of half of them (chosen by drawing id); the other half stays unseen.
3. `manage.py retrain` runs with its defaults (or the options given after `--`).
4. The new version and the shipped one are compared on the unseen half: mistakes fixed and made, and
   MNIST test accuracy.

Populations (none is ever used to train the shipped model):
- `writers`: the 1,797 digits of optdigits' 13 unseen writers as 16x16 black-and-white form scans;
- `tilted`: MNIST training digits drawn on a canvas tilted by ±45 degrees (a habit MNIST lacks).
Runs in a temporary VAR_DIR (its own SQLite database and model folder) unless VAR_DIR is set.
"""
import argparse
import hashlib
import os
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digitsite.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="digits-loop-"))

import django  # noqa: E402

from digitsite.quiet_tensorflow import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # it runs `retrain` in this process: the same quiet start as manage.py gives it
django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from ml.canvas import encode, stroke_mask, tilt, to_image  # noqa: E402
from ml.data import load_split  # noqa: E402
from ml.digit_sets import _form_scan_png  # noqa: E402
from ml.writers import load_writers  # noqa: E402
from recognizer import services  # noqa: E402
from recognizer.models import Drawing  # noqa: E402
from recognizer.selectors import model_version_get_active  # noqa: E402


def population(name: str, count: int) -> tuple[list[bytes], np.ndarray]:
    if name == "writers":
        images, labels = load_writers().unseen
        return [_form_scan_png(image) for image in images[:count]], labels[:count]
    images, labels = load_split(settings.MNIST_DIR, "train")
    images, labels = images[-count:], labels[-count:]  # the end of the training split, far from the tests' digits
    pngs = [encode(to_image(tilt(stroke_mask(image), 45 if i % 2 else -45))) for i, image in enumerate(images)]
    return pngs, labels


def confirmed_half(drawing_id) -> bool:
    return hashlib.sha256(f"loop:{drawing_id}".encode()).digest()[0] % 2 == 0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--population", choices=("writers", "tilted"), default="writers", help="whose drawings (default writers)")
    p.add_argument("--count", type=int, default=1797, help="drawings in the population (default 1797)")
    p.add_argument("retrain_options", nargs=argparse.REMAINDER,
                   help="after --: options for `manage.py retrain` instead of its defaults")
    options = p.parse_args()
    call_command("migrate", verbosity=0)
    call_command("register_shipped_model", verbosity=0)
    shipped = model_version_get_active()
    reviewer, _ = get_user_model().objects.get_or_create(username="loop-reviewer", defaults={"is_staff": True})
    pngs, labels = population(options.population, options.count)
    unseen = []
    for png, label in zip(pngs, labels):
        drawing = services.drawing_create(image=png, source=Drawing.Source.API)
        if confirmed_half(drawing.pk):
            services.drawing_confirm_label(drawing=drawing, label=int(label), user=reviewer)
        else:
            unseen.append((png, int(label), drawing.predicted_digit if drawing.is_digit is not False else 10))
    print(f"{options.population}: {len(pngs)} drawings, {len(pngs) - len(unseen)} confirmed by staff, {len(unseen)} unseen; "
          f"shipped model {shipped.name}; var dir {settings.VAR_DIR}")
    call_command("retrain", *[option for option in options.retrain_options if option != "--"])
    candidate = model_version_get_active()
    if candidate == shipped:
        print("the candidate was not promoted; nothing more to measure")
        return
    fixed = broken = before_wrong = 0
    for png, label, before in unseen:
        drawing = services.drawing_create(image=png, source=Drawing.Source.API)
        after = drawing.predicted_digit if drawing.is_digit is not False else 10
        before_wrong += before != label
        fixed += before != label and after == label
        broken += before == label and after != label
    mnist = candidate.report.retraining["comparison"]["mnist_test"]
    print(f"unseen half: the shipped model got {before_wrong} of {len(unseen)} wrong; {candidate.name} fixes {fixed} "
          f"({100 * fixed / max(before_wrong, 1):.1f}% of them) and breaks {broken}; MNIST test "
          f"{100 * mnist['active_accuracy']:.2f}% -> {100 * mnist['candidate_accuracy']:.2f}%")


if __name__ == "__main__":
    main()
