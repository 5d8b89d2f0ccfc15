"""Measure an exported model the way the site uses it: LiteRT, through the serving preprocessing.

    python -m ml.evaluate [--model ml/artifacts/model.tflite] [--mnist-dir DIR] [--limit N] [--validation-sets]

Prints accuracy on the MNIST test set (raw and through the pipeline) and on canvas-style renderings
of the same labelled test digits, in the encodings browsers and apps send. With --validation-sets, also
on the digit validation sets that training reports (`ml.datasets.validation_sets`), for a model file
whose metrics.json does not hold them: an earlier version's, such as the first shipped model.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ml import canvas
from ml.artifacts import METRICS, SHIPPED_DIR, TFLITE_MODEL, read_metrics
from ml.calibration import DIGITS, Calibration
from ml.data import load_split, resolve_mnist_dir
from ml.predictor import ALL_CORES, Predictor
from ml.preprocess import preprocess, to_model_input

CANVAS_STYLES = {
    "canvas PNG, black on white": lambda d: canvas.canvas_png(d),
    "canvas PNG, black on transparent": lambda d: canvas.canvas_png(d, "black-on-transparent"),
    "canvas JPEG quality 40": lambda d: canvas.encode(canvas.to_image(canvas.stroke_mask(d)), "JPEG", quality=40),
    "thick brush": lambda d: canvas.encode(canvas.to_image(canvas.stroke_mask(d, thickness=1.8))),
    "thin brush": lambda d: canvas.encode(canvas.to_image(canvas.stroke_mask(d, thickness=0.6))),
    "small digit on a 800x600 canvas": lambda d: canvas.encode(
        canvas.to_image(canvas.place(canvas.stroke_mask(d, size=100), (600, 800), 420, 90))
    ),
}


def accuracy(predictor: Predictor, inputs: np.ndarray, labels: np.ndarray) -> float:
    return float((predictor.probabilities(inputs).argmax(1) == labels).mean())


def evaluate(predictor: Predictor, images: np.ndarray, labels: np.ndarray, styles=CANVAS_STYLES) -> dict[str, float]:
    results = {
        "MNIST test, raw 28x28": accuracy(predictor, images.astype(np.float32) / 255.0, labels),
        "MNIST test, through the pipeline": accuracy(predictor, np.stack([to_model_input(i) for i in images]), labels),
    }
    for name, render in styles.items():
        results[name] = accuracy(predictor, np.stack([preprocess(render(image)) for image in images]), labels)
    return results


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=str(SHIPPED_DIR / TFLITE_MODEL), help="the .tflite model to measure")
    p.add_argument("--mnist-dir", default=None, help="MNIST directory (default $MNIST_DIR)")
    p.add_argument("--limit", type=int, default=None,
                   help="measure on only the first N test digits (all 10,000 by default), and at most N of "
                        "each validation set")
    p.add_argument("--validation-sets", action="store_true",
                   help="also measure the digit validation sets training reports (MNIST validation, the unseen "
                        "writers' scans, postal_like, canvas_like, small_canvas), as argmax accuracy")
    options = p.parse_args(argv)
    directory = resolve_mnist_dir(options.mnist_dir)
    if directory is None:
        p.error("name the MNIST directory with --mnist-dir or $MNIST_DIR")
    images, labels = load_split(directory, "test")
    if options.limit:
        images, labels = images[: options.limit], labels[: options.limit]
    predictor = served_predictor(Path(options.model))
    print(f"{'input':<38} {'images':>7} {'accuracy':>9}")
    for name, value in evaluate(predictor, images, labels).items():
        print(f"{name:<38} {len(images):>7} {100 * value:>8.2f}%")
    if options.validation_sets:
        for name, (inputs, set_labels) in digit_validation_sets(directory, options.limit).items():
            print(f"{'validation: ' + name:<38} {len(inputs):>7} {100 * accuracy(predictor, inputs, set_labels):>8.2f}%")


def served_predictor(model: Path) -> Predictor:
    """The model file read as the site reads it: with the calibration of the metrics.json beside it, if
    there is one. Without one, a model with a "not a digit" output is still read as logits, so that the
    most likely digit is one of the ten, as the site answers it."""
    predictor = Predictor(model, num_threads=ALL_CORES)
    if (model.parent / METRICS).is_file():
        predictor.calibration = Calibration.from_serving(read_metrics(model.parent).get("serving"))
    elif predictor.output_size > DIGITS:
        predictor.calibration = Calibration(output="logits")
    return predictor


def digit_validation_sets(mnist_dir, limit: int | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The digit sets training measures every model on, built the same way (at most `limit` images each)."""
    from ml.data import load_mnist
    from ml.datasets import validation_sets
    from ml.quantization import model_inputs

    mnist = load_mnist(mnist_dir)
    return validation_sets(mnist, model_inputs(mnist.val_x[: limit or None]), size=limit).digits


if __name__ == "__main__":
    main()
