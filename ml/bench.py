"""Benchmarks of serving, measured side by side in one run on the shipped model (`make bench`).

Sections (all by default; `--only serving,keepalive` picks some; `--help` lists the options):

- model: latency of one image through Keras `model.predict` (the seed's way of serving), Keras `model(x)`
  and the LiteRT predictor; preprocessing of a 280x280 canvas PNG. Ratios: against LiteRT.
- numbers: an 8-digit number (spaced, tight, touching) read whole in one process against one digit read
  the same way, the calls taken in turn.
- batch: throughput of 256 images per call, LiteRT against Keras.
- process: start-up time and peak memory of a predictor-only process against one importing TensorFlow.
- serving: `make serve-prod` (gunicorn, 2 workers, every drawing stored) against the floor app
  (ops/bench_floor.py: decode, shrink, the same LiteRT model, nothing stored) under the same gunicorn
  settings, requests alternating between them: p50 and p95, and ratios against the floor; then the
  memory of their processes, and of a gunicorn without preloading (as serve-prod ran before); last, the
  same 8-digit numbers as the numbers section against one digit, both stored by serve-prod over HTTP.
- startup: from starting `ops.serve_prod` to its first stored prediction, fresh install and restarts.
- keepalive: `make run`'s web server (ops/dev_server.py) and Django's own runserver, a kept-alive
  connection against a new connection per request (ratio: against the new connection).
- stages: where a stored prediction's time goes, step by step, in one process (ops/bench_stages.py).
- int8: the int8 export (`python -m ml.export --quantize int8`) against the shipped float model: every
  accuracy and calibration figure of metrics.json, the gate, and latency (ratio: against float).

Every ratio is against a baseline measured in the same run: on a shared machine, absolute times move
with the load; ratios measured in one run are what count.
"""
from __future__ import annotations

import argparse
import functools
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
from ml.numbers.lines import LineReader
from ml.numbers.measure import Case, example
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
    return interleaved_median_ms({"call": call}, repeats)["call"]


def probe_process(body: str) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", PROBE.format(body=body)], capture_output=True, text=True,
                         check=True, env=env, cwd=Path(__file__).resolve().parents[1])
    return json.loads(out.stdout.strip().splitlines()[-1])


def row(name: str, value: float, unit: str, baseline: float | None = None) -> str:
    ratio = f"{value / baseline:>9.1f}x" if baseline else ""
    return f"  {name:<42} {value:>10.3f} {unit:<9}{ratio}"


def bench_numbers(model_dir: Path, png: bytes, repeats: int) -> None:
    """An 8-digit number read whole (`ml.numbers.read_number`, with the shipped line model, as served),
    against one digit read the same way (decode, preprocess, predict); both with the version's
    calibration, their calls taken in turn so that a change in the machine's speed touches both alike.
    The issue's target: at most 3x the single-digit p50."""
    serving = Report.from_dict(artifacts.read_metrics(model_dir)).serving
    predictor = Predictor(model_dir / artifacts.TFLITE_MODEL, calibration=Calibration.from_serving(serving))
    line_path = artifacts.SHIPPED_DIR / artifacts.LINE_MODEL
    lines = LineReader(line_path) if line_path.is_file() else None
    examples = number_examples()
    calls = {"one digit": lambda: predictor.predict(preprocess(png)),
             **{layout: functools.partial(read_number, case.data, predictor, lines=lines) for layout, case in examples.items()}}
    medians = interleaved_median_ms(calls, repeats)
    single = medians["one digit"]
    print(f"\nWhole numbers, median of {repeats} calls each, in turn (ratio: times the single digit's p50)")
    print(row("one digit: preprocess + predict (p50)", single, "ms", single))
    for layout, case in examples.items():
        read = read_number(case.data, predictor, lines=lines).number
        print(row(f"8-digit number, {layout} (read {read == case.text})", medians[layout], "ms", single))


