"""A browser canvas's PNG (8-bit RGBA) is decoded by OpenCV, everything else by Pillow (ml/preprocess.py,
`_browser_canvas_rgba`): the ink must be exactly what Pillow's decoding gives, for drawings and for damaged
files alike (a file Pillow refuses stays refused)."""
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ml import canvas
from ml import preprocess as P
from ml.preprocess import DrawingError, decode_ink, decode_with_image, preprocess

CHROMIUM_CANVAS = Path(__file__).parent / "data" / "chromium_canvas.png"


def pillow_ink(data: bytes) -> np.ndarray:
    """decode_ink as it was: Pillow decodes every file."""
    return P._ink_from_gray(P._to_gray(P._open(data, P.MAX_PIXELS)))


def outcome(decode, data: bytes):
    try:
        return decode(data)
    except DrawingError as err:
        return str(err)


def rgba_png(picture: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    picture.convert("RGBA").save(buffer, format="PNG", **options)
    return buffer.getvalue()


def canvases(mnist_test):
    images, _ = mnist_test
    for i, image in enumerate(images[:40]):
        style = ("black-on-white", "black-on-transparent", "white-on-transparent", "blue-on-yellow")[i % 4]
        yield rgba_png(canvas.to_image(canvas.stroke_mask(image), style), compress_level=i % 10)
    yield CHROMIUM_CANVAS.read_bytes()


def test_a_browser_canvas_takes_the_opencv_path():
    data = CHROMIUM_CANVAS.read_bytes()
    assert P._browser_canvas_rgba(data, P._open_header(data, P.MAX_PIXELS)) is not None


def test_canvas_pngs_decode_to_exactly_pillows_ink(mnist_test):
    for data in canvases(mnist_test):
        assert np.array_equal(decode_ink(data), pillow_ink(data))


def test_the_image_beside_the_ink_is_the_upright_upload_as_pillow_decodes_it(mnist_test):
    from tests.recognizer.number_images import exif_rotated_jpeg

    for data in [*canvases(mnist_test), exif_rotated_jpeg(canvas.stroke_mask(mnist_test[0][0]))]:
        image, ink = decode_with_image(data)
        upright = P._load(Image.open(io.BytesIO(data)))
        assert image.size == upright.size == ink.shape[::-1]
        assert np.array_equal(np.asarray(image.convert("RGBA")), np.asarray(upright.convert("RGBA")))
        assert np.array_equal(ink, decode_ink(data))


def test_random_colours_and_alpha_decode_to_exactly_pillows_ink():
    rng = np.random.default_rng(13)
    for _ in range(20):
        pixels = rng.integers(0, 256, (64, 96, 4), dtype=np.uint8)
        data = rgba_png(Image.fromarray(pixels, "RGBA"))
        assert P._browser_canvas_rgba(data, P._open_header(data, P.MAX_PIXELS)) is not None
        assert np.array_equal(P._browser_canvas_rgba(data, P._open_header(data, P.MAX_PIXELS)), pixels)
        assert np.array_equal(outcome(decode_ink, data), outcome(pillow_ink, data))


@pytest.mark.parametrize("damage", ["truncate", "flip", "no-iend", "trailing"])
def test_a_damaged_canvas_png_gets_pillows_answer(mnist_test, damage):
    data = next(canvases(mnist_test))
    idat = data.index(b"IDAT")
    rng = np.random.default_rng(7)
    for cut in sorted({idat + 8, idat + 40, len(data) // 2, len(data) - 30, len(data) - 12, len(data) - 1}):
        if damage == "truncate":
            broken = data[:cut]
        elif damage == "flip":
            broken = bytearray(data)
            broken[max(cut, idat + 4)] ^= 1 << int(rng.integers(0, 8))
            broken = bytes(broken)
        elif damage == "no-iend":
            broken = data[:-12]
        else:
            broken = data + b"junk" * 3
        ours, theirs = outcome(decode_ink, broken), outcome(pillow_ink, broken)
        if isinstance(theirs, str):
            assert isinstance(ours, str), f"{damage} at {cut}: Pillow refuses it, so must we"
        else:
            assert np.array_equal(ours, theirs), f"{damage} at {cut}"


def test_the_model_input_of_a_canvas_is_unchanged(mnist_test):
    for data in canvases(mnist_test):
        assert np.array_equal(preprocess(data), P.to_model_input(pillow_ink(data)))
