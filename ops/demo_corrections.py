"""Simulate the review loop's input: people draw tilted digits, staff confirm what they really are.

    VAR_DIR=/tmp/digits-demo .venv/bin/python -m ops.demo_corrections --count 400 --tilt 45

Draws MNIST *training* digits (never the test set) on a 280x280 canvas tilted by ±`--tilt` degrees
(plus a share of upright ones), sends each through the same service the API uses, and confirms its
true label as a staff user named "demo-reviewer". Then `manage.py retrain` has corrections to learn
from. Use a scratch VAR_DIR or DATABASE_URL: this writes real rows.
"""
import argparse
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digitsite.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402

from ml.canvas import encode, stroke_mask, tilt, to_image  # noqa: E402
from ml.data import load_split  # noqa: E402
from recognizer import services  # noqa: E402
from recognizer.models import Drawing  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=400, help="drawings to create and confirm (default 400)")
    p.add_argument("--tilt", type=float, default=45, help="degrees the tilted drawings lean, alternating sides")
    p.add_argument("--upright-share", type=float, default=0.2, help="share of drawings drawn upright (default 0.2)")
    p.add_argument("--offset", type=int, default=0, help="first MNIST training image to use (default 0)")
    options = p.parse_args()
    images, labels = load_split(settings.MNIST_DIR, "train")
    reviewer, _ = get_user_model().objects.get_or_create(username="demo-reviewer", defaults={"is_staff": True})
    upright = int(options.count * options.upright_share)
    wrong = 0
    for n, i in enumerate(range(options.offset, options.offset + options.count)):
        mask = stroke_mask(images[i])
        if n >= upright:
            mask = tilt(mask, options.tilt if n % 2 else -options.tilt)
        drawing = services.drawing_create(image=encode(to_image(mask)), source=Drawing.Source.PAGE)
        services.drawing_confirm_label(drawing=drawing, label=int(labels[i]), user=reviewer)
        wrong += drawing.predicted_digit != labels[i]
    print(f"stored and confirmed {options.count} drawings ({options.count - upright} tilted by ±{options.tilt:g}°); "
          f"the active model misread {wrong} of them")


if __name__ == "__main__":
    main()