def interleaved_median_ms(calls: dict, repeats: int) -> dict[str, float]:
    """The median time of each call, the calls taken in turn `repeats` times (after one warm-up each)."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        call()
    for _ in range(repeats):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
    return {name: 1000 * statistics.median(values) for name, values in times.items()}


@functools.cache
def number_examples() -> dict[str, Case]:
    """The 8-digit numbers both number benchmarks read: one per layout, digits of the validation pool
    (composed once: loading the pool takes seconds)."""
    pool = digit_pool("validation")
    return {layout: example(pool, layout, digits=8, seed=1) for layout in ("spaced", "tight", "touching")}


SECTIONS = ("model", "numbers", "batch", "process", "serving", "startup", "keepalive", "stages", "int8")
NEEDS_KERAS = {"model", "batch", "int8"}


def bench_model(model, predictor: Predictor, one: np.ndarray, png: bytes, repeats: int) -> None:
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


def bench_batch(model, predictor: Predictor, batch: np.ndarray) -> None:
    print("\nBatch throughput, 256 images per call (ratio: times the LiteRT throughput)")
    lite_batch = 256 / (median_ms(lambda: predictor.predict_batch(batch), 20) / 1000)
    keras_batch = 256 / (median_ms(lambda: model.predict(batch[..., None], batch_size=256, verbose=0), 20) / 1000)
    print(row("LiteRT Predictor.predict_batch", lite_batch, "images/s", lite_batch))
    print(row("Keras model.predict", keras_batch, "images/s", lite_batch))


def bench_process(model_dir: Path) -> None:
    print("\nA fresh process: import, load the model, predict once (ratio: times the LiteRT process)")
    results = {name: probe_process(body.format(dir=model_dir)) for name, body in PROCESS_PROBES.items()}
    base = results["LiteRT predictor process"]
    for name, result in results.items():
        print(row(f"{name}: start-up", result["seconds"], "s", base["seconds"]))
        print(row(f"{name}: peak memory", result["peak_rss_mb"], "MB", base["peak_rss_mb"]))


def bench_serving(bodies: list[bytes], rounds: int) -> None:
    from ops import bench_serving
    from ops.traffic import page_body

    numbers = {f"8-digit number, {layout}": page_body(case.data) for layout, case in number_examples().items()}
    result = bench_serving.bench_serve_prod(bodies, rounds, numbers=numbers)
    latency, floor = result["latency"], result["latency"]["floor"]
    print(f"\nServing over HTTP: {rounds} predictions each, alternating, one at a time, a new connection each, "
          f"{result['workers']} gunicorn workers (ratio: times the floor)")
    for name, label in (("serve-prod", "serve-prod (stored)"), ("floor", "floor app (nothing stored)")):
        print(row(f"{label}: p50", latency[name].p50, "ms", floor.p50))
        print(row(f"{label}: p95", latency[name].p95, "ms", floor.p95))
    print("\nMemory after those requests, MB (RSS counts shared pages in full; PSS splits them between sharers)")
    for server, processes in result["memory"].items():
        for process, figures in processes.items():
            print(f"  {server + ', ' + process:<56} RSS {figures['rss']:>6.1f}  PSS {figures['pss']:>6.1f}  "
                  f"private {figures['uss']:>6.1f}")
    workers = [f["rss"] for p, f in result["memory"]["serve-prod"].items() if p.startswith("worker")]
    print(f"  largest serve-prod worker RSS: {max(workers):.1f} MB (target: at most 120 MB)")
    single = result["numbers"]["one digit"].p50
    print(f"\nWhole numbers over HTTP on serve-prod, stored, {len(result['numbers']['one digit'].values)} of each, "
          "alternating, a new connection each (ratio: times the stored single digit's p50; target: at most 3x)")
    for name, latency in result["numbers"].items():
        print(row(f"{name}: p50", latency.p50, "ms", single))


def bench_startup(body: bytes, restarts: int) -> None:
    from ops import bench_serving

    times = bench_serving.bench_startup(body, restarts)
    print("\nFrom starting `python -m ops.serve_prod` to its first stored prediction (target: at most 3 s)")
    for name, seconds in times.items():
        print(row(name, seconds, "s"))


def bench_keep_alive(bodies: list[bytes], rounds: int) -> None:
    from ops import bench_serving

    results = bench_serving.bench_keep_alive(bodies, rounds)
    print(f"\nDevelopment server, {rounds} predictions per kind, alternating (ratio: times the same server's "
          "new-connection p50; target for make run: at most 1.5x)")
    for server, latencies in results.items():
        new = latencies["new connection"].p50
        for kind, latency in latencies.items():
            print(row(f"{server}: {kind} p50", latency.p50, "ms", new))


def bench_stages(repeats: int) -> None:
    from ops import bench_serving, bench_stages as stages

    print(f"\nWhere a stored prediction's time goes, one process, serve-prod's settings ({repeats} rounds; "
          "share and ratios: of the stored request's CPU time)")
    stages.print_table(bench_serving.stages(repeats))


def bench_int8(model_dir: Path, mnist_dir: Path, repeats: int) -> None:
    import tempfile

    from ml import quantization
    from ml.data import load_mnist
    from ml.export import quantize_version

    with tempfile.TemporaryDirectory(prefix="digits-bench-int8-") as tmp:
        path = Path(tmp) / "model_int8.tflite"
        result = quantize_version(model_dir, path, "int8", load_mnist(mnist_dir), log=lambda _: None)
        calibration = Calibration.from_serving(Report.from_dict(artifacts.read_metrics(model_dir)).serving)
        inputs = quantization.model_inputs(load_split(mnist_dir, "test")[0][:256])
        predictors = {"float": Predictor(model_dir / artifacts.TFLITE_MODEL, calibration=calibration),
                      "int8": Predictor(path, calibration=calibration)}
        single = {name: median_ms(lambda p=p: p.predict(inputs[0]), repeats) for name, p in predictors.items()}
        batch = {name: 256 / (median_ms(lambda p=p: p.predict_batch(inputs), 20) / 1000) for name, p in predictors.items()}
    print("\nint8 export (python -m ml.export --quantize int8) against the shipped float model: every figure of "
          "metrics.json, through LiteRT with the version's calibration (* moved more than the gate allows)")
    print(quantization.table(result["rows"]))
    verdict = "passes: int8 may be shipped" if result["passed"] else "fails: the float model stays the served one"
    print(f"  gate (every accuracy and calibration error within {quantization.GATE_POINTS} point): {verdict}")
    print(f"\nint8 latency (ratio: times the float model)")
    for name in predictors:
        print(row(f"{name}: one image, Predictor.predict", single[name], "ms", single["float"]))
    for name in predictors:
        print(row(f"{name}: batch of 256", batch[name], "images/s", batch["float"]))
    print(row("int8: file size", result["sizes"]["quantized"] / 1024, "KB", result["sizes"]["float"] / 1024))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default=",".join(SECTIONS),
                   help=f"comma-separated sections to run, of: {', '.join(SECTIONS)} (default: all)")
    p.add_argument("--model-dir", default=str(artifacts.SHIPPED_DIR), help="directory with model.keras and model.tflite")
    p.add_argument("--mnist-dir", default=None, help="MNIST directory (default $MNIST_DIR)")
    p.add_argument("--repeats", type=int, default=200, help="timed calls per in-process latency figure (median reported)")
    p.add_argument("--rounds", type=int, default=400, help="requests to each server in the serving section")
    p.add_argument("--keepalive-rounds", type=int, default=60, help="requests of each kind in the keepalive section")
    p.add_argument("--restarts", type=int, default=2, help="restarts timed in the startup section")
    options = p.parse_args(argv)
    options.sections = [name.strip() for name in options.only.split(",") if name.strip()]
    unknown = sorted(set(options.sections) - set(SECTIONS))
    if unknown:
        p.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    options.mnist_dir = resolve_mnist_dir(options.mnist_dir)
    if options.mnist_dir is None:
        p.error("name the MNIST directory with --mnist-dir or $MNIST_DIR")
    return options


def main(argv: list[str] | None = None) -> None:
    options = parse_args(argv)
    sections, model_dir, repeats = options.sections, Path(options.model_dir), options.repeats
    images, _ = load_split(options.mnist_dir, "test")
    one = to_model_input(images[0])
    png = canvas.canvas_png(images[0])
    predictor = Predictor(model_dir / artifacts.TFLITE_MODEL)
    model = None
    if NEEDS_KERAS & set(sections):
        from digitsite.quiet_tensorflow import quiet_tensorflow

        quiet_tensorflow()  # no absl start-up chatter
        import keras  # only the benchmark's baselines and the int8 conversion need it

        model = keras.models.load_model(model_dir / artifacts.KERAS_MODEL)
    if {"serving", "startup", "keepalive"} & set(sections):
        from ops.traffic import page_body

        bodies = [page_body(canvas.canvas_png(image)) for image in images[:50]]
    for section in SECTIONS:
        if section not in sections:
            continue
        if section == "model":
            bench_model(model, predictor, one, png, repeats)
        elif section == "numbers":
            bench_numbers(model_dir, png, repeats)
        elif section == "batch":
            bench_batch(model, predictor, np.stack([to_model_input(image) for image in images[:256]]))
        elif section == "process":
            bench_process(model_dir)
        elif section == "serving":
            bench_serving(bodies, options.rounds)
        elif section == "startup":
            bench_startup(bodies[0], options.restarts)
        elif section == "keepalive":
            bench_keep_alive(bodies, options.keepalive_rounds)
        elif section == "stages":
            bench_stages(repeats)
        elif section == "int8":
            bench_int8(model_dir, options.mnist_dir, repeats)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
