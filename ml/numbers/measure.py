"""Exact-string accuracy of number reading on composed numbers, by layout and style, with the baseline.

A case is one composed number (`ml.numbers.synthesis`) rendered in one style (`ml.numbers.paper`) as
image bytes; it is read right only if the whole digit string is right. Used by `ml.numbers.evaluate`.
Never imports TensorFlow.
"""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ml.numbers.baseline import naive_read
from ml.numbers.lines import LineReader
from ml.numbers.paper import render
from ml.numbers.pool import DigitPool
from ml.numbers.reading import read_number
from ml.numbers.synthesis import LAYOUTS, compose
from ml.predictor import Predictor
from ml.preprocess import DrawingError

CANVAS_STYLES = ("canvas", "transparent", "inverted")
AMOUNTS = "scan_amounts"  # separators and underline, on scanned paper


@dataclass(frozen=True)
class Case:
    text: str
    data: bytes
    layout: str
    style: str
    group: str  # "canvas" (browser-like), "scan" or AMOUNTS


def cases(pool: DigitPool, count: int, seed: int) -> list[Case]:
    """`count` numbers per layout on browser-like canvases (styles in turn), `count` per layout on
    scanned paper, and `count` scanned amounts (separators, underline, stray dots)."""
    rng = np.random.default_rng(seed)
    out = []
    for layout in LAYOUTS:
        for k in range(count):
            out.append(_case(pool, rng, layout, CANVAS_STYLES[k % len(CANVAS_STYLES)], "canvas"))
        for _ in range(count):
            out.append(_case(pool, rng, layout, "scan", "scan"))
    out += [_case(pool, rng, "marks", "scan", AMOUNTS) for _ in range(count)]
    return out


def example(pool: DigitPool, layout: str, *, digits: int = 8, seed: int = 0, style: str = "canvas") -> Case:
    """One number of `digits` digits in `layout` (for benchmarks and demonstrations)."""
    rng = np.random.default_rng(seed)
    number = compose(pool, rng, layout, digits=digits)
    return Case(number.text, render(number.mask, style, rng, height=number.height), layout, style, "example")


def _case(pool: DigitPool, rng: np.random.Generator, layout: str, style: str, group: str) -> Case:
    number = compose(pool, rng, layout)
    return Case(number.text, render(number.mask, style, rng, height=number.height), layout, style, group)


def read(case: Case, predictor: Predictor, lines: LineReader | None = None) -> str:
    try:
        return read_number(case.data, predictor, lines=lines).number
    except DrawingError:
        return ""


def score(all_cases: list[Case], predictor: Predictor, *, baseline: bool = True, lines: LineReader | None = None) -> dict:
    """Accuracy per layout (canvas), per style, per group, touching, overall canvas; and timings."""
    tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # key → right, naive right, total
    started = time.perf_counter()
    misses = []
    for case in all_cases:
        answer = read(case, predictor, lines)
        right = answer == case.text
        naive = baseline and naive_read(case.data, predictor) == case.text
        if not right and len(misses) < 20:
            misses.append({"text": case.text, "layout": case.layout, "style": case.style, "read": answer})
        for key in _keys(case):
            tallies[key][0] += right
            tallies[key][1] += naive
            tallies[key][2] += 1
    seconds = time.perf_counter() - started
    table = {key: _row(*values, baseline) for key, values in sorted(tallies.items())}
    return {"cases": len(all_cases), "seconds": round(seconds, 1), "accuracy": table, "first_misses": misses}


def _keys(case: Case) -> list[str]:
    keys = [f"group:{case.group}", f"style:{case.style}"]
    if case.group == "canvas":
        keys.append(f"canvas_layout:{case.layout}")
    if case.group == "scan":
        keys.append(f"scan_layout:{case.layout}")
    return keys


def _row(right: int, naive: int, total: int, baseline: bool) -> dict:
    row = {"count": total, "exact": round(right / total, 4)}
    if baseline:
        row["naive_exact"] = round(naive / total, 4)
    return row
