"""Export a Keras model to `.tflite` for LiteRT serving, and prove the export is faithful.

What is exported is the network's logits (`ml.model.logits_model`): serving applies the temperature and
the softmax itself (`ml.calibration`), so one exported file serves whatever calibration a version records.

As a command, it makes a quantized export of a version's model.keras and measures it against the float
export on every figure of the version's metrics.json (`ml.quantization`):

    python -m ml.export --quantize int8 [--model-dir ml/artifacts] [--output PATH] [--figures PATH.json]

"int8" is full-integer quantization (int8 weights and activations, their ranges from MNIST training digits
through the serving pipeline, float input and output so the predictor is unchanged); "dynamic" is int8
weights only. It prints every figure side by side and whether the quantized file passes the gate (every
accuracy and calibration error within 0.1 point). It never replaces a version's model.tflite.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ml.predictor import ALL_CORES, Predictor

QUANTIZATIONS = ("int8", "dynamic")
REPRESENTATIVE = 1000  # MNIST training digits that set the int8 ranges


def export_tflite(model, path: Path, *, quantize: str | None = None, representative: np.ndarray | None = None) -> Path:
    """The logits with a dynamic batch dimension: float32 by default (answers match Keras), or quantized
    (`quantize` "int8" needs `representative`, model inputs (N, 28, 28), to measure activation ranges)."""
    from ml.model import logits_model

    logits_model(model).export(str(path), format="litert", verbose=False, **_converter_options(quantize, representative))
    return Path(path)


def _converter_options(quantize: str | None, representative: np.ndarray | None) -> dict:
    """tf.lite.TFLiteConverter attributes, which Keras's LiteRT export sets on its converter."""
    if quantize is None:
        return {}
    if quantize not in QUANTIZATIONS:
        raise ValueError(f"quantize must be one of {QUANTIZATIONS}, not {quantize!r}")
    import tensorflow as tf

    options = {"optimizations": [tf.lite.Optimize.DEFAULT]}
    if quantize == "int8":
        if representative is None or not len(representative):
            raise ValueError("int8 quantization needs representative model inputs")
        samples = np.asarray(representative, dtype=np.float32)
        options.update(
            representative_dataset=lambda: ([sample[None, ..., None]] for sample in samples),
            target_spec={"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]},
            inference_input_type=tf.float32,
            inference_output_type=tf.float32,
        )
    return options


def check_export(model, tflite_path: Path, images: np.ndarray, batch_size: int = 500) -> dict:
    """Compare Keras and LiteRT on `images` (N, 28, 28): label agreement and the largest logit gap."""
    from ml.model import logits_model

    keras_logits = logits_model(model).predict(images[..., None], batch_size=batch_size, verbose=0)
    lite_logits = Predictor(tflite_path, num_threads=ALL_CORES).raw(images)
    return {
        "images": int(len(images)),
        "label_agreement": float((keras_logits.argmax(1) == lite_logits.argmax(1)).mean()),
        "max_logit_difference": float(np.abs(keras_logits - lite_logits).max()),
    }


def quantize_version(model_dir: Path, output: Path, quantize: str, mnist, *, representative: int = REPRESENTATIVE,
                     log=print) -> dict:
    """Export `model_dir`'s model.keras quantized to `output` and measure it against the version's float
    model.tflite on every figure. Returns {"float": figures, "quantized": figures, "rows", "passed",
    "export_check", "sizes", "seconds"}."""
    import keras

    from ml import artifacts, quantization
    from ml.calibration import Calibration
    from ml.report import Report

    started = time.monotonic()
    model = keras.models.load_model(model_dir / artifacts.KERAS_MODEL)
    calibration = Calibration.from_serving(Report.from_dict(artifacts.read_metrics(model_dir)).serving)
    samples = quantization.model_inputs(mnist.train_x[:representative])
    export_tflite(model, output, quantize=quantize, representative=samples)
    log(f"exported {quantize} to {output} ({output.stat().st_size:,} bytes) in {time.monotonic() - started:.0f} s")
    data = quantization.EvaluationData.build(mnist)
    float_figures = quantization.measure(model_dir / artifacts.TFLITE_MODEL, calibration, data)
    quantized_figures = quantization.measure(output, calibration, data)
    rows = quantization.compare(float_figures, quantized_figures)
    passed, _ = quantization.gate(rows)
    return {
        "quantize": quantize,
        "float": float_figures,
        "quantized": quantized_figures,
        "rows": rows,
        "passed": passed,
        "export_check": check_export(model, output, data.test[0]),
        "sizes": {"float": (model_dir / artifacts.TFLITE_MODEL).stat().st_size, "quantized": output.stat().st_size},
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    from digitsite.quiet_tensorflow import quiet_tensorflow

    quiet_tensorflow()  # no absl start-up chatter
    from ml import artifacts, quantization
    from ml.data import load_mnist, resolve_mnist_dir

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quantize", choices=QUANTIZATIONS, required=True, help="int8: weights and activations; "
                        "dynamic: weights only")
    parser.add_argument("--model-dir", type=Path, default=artifacts.SHIPPED_DIR,
                        help="a version directory with model.keras, model.tflite and metrics.json")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the quantized .tflite (default: a temporary file, removed)")
    parser.add_argument("--representative", type=int, default=REPRESENTATIVE,
                        help="MNIST training digits that set the int8 activation ranges")
    parser.add_argument("--figures", type=Path, default=None, help="also write every figure to this JSON file")
    parser.add_argument("--mnist-dir", default=None, help="MNIST directory (default $MNIST_DIR)")
    options = parser.parse_args(argv)
    directory = resolve_mnist_dir(options.mnist_dir)
    if directory is None:
        parser.error("name the MNIST directory with --mnist-dir or $MNIST_DIR")
    with tempfile.TemporaryDirectory(prefix="digits-quantize-") as tmp:
        output = options.output or Path(tmp) / f"model_{options.quantize}.tflite"
        result = quantize_version(options.model_dir, output, options.quantize, load_mnist(directory),
                                  representative=options.representative)
    print(quantization.table(result["rows"]))
    check = result["export_check"]
    print(f"agreement with Keras on MNIST test: {100 * check['label_agreement']:.2f}% of labels, largest logit "
          f"gap {check['max_logit_difference']:.3f}; size {result['sizes']['quantized']:,} bytes against "
          f"{result['sizes']['float']:,} (float)")
    verdict = "passes" if result["passed"] else "fails"
    print(f"gate: every accuracy and calibration error within {quantization.GATE_POINTS} point: {verdict}")
    if options.figures:
        rows = [{"set": r.evaluation, "figure": r.figure, "float": r.float_value, "quantized": r.quantized_value,
                 "points": r.points, "gated": r.gated} for r in result["rows"]]
        figures = {key: value for key, value in result.items() if key != "rows"}
        options.figures.write_text(json.dumps({**figures, "rows": rows, "command": " ".join(sys.argv)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
