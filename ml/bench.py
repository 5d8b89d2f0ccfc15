"""Benchmarks of serving, measured side by side in one run on the shipped model (`make bench`).

Latency of one image through Keras `model.predict` (the seed's way of serving), Keras `model(x)` and
the LiteRT predictor; preprocessing of a 280x280 canvas PNG; batch throughput; and the start-up time
and peak memory of a predictor-only process against one that imports TensorFlow. Ratios are against
the LiteRT predictor measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from ml import artifacts, canvas
from ml.calibration import Calibration
from ml.data import load_split, resolve_mnist_dir
from ml.numbers.measure import example
from ml.numbers.pool import digit_pool
from ml.numbers.reading import read_number
from ml.predictor import Predictor
from ml.preprocess import preprocess, to_model_input
from ml.report import Report

PROCESS_PROBES = {
    "LiteRT predictor process": (
        "from ml.predictor import Predictor; p = Predictor('{dir}/model.tflite'); p.predict(x)"
    ),
    "TensorFlow/Keras process": (
        "import keras; m = keras.models.load_model('{dir}/model.keras'); m.predict(x[None, ..., None], verbose=0)"
    ),
}
# Peak memory is VmHWM of the probe's own address space: unlike ru_maxrss, Linux does not carry it
# over from the (large, TensorFlow-loaded) benchmark process that forked the probe.
PROBE = """
import json, time
started = time.perf_counter()
import numpy as np
x = np.zeros((28, 28), dtype=np.float32)
{body}
seconds = time.perf_counter() - started
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({{"seconds": seconds, "peak_rss_mb": peak_kb / 1024}}))
"""


def median_ms(call, repeats: int) -> float:
    call()  # warm up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def probe_process(body: str) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", PROBE.format(body=body)], capture_output=True, text=True,
                         check=True, env=env, cwd=Path(__file__).resolve().parents[1])
    return json.loads(out.stdout.strip().splitlines()[-1])


def row(name: str, value: float, unit: str, baseline: float | None = None) -> str:
    ratio = f"{value / baseline:>9.1f}x" if baseline else ""
    return f"  {name:<42} {value:>10.3f} {unit:<9}{ratio}"


def bench_numbers(model_dir: Path, png: bytes, repeats: int) -> None:
    """An 8-digit number read whole (`ml.numbers.read_number`), against one digit read the same way
    (decode, preprocess, predict) in the same run; both with the version's calibration, as served.
    The issue's target: at most 3x the single-digit p50."""
    serving = Report.from_dict(artifacts.read_metrics(model_dir)).serving
    predictor = Predictor(model_dir / artifacts.TFLITE_MODEL, calibration=Calibration.from_serving(serving))
    single = median_ms(lambda: predictor.predict(preprocess(png)), repeats)
    print("\nWhole numbers, median of calls (ratio: times the single-digit p50 just above it)")
    print(row("one digit: preprocess + predict (p50)", single, "ms", single))
    pool = digit_pool("validation")
    for layout in ("spaced", "tight", "touching"):
        case = example(pool, layout, digits=8, seed=1)
        read = read_number(case.data, predictor).number
        ms = median_ms(lambda: read_number(case.data, predictor), max(20, repeats // 4))
        print(row(f"8-digit number, {layout} (read {read == case.text})", ms, "ms", single))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-dir", default=str(artifacts.SHIPPED_DIR), help="directory with model.keras and model.tflite")
    p.add_argument("--mnist-dir", default=None, help="MNIST directory (default $MNIST_DIR)")
    p.add_argument("--repeats", type=int, default=200, help="timed calls per latency figure (median reported)")
    options = p.parse_args(argv)
    model_dir = Path(options.model_dir)
    images, _ = load_split(resolve_mnist_dir(options.mnist_dir), "test")
    one = to_model_input(images[0])
    batch = np.stack([to_model_input(image) for image in images[:256]])
    png = canvas.canvas_png(images[0])

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras  # only the benchmark's baseline needs it

    model = keras.models.load_model(model_dir / artifacts.KERAS_MODEL)
    predictor = Predictor(model_dir / artifacts.TFLITE_MODEL)
    repeats = options.repeats

    print(f"Single image, median of {repeats} calls (ratio: times slower than LiteRT)")
    lite = median_ms(lambda: predictor.predict(one), repeats)
    keras_call = median_ms(lambda: model(one[None, ..., None], training=False), repeats)
    keras_predict = median_ms(lambda: model.predict(one[None, ..., None], verbose=0), max(20, repeats // 5))
    print(row("LiteRT Predictor.predict", lite, "ms", lite))
    print(row("Keras model(x)", keras_call, "ms", lite))
    print(row("Keras model.predict(x) (the seed's way)", keras_predict, "ms", lite))

    print("\nPreprocessing and a whole request's model work")
    prep = median_ms(lambda: preprocess(png), repeats)
    print(row("preprocess a 280x280 canvas PNG", prep, "ms"))
    print(row("preprocess + LiteRT predict", median_ms(lambda: predictor.predict(preprocess(png)), repeats), "ms"))

    bench_numbers(model_dir, png, repeats)

    print("\nBatch throughput, 256 images per call (ratio: times the LiteRT throughput)")
    lite_batch = 256 / (median_ms(lambda: predictor.predict_batch(batch), 20) / 1000)
    keras_batch = 256 / (median_ms(lambda: model.predict(batch[..., None], batch_size=256, verbose=0), 20) / 1000)
    print(row("LiteRT Predictor.predict_batch", lite_batch, "images/s", lite_batch))
    print(row("Keras model.predict", keras_batch, "images/s", lite_batch))

    print("\nA fresh process: import, load the model, predict once (ratio: times the LiteRT process)")
    results = {name: probe_process(body.format(dir=model_dir)) for name, body in PROCESS_PROBES.items()}
    base = results["LiteRT predictor process"]
    for name, result in results.items():
        print(row(f"{name}: start-up", result["seconds"], "s", base["seconds"]))
        print(row(f"{name}: peak memory", result["peak_rss_mb"], "MB", base["peak_rss_mb"]))


if __name__ == "__main__":
    main()
