"""The one preprocessing function, on every kind of drawing a client can send."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from ml.preprocess import MNIST_CENTRE, DrawingError, input_to_png, png_to_input, preprocess, to_model_input
from ml.canvas import canvas_png, encode, place, stroke_mask, to_image

SEVEN = 0  # index of a 7 in the MNIST test set


def centre_of_mass(x: np.ndarray) -> tuple[float, float]:
    rows, cols = np.indices(x.shape)
    return float((rows * x).sum() / x.sum()), float((cols * x).sum() / x.sum())


def bounding_box(x: np.ndarray) -> tuple[int, int]:
    rows, cols = np.nonzero(x)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


@pytest.fixture(scope="module")
def seven(mnist_test):
    assert mnist_test[1][SEVEN] == 7
    return mnist_test[0][SEVEN]


@pytest.fixture(scope="module")
def reference(seven):
    """The model input for the plain black-on-white canvas PNG of the seven."""
    return preprocess(canvas_png(seven))


def close_to(reference: np.ndarray, x: np.ndarray, tolerance: float = 0.08) -> bool:
    return float(np.abs(reference - x).mean()) < tolerance


def test_output_is_a_28x28_float_image_in_unit_range(reference):
    assert reference.shape == (28, 28)
    assert reference.dtype == np.float32
    assert 0.0 <= reference.min() and reference.max() <= 1.0
    assert reference.max() > 0.9


def test_digit_is_scaled_to_a_20_pixel_box_and_centred_by_mass(reference):
    assert max(bounding_box(reference > 0)) == 20
    row, col = centre_of_mass(reference)
    assert abs(row - MNIST_CENTRE[0]) <= 0.5 and abs(col - MNIST_CENTRE[1]) <= 0.5


def test_aspect_ratio_is_kept():
    bar = np.zeros((300, 300), dtype=np.float32)
    bar[100:200, 30:270] = 1.0  # 240 wide, 100 tall
    x = to_model_input(bar)
    height, width = bounding_box(x > 0.5)
    assert width == 20
    assert height == pytest.approx(20 * 100 / 240, abs=1)


def test_mnist_digit_comes_out_nearly_unchanged(mnist_test):
    images = mnist_test[0][:500]
    through = np.stack([to_model_input(image) for image in images])
    assert float(np.abs(through - images / 255.0).mean()) < 0.01


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "BMP"])
def test_every_accepted_format_gives_the_same_input(seven, reference, fmt):
    data = encode(to_image(stroke_mask(seven)), fmt)
    assert close_to(reference, preprocess(data))


@pytest.mark.parametrize(
    "style",
    ["gray", "white-on-black", "blue-on-yellow", "black-on-transparent", "white-on-transparent", "palette"],
)
def test_every_colour_mode_and_background_gives_the_same_input(seven, reference, style):
    assert close_to(reference, preprocess(encode(to_image(stroke_mask(seven), style))))


def test_grayscale_with_alpha_is_read_through_the_alpha_channel(seven, reference):
    rgba = to_image(stroke_mask(seven), "black-on-transparent")
    assert close_to(reference, preprocess(encode(rgba.convert("LA"))))


def test_palette_png_with_a_transparent_background(seven, reference):
    rgba = to_image(stroke_mask(seven), "black-on-transparent")
    paletted = rgba.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    assert close_to(reference, preprocess(encode(paletted)), tolerance=0.1)


def test_small_digit_anywhere_on_a_large_non_square_canvas(seven, reference):
    mask = stroke_mask(seven, size=90)
    for top, left in [(0, 0), (500, 1100), (250, 40)]:
        canvas = place(mask, (600, 1200), top, left)
        assert close_to(reference, preprocess(encode(to_image(canvas)))), (top, left)


@pytest.mark.parametrize("thickness", [0.5, 1.6, 2.2])
def test_thin_and_thick_strokes_still_fill_the_box(seven, thickness):
    x = preprocess(encode(to_image(stroke_mask(seven, thickness=thickness))))
    assert max(bounding_box(x > 0)) == 20


def test_jpeg_noise_does_not_move_the_digit(seven, reference):
    noisy = preprocess(encode(to_image(stroke_mask(seven)), "JPEG", quality=15))
    assert close_to(reference, noisy)


def test_isolated_specks_are_ignored(seven, reference):
    canvas = stroke_mask(seven).copy()
    canvas[5:8, 270:273] = 1.0  # a stray dot in the corner
    assert close_to(reference, preprocess(encode(to_image(canvas))))


def test_exif_orientation_is_applied(seven, reference):
    upright = to_image(stroke_mask(seven))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # as a phone sensor stores it
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    data = encode(stored, "JPEG", exif=exif.tobytes(), quality=95)
    assert close_to(reference, preprocess(data))
    assert not close_to(reference, preprocess(encode(stored, "JPEG", quality=95)))


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (280, 280), "white"),
        Image.new("L", (280, 280), 0),
        Image.new("RGBA", (280, 280), (0, 0, 0, 0)),
        Image.new("L", (280, 280), 128),
    ],
    ids=["white", "black", "transparent", "gray"],
)
def test_blank_drawing_is_an_error_not_a_guess(image):
    with pytest.raises(DrawingError, match="no digit found"):
        preprocess(encode(image))


def test_faint_noise_alone_is_blank():
    noise = np.random.default_rng(0).integers(240, 256, size=(280, 280), dtype=np.uint8)
    with pytest.raises(DrawingError, match="no digit found"):
        preprocess(encode(Image.fromarray(noise, "L")))


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"hello, this is not a picture", "not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not an image|corrupt"),
    ],
)
def test_bytes_that_are_not_an_image_are_refused(data, message):
    with pytest.raises(DrawingError, match=message):
        preprocess(data)


def test_truncated_png_is_refused(seven):
    data = canvas_png(seven)
    with pytest.raises(DrawingError, match="truncated or corrupt"):
        preprocess(data[: len(data) // 2])


def test_truncated_jpeg_is_refused(seven):
    data = encode(to_image(stroke_mask(seven)), "JPEG")
    with pytest.raises(DrawingError, match="truncated or corrupt"):
        preprocess(data[: len(data) // 3])


def test_unsupported_format_names_the_accepted_ones(seven):
    with pytest.raises(DrawingError, match="unsupported image format TIFF; send PNG, JPEG, WebP, GIF or BMP"):
        preprocess(encode(to_image(stroke_mask(seven)), "TIFF"))


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge size: decoding it would allocate width*height bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(DrawingError, match="image too large"):
        preprocess(png_header_claiming(100_000, 100_000))


def test_pixel_cap_is_configurable(seven):
    with pytest.raises(DrawingError, match="280x280 pixels, the limit is 10,000"):
        preprocess(canvas_png(seven), max_pixels=10_000)


def test_model_input_round_trips_through_png(reference):
    back = png_to_input(input_to_png(reference))
    assert back.shape == (28, 28)
    assert np.abs(back - reference).max() <= 0.5 / 255 + 1e-6


def test_the_stored_model_input_is_an_8_bit_grayscale_png_that_pillow_reads(reference):
    with Image.open(io.BytesIO(input_to_png(reference))) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "L", (28, 28))
        assert np.array_equal(np.asarray(image), np.rint(reference * 255).astype(np.uint8))
