"""How long one "why" heatmap takes: `python -m ml.saliency_bench [N]` maps the first N MNIST test digits
(default 100) with the shipped model and prints the median and 90th percentile of the map and the PNG."""
import os
import sys
import time

import numpy as np

from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL, read_metrics
from ml.calibration import Calibration
from ml.data import load_split
from ml.predictor import Predictor
from ml.report import Report
from ml.saliency import explain, windows
from ml.saliency_image import overlay_png


def main(count: int = 100) -> None:
    serving = Report.from_dict(read_metrics(SHIPPED_DIR)).serving
    predictor = Predictor(SHIPPED_DIR / TFLITE_MODEL, calibration=Calibration.from_serving(serving))
    images, _ = load_split(os.environ.get("MNIST_DIR", "../shared/data/mnist"), "test")
    xs = images[:count].astype(np.float32) / 255.0
    explain(predictor, xs[0])  # the interpreter sizes its tensors for the batch once
    maps, pngs = [], []
    for x in xs:
        started = time.perf_counter()
        saliency = explain(predictor, x)
        mapped = time.perf_counter()
        overlay_png(x, saliency.heat)
        maps.append(mapped - started)
        pngs.append(time.perf_counter() - mapped)
    ms = lambda values, q: 1000 * float(np.percentile(values, q))  # noqa: E731
    print(f"{count} maps of {len(windows()) + 1} model inputs each, load average {os.getloadavg()[0]:.1f}:")
    print(f"  map {ms(maps, 50):.1f} ms median, {ms(maps, 90):.1f} ms p90; PNG {ms(pngs, 50):.1f} ms median")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
