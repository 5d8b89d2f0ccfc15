"""The obvious way to read a number, kept to measure against: cut the image at empty columns and read
each piece as a single digit through the single-digit path (`ml.preprocess`, the same model).
Never imports TensorFlow.
"""
from __future__ import annotations

import numpy as np

from ml.predictor import Predictor
from ml.preprocess import NOISE_FLOOR, DrawingError, decode_ink, to_model_input


def naive_read(data: bytes, predictor: Predictor) -> str:
    """The digits read left to right, one per run of inked columns ("" when nothing reads)."""
    try:
        ink = decode_ink(data)
    except DrawingError:
        return ""
    inked = (ink >= NOISE_FLOOR).any(axis=0)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inked.astype(np.int8), [0]])))
    inputs = []
    for start, end in zip(edges[::2], edges[1::2]):
        try:
            inputs.append(to_model_input(ink[:, start:end]))
        except DrawingError:
            continue
    if not inputs:
        return ""
    return "".join(str(p.digit) for p in predictor.predict_batch(np.stack(inputs)))
