"""Measure number reading with the shipped model: `python -m ml.numbers.evaluate`.

Composes numbers of 2-8 digits from digits no model here trained on (see `ml.numbers.pool`), in every
layout on browser-like canvases and on scanned paper, plus scanned amounts with separators and an
underline; prints and writes exact-string accuracy per layout, style and group, for our reader and
for the naive baseline (cut at empty columns, read each piece as one digit); and how many drawings
that are not numbers (`ml.numbers.shapes`) are answered with no digits.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ml import artifacts
from ml.calibration import Calibration
from ml.numbers import shapes
from ml.numbers.lines import LineReader
from ml.numbers.measure import cases, score
from ml.numbers.pool import SPLITS, digit_pool
from ml.predictor import Predictor
from ml.report import Report

DEFAULT_OUTPUT = artifacts.SHIPPED_DIR / "numbers.json"
DEFAULT_LINE_MODEL = artifacts.SHIPPED_DIR / artifacts.LINE_MODEL


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=100, help="numbers per layout and per group (default 100)")
    p.add_argument("--seed", type=int, default=2026, help="seed of the composed numbers (default 2026)")
    p.add_argument("--pool", action="append", choices=SPLITS,
                   help="digits to compose from, repeatable (default: writers and validation; "
                        "'train' only to tune, the model has seen those digits)")
    p.add_argument("--model-dir", default=str(artifacts.SHIPPED_DIR), help="model version directory (default the shipped one)")
    p.add_argument("--mnist-dir", default=None, help="MNIST directory (default $MNIST_DIR or ../shared/data/mnist)")
    p.add_argument("--writers-dir", default=None, help="optdigits directory (default $WRITERS_DIR or ../shared/data/writers/optdigits)")
    p.add_argument("--output", default=str(DEFAULT_OUTPUT), help=f"JSON file to write (default {DEFAULT_OUTPUT})")
    p.add_argument("--line-model", default=str(DEFAULT_LINE_MODEL),
                   help=f"the line model that reads touching digits (default {DEFAULT_LINE_MODEL}; made by python -m ml.numbers.train_lines)")
    p.add_argument("--no-line-model", action="store_true", help="read with the digit model alone")
    p.add_argument("--no-baseline", action="store_true", help="skip the naive baseline (faster)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    options = parse(argv)
    model_dir = Path(options.model_dir)
    serving = Report.from_dict(artifacts.read_metrics(model_dir)).serving
    predictor = Predictor(model_dir / artifacts.TFLITE_MODEL, calibration=Calibration.from_serving(serving))
    lines = None if options.no_line_model else LineReader(options.line_model)
    given = sys.argv[1:] if argv is None else argv
    results = {"command": " ".join(["python -m ml.numbers.evaluate", *given]), "count": options.count,
               "seed": options.seed, "model": str(model_dir / artifacts.TFLITE_MODEL),
               "line_model": None if lines is None else str(options.line_model), "pools": {}}
    for name in options.pool or ["writers", "validation"]:
        pool = digit_pool(name, mnist_dir=options.mnist_dir, writers_dir=options.writers_dir)
        result = score(cases(pool, options.count, options.seed), predictor, baseline=not options.no_baseline, lines=lines)
        results["pools"][name] = result
        _print(name, result)
    results["shapes"] = shapes.measure(predictor, lines)
    print(f"\nShapes that are not numbers: {results['shapes']['no_digits']} of {results['shapes']['count']} "
          "answered with no digits")
    Path(options.output).write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {options.output}")
    return results


def _print(name: str, result: dict) -> None:
    print(f"\nNumbers from the '{name}' digits: {result['cases']} numbers in {result['seconds']} s")
    print(f"  {'set':<28} {'count':>6} {'exact':>8} {'naive':>8}")
    for key, row in result["accuracy"].items():
        naive = f"{row['naive_exact']:>8.1%}" if "naive_exact" in row else ""
        print(f"  {key:<28} {row['count']:>6} {row['exact']:>8.1%} {naive}")


if __name__ == "__main__":
    main()
