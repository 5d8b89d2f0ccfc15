"""Turn a number's ink mask into the image file a client sends: the styles of `STYLES`.

- canvas: black strokes on a white canvas (PNG), as the browser page sends;
- transparent: black strokes on a transparent canvas (PNG);
- inverted: white strokes on black (PNG);
- scan: a pen on gray paper with a printed pattern (ruled lines, a grid or a texture), uneven pen
  pressure, sensor noise, a little blur, scanned at a lower resolution and saved as JPEG.
Randomness only from the caller's generator. Never imports TensorFlow.
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from ml.canvas import encode, to_image

STYLES = ("canvas", "transparent", "inverted", "scan")
PATTERNS = ("ruled", "grid", "texture")
_CANVAS_STYLES = {"canvas": "black-on-white", "transparent": "black-on-transparent", "inverted": "white-on-black"}


def render(mask: np.ndarray, style: str, rng: np.random.Generator, *, height: int = 80) -> bytes:
    """The image file (bytes) of `mask` in `style`; `height` is the digits' height in px (scales the paper's pattern)."""
    if style in _CANVAS_STYLES:
        return encode(to_image(np.clip(mask, 0.0, 1.0), _CANVAS_STYLES[style]))
    if style == "scan":
        return scan(mask, rng, height)
    raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")


def scan(mask: np.ndarray, rng: np.random.Generator, height: int) -> bytes:
    """A pen on printed gray paper, scanned: JPEG bytes of a grayscale or bluish image."""
    shrink = rng.uniform(0.4, 0.8)  # scans are smaller than canvases: digits of ~20-90 px
    mask = cv2.resize(mask, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    paper = rng.uniform(0.72, 0.95) - _pattern(mask.shape, str(rng.choice(PATTERNS)), height * shrink, rng)
    paper += np.linspace(0, rng.uniform(-0.06, 0.06), mask.shape[1], dtype=np.float32)[None, :]  # uneven light
    pressure = cv2.GaussianBlur(rng.uniform(0.6, 1.0, mask.shape).astype(np.float32), (0, 0), 3)
    pen = rng.uniform(0.05, 0.3)
    gray = paper * (1 - mask * pressure) + pen * mask * pressure
    gray = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), rng.uniform(0.3, 0.9))
    gray += rng.normal(0.0, rng.uniform(0.01, 0.035), gray.shape).astype(np.float32)
    pixels = np.clip(gray * 255, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "L")
    if rng.random() < 0.5:  # blue ballpoint on white-ish paper, still read through luminance
        tint = np.stack([pixels * 0.9, pixels * 0.95, np.minimum(255, pixels * 1.05 + 20)], axis=-1)
        image = Image.fromarray(tint.astype(np.uint8), "RGB")
    return encode(image, "JPEG", quality=int(rng.integers(60, 92)))


def _pattern(shape: tuple[int, int], kind: str, height: float, rng: np.random.Generator) -> np.ndarray:
    """How much darker the printed pattern makes the paper at each pixel (lighter than the pen)."""
    rows, cols = shape
    darkness = rng.uniform(0.06, 0.18)
    out = np.zeros(shape, dtype=np.float32)
    step = max(6, int(height * rng.uniform(0.4, 0.9)))
    if kind in ("ruled", "grid"):
        out[int(rng.integers(0, step)) :: step, :] = darkness
    if kind == "grid":
        out[:, int(rng.integers(0, step)) :: step] = darkness
    if kind == "texture":
        noise = cv2.GaussianBlur(rng.uniform(0, 1, shape).astype(np.float32), (0, 0), rng.uniform(1.0, 3.0))
        out = darkness * (noise - noise.min()) / max(float(np.ptp(noise)), 1e-6)
    return out
