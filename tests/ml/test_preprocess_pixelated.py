"""A pad or scan sent enlarged (each of its pixels an f x f block) is read at the resolution it was drawn at,
as training sees such captures (`ml.scans.capture`); every other image is read as it is."""
import cv2
import numpy as np
import pytest

from ml import canvas
from ml.preprocess import _at_own_resolution, preprocess, to_model_input
from ml.scans import binarise


def pad_drawing(image: np.ndarray, side: int) -> np.ndarray:
    """An MNIST digit as drawn on a side x side touch pad: each pixel on or off."""
    return binarise(cv2.resize(image / 255.0, (side, side), interpolation=cv2.INTER_AREA), 0.4)


def enlarged(ink: np.ndarray, factor: int) -> np.ndarray:
    return np.kron(ink, np.ones((factor, factor), dtype=np.float32))


@pytest.mark.parametrize("side, factor", [(16, 8), (16, 3), (24, 5), (32, 4), (32, 2)])
def test_an_enlarged_pad_gives_the_input_of_the_pad_itself(mnist_test, side, factor):
    images, _ = mnist_test
    for image in images[:50]:
        pad = pad_drawing(image, side)
        png = canvas.encode(canvas.to_image(enlarged(pad, factor), "black-on-white"))
        assert np.array_equal(preprocess(png), to_model_input(pad))


def test_an_enlarged_grayscale_scan_gives_the_input_of_the_scan_itself(mnist_test):
    images, _ = mnist_test
    for image in images[:50]:
        scan = cv2.GaussianBlur(cv2.resize(image / 255.0, (16, 16), interpolation=cv2.INTER_AREA), (3, 3), 0.6)
        scan = np.round(scan / scan.max() * 255) / 255  # the 8-bit values a PNG holds
        assert np.array_equal(to_model_input(enlarged(scan.astype(np.float32), 8)), to_model_input(scan))


def test_an_image_enlarged_by_a_fraction_is_read_as_it_is(mnist_test):
    images, _ = mnist_test
    pad = pad_drawing(images[0], 16)
    uneven = cv2.resize(pad, None, fx=7.5, fy=7.5, interpolation=cv2.INTER_NEAREST)  # blocks of 7 and 8 px
    assert _at_own_resolution(uneven) is uneven


def test_one_change_off_the_block_grid_keeps_the_image_whole():
    blocks = enlarged(np.eye(6, dtype=np.float32), 4)
    assert _at_own_resolution(blocks).shape == (6, 6)
    blocks[5, 3] = 1.0  # one pixel whose column edge is not on the 4 px grid
    assert _at_own_resolution(blocks) is blocks


def test_drawings_and_raw_mnist_digits_are_read_as_they_are(mnist_test):
    images, _ = mnist_test
    for image in images[:200]:
        ink = image / 255.0
        assert _at_own_resolution(ink) is ink
        mask = canvas.stroke_mask(image)
        assert _at_own_resolution(mask) is mask
