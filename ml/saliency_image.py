"""A saliency map as a picture: the heat colour-mapped (viridis) and laid over the drawing's model input.

Heat and input are both enlarged smoothly (bilinear) to `size`, so the 28x28 map reads as regions, not
as blocks. The drawing stays visible as a lighter veil on top of the colours: the map says *where*, the
veil says *what was there*. Pillow and numpy only: web processes call this.
"""
import io

import numpy as np
from PIL import Image

from ml.colormap import viridis

SIZE = 280  # the page's canvas side, so the heatmap lines up with what the user drew
INK_WEIGHT = 0.35  # how much of each output pixel is the drawing's ink (white) rather than the heat colour


def overlay(x: np.ndarray, heat: np.ndarray, *, size: int = SIZE, ink_weight: float = INK_WEIGHT) -> np.ndarray:
    """(size, size, 3) uint8 RGB: viridis(heat) with the input's ink blended in."""
    heat_big = _enlarge(heat, size)
    ink_big = _enlarge(x, size)
    rgb = (1.0 - ink_weight) * viridis(heat_big) + ink_weight * ink_big[..., None]
    return np.clip(np.rint(rgb * 255.0), 0, 255).astype(np.uint8)


def overlay_png(x: np.ndarray, heat: np.ndarray, *, size: int = SIZE) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(overlay(x, heat, size=size), mode="RGB").save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _enlarge(values: np.ndarray, size: int) -> np.ndarray:
    image = Image.fromarray(np.asarray(values, dtype=np.float32).reshape(28, 28), mode="F")
    return np.clip(np.asarray(image.resize((size, size), Image.Resampling.BILINEAR), dtype=np.float64), 0.0, 1.0)
