"""Occlusion saliency with the shipped model on real MNIST test digits: the map points at the strokes
that carried the answer, hiding its hottest part hurts the answer more than hiding other ink, and the
picture is a viridis overlay of the right size."""
import io

import cv2
import numpy as np
import pytest
from PIL import Image

from ml.colormap import viridis
from ml.preprocess import to_model_input
from ml.saliency import BACKGROUND, PATCH, SIZE, answer_of, explain, log_odds, occluded, windows
from ml.saliency_image import overlay, overlay_png

DIGITS = 40  # the first 40 MNIST test digits: every class, ~3 s of maps on one core


@pytest.fixture(scope="module")
def digits(mnist_test):
    images, _ = mnist_test
    return images[:DIGITS].astype(np.float32) / 255.0


@pytest.fixture(scope="module")
def maps(predictor, digits):
    return [explain(predictor, x) for x in digits]


def box_sums(values: np.ndarray, side: int) -> np.ndarray:
    """Sum of `values` in every side x side square that fits, indexed by its top-left corner."""
    sums = cv2.boxFilter(values.astype(np.float32), -1, (side, side), normalize=False, anchor=(0, 0),
                         borderType=cv2.BORDER_CONSTANT)
    return sums[: SIZE - side + 1, : SIZE - side + 1]


def test_every_pixel_is_covered_by_the_same_number_of_patches():
    coverage = np.zeros((SIZE, SIZE), dtype=int)
    for top, bottom, left, right in windows():
        coverage[top:bottom, left:right] += 1

    assert coverage.min() == coverage.max() == (PATCH // 2) ** 2


def test_an_occluded_copy_hides_its_box_and_nothing_else(digits):
    x = digits[0]
    boxes = [(0, 6, 0, 6), (10, 14, 12, 18)]
    copies = occluded(x, boxes)

    for copy, (top, bottom, left, right) in zip(copies, boxes):
        assert (copy[top:bottom, left:right] == BACKGROUND).all()
        outside = np.ones((SIZE, SIZE), dtype=bool)
        outside[top:bottom, left:right] = False
        assert np.array_equal(copy[outside], x[outside])


def test_the_map_explains_the_served_answer_with_its_probability(predictor, digits, maps):
    for x, saliency in zip(digits, maps):
        prediction = predictor.predict(x)
        assert saliency.answer == prediction.digit
        assert saliency.probability == pytest.approx(prediction.confidence, abs=1e-4)
        assert saliency.heat.shape == saliency.drops.shape == (SIZE, SIZE)
        assert saliency.heat.min() >= 0 and saliency.heat.max() == pytest.approx(1.0)


def test_heat_lies_on_the_strokes_not_on_the_background(digits, maps):
    for x, saliency in zip(digits, maps):
        ink = x > 0
        near_ink = cv2.dilate(ink.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        heat = saliency.heat.sum()
        # Most of the heat sits on the strokes or the pixel beside them (a patch hides both) ...
        assert saliency.heat[near_ink].sum() / heat > 0.5
        # ... and the ink pixels themselves hold far more heat than their share of the picture.
        assert saliency.heat[ink].sum() / heat > 1.5 * ink.mean()


@pytest.mark.parametrize("side", [4, 6, 8])
def test_hiding_the_hottest_region_hurts_the_answer_more_than_hiding_other_ink(predictor, digits, maps, side):
    """Against random regions of the same size that hold ink too (hiding empty background changes
    nothing, so it would be no contest). Sizes other than the patch's, so the map is not just read back."""
    rng = np.random.default_rng(0)
    wins = []
    for x, saliency in zip(digits, maps):
        top, left = np.unravel_index(box_sums(saliency.heat, side).argmax(), (SIZE - side + 1,) * 2)
        inky = np.argwhere(box_sums((x > 0).astype(np.float32), side) >= 1)
        corners = [(top, left), *map(tuple, inky[rng.choice(len(inky), 20)])]
        boxes = [(t, t + side, c, c + side) for t, c in corners]
        evidence = log_odds(predictor.raw(np.concatenate([x[None], occluded(x, boxes)])), predictor.calibration,
                            saliency.answer)
        drops = evidence[0] - evidence[1:]
        wins.append(drops[0] > np.median(drops[1:]))
    assert np.mean(wins) >= 0.9


def test_the_map_is_deterministic(predictor, digits, maps):
    again = explain(predictor, digits[3])

    assert np.array_equal(again.drops, maps[3].drops)
    assert overlay_png(digits[3], again.heat) == overlay_png(digits[3], maps[3].heat)


def test_a_not_a_digit_answer_is_explained_as_not_a_digit(predictor):
    """A drawn hash sign: the shipped model says it is no digit, and the map explains that answer."""
    ink = np.zeros((100, 100), dtype=np.float32)
    for k in (30, 60):
        cv2.line(ink, (k, 5), (k, 95), 1.0, 6)
        cv2.line(ink, (5, k), (95, k), 1.0, 6)
    x = to_model_input(ink)
    prediction = predictor.predict(x)
    assert prediction.is_digit is False

    saliency = explain(predictor, x)

    assert saliency.answer is None and answer_of(predictor, x) is None
    assert saliency.probability == pytest.approx(1 - prediction.digit_score, abs=1e-4)
    assert saliency.heat.max() == pytest.approx(1.0)
    assert saliency.heat[x > 0].sum() / saliency.heat.sum() > 1.5 * (x > 0).mean()


def test_an_explicit_answer_is_explained_instead_of_the_models_own(predictor, digits, maps):
    other = (maps[0].answer + 1) % 10

    saliency = explain(predictor, digits[0], answer=other)

    assert saliency.answer == other
    assert saliency.probability < 0.5 < maps[0].probability


def test_the_overlay_is_a_280px_rgb_png_of_viridis_under_the_ink(digits, maps):
    png = overlay_png(digits[0], maps[0].heat)
    image = Image.open(io.BytesIO(png))

    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (280, 280))
    corner = np.asarray(image)[0, 0] / 255  # background, no heat: the darkest viridis, dimmed by no ink
    assert np.allclose(corner, 0.65 * viridis(0.0), atol=1 / 255)
    rgb = overlay(digits[0], maps[0].heat).astype(float)
    hottest = np.unravel_index(np.asarray(Image.fromarray(maps[0].heat).resize((280, 280))).argmax(), (280, 280))
    assert rgb[hottest][0] > rgb[0, 0][0] and rgb[hottest][1] > rgb[0, 0][1]  # yellow is lighter than purple


def test_the_numpy_viridis_matches_matplotlibs_and_its_lightness_rises():
    import matplotlib

    values = np.linspace(0, 1, 256)
    ours = viridis(values)
    assert np.abs(ours - matplotlib.colormaps["viridis"](values)[:, :3]).max() < 3 / 255
    lightness = cie_lightness(ours)
    assert (np.diff(lightness) > 0).all()


def cie_lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* of sRGB colours (0-100)."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    y = linear @ np.array([0.2126, 0.7152, 0.0722])
    return np.where(y > (6 / 29) ** 3, 116 * np.cbrt(y) - 16, y * (29 / 3) ** 3)
