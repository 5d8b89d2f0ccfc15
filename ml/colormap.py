"""Viridis, the colour map for heatmaps, in numpy: web processes draw heatmaps without matplotlib.

Viridis (van der Walt and Smith, matplotlib's default since 2.0) is perceptually uniform, its lightness
rises steadily from dark purple to yellow, so it reads the same in grey, and it stays ordered for the
common colour-vision deficiencies. The anchors are matplotlib's viridis at 33 even stops; linear
interpolation between them stays within 3/255 of matplotlib's table (17 stops: 5/255), which
`tests/ml/test_saliency.py` checks, with the lightness rising all the way.
"""
import numpy as np

VIRIDIS_HEX = (
    "440154", "470d60", "48186a", "482374", "472d7b", "453781", "424086", "3e4989", "3b528b", "375b8d", "33638d",
    "2f6b8e", "2c728e", "297a8e", "26828e", "23898e", "21918c", "1f988b", "1fa088", "22a785", "28ae80", "32b67a",
    "3fbc73", "4ec36b", "5ec962", "70cf57", "84d44b", "98d83e", "addc30", "c2df23", "d8e219", "ece51b", "fde725",
)
VIRIDIS = np.array([[int(h[i : i + 2], 16) for i in (0, 2, 4)] for h in VIRIDIS_HEX], dtype=np.float64) / 255.0
STOPS = np.linspace(0.0, 1.0, len(VIRIDIS))


def viridis(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] (clipped), any shape → RGB floats in [0, 1], shape + (3,)."""
    values = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0)
    return np.stack([np.interp(values, STOPS, VIRIDIS[:, channel]) for channel in range(3)], axis=-1)
