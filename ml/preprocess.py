"""Turn any drawing a client can send into the model's 28x28 input, the way MNIST itself was built.

MNIST digits were size-normalised to fit a 20x20 box (keeping the aspect ratio, anti-aliased), then
placed in a 28x28 field so that their centre of mass sits in the centre. `to_model_input` does exactly
that to an ink map; `preprocess` first decodes bytes (any format, mode, background, size) into one.
Serving calls `preprocess`; training calls `to_model_input` on MNIST and on stored drawings, so both
see the same function.

Never imports TensorFlow: web processes use this module.
"""
from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF", "BMP"})
MAX_PIXELS = 16_000_000  # ~4000x4000; larger images are refused before decoding
BOX = 20  # MNIST's size-normalisation box
SIZE = 28  # the model's input side
# Mean centre of mass of the MNIST training digits (row, col), measured on all 60,000 images;
# using MNIST's own value keeps an MNIST digit unchanged by this pipeline.
MNIST_CENTRE = (14.0, 14.0)
MIN_CONTRAST = 0.15  # ink weaker than this (of full scale) is background noise, not a drawing
NOISE_FLOOR = 0.1  # after normalising to the strongest ink, weaker pixels are dropped (JPEG noise)
MIN_COMPONENT_SHARE = 0.02  # blobs holding less of the total ink than this are specks, not strokes


class DrawingError(ValueError):
    """The input cannot be turned into a digit; `str(err)` is a message for the user."""


def preprocess(data: bytes, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Bytes of an image file → float32 (28, 28) in [0, 1], white digit on black."""
    return to_model_input(decode_ink(data, max_pixels=max_pixels))


def decode_ink(data: bytes, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode an image and return its ink as float32 in [0, 1] (1 = full ink), background at 0."""
    return decode_with_image(data, max_pixels=max_pixels)[1]


def decode_with_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> tuple[Image.Image, np.ndarray]:
    """The upright image (first frame, EXIF orientation applied) and `decode_ink`'s ink of it, for callers
    that also cut the image itself (a number's digits): the file is decoded once."""
    image = _open_header(data, max_pixels)
    rgba = _browser_canvas_rgba(data, image)
    if rgba is not None:
        return Image.fromarray(rgba), _ink_from_gray(_gray_from_rgba(rgba))
    upright = _load(image)
    return upright, _ink_from_gray(_to_gray(upright))


def to_model_input(ink: np.ndarray) -> np.ndarray:
    """An ink map of any size (float in [0, 1] or uint8) → the 28x28 model input, MNIST-style."""
    ink = np.asarray(ink, dtype=np.float32)
    if ink.max(initial=0) > 1.0:  # 0-255 values, e.g. MNIST's uint8 images
        ink = ink / 255.0
    ink = _clean(_around_strokes(ink))
    # The rows and columns holding ink (np.nonzero would list every inked pixel, ~4x slower for a canvas).
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        raise DrawingError("no digit found in the drawing")
    digit = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    digit = _fit_box(digit)
    return _centre_by_mass(digit)


def input_to_png(x: np.ndarray) -> bytes:
    """The 28x28 model input as an 8-bit grayscale PNG, as the model saw it (white on black)."""
    pixels = np.clip(np.rint(np.asarray(x) * 255), 0, 255).astype(np.uint8).reshape(SIZE, SIZE)
    return encode_png(pixels, compression=6)


def encode_png(pixels: np.ndarray, *, compression: int) -> bytes:
    """uint8 pixels (gray, BGR or BGRA, as OpenCV orders them) as PNG, for what is stored on the request path.

    OpenCV without PNG's row filters: drawings are flat paper and sharp strokes, which the filters do
    not help to compress, and choosing them was most of the time. A 100x150 colour crop takes ~0.06 ms
    (~0.19 ms with Pillow at its fastest level), a 28x28 input ~0.03 ms (~0.3 ms with Pillow), and both
    come out no larger."""
    params = [cv2.IMWRITE_PNG_COMPRESSION, compression, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_NONE]
    encoded, png = cv2.imencode(".png", pixels, params)
    if not encoded:
        raise RuntimeError("OpenCV could not encode the pixels as PNG")
    return png.tobytes()


def png_to_input(data: bytes) -> np.ndarray:
    """Inverse of `input_to_png`: a stored 28x28 PNG back to the float model input."""
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


# --- decoding -------------------------------------------------------------------------------------


def _open(data: bytes, max_pixels: int) -> Image.Image:
    return _load(_open_header(data, max_pixels))


def _open_header(data: bytes, max_pixels: int) -> Image.Image:
    """The image with its header read and checked (format, size); its pixels are not decoded yet."""
    if not data:
        raise DrawingError("the image file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise DrawingError("not an image, or an image format we cannot read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DrawingError(f"image too large: more than {max_pixels:,} pixels") from None
    except (OSError, ValueError, SyntaxError) as err:
        raise DrawingError(f"the image is corrupt ({err})") from None
    if image.format not in ACCEPTED_FORMATS:
        raise DrawingError(
            f"unsupported image format {image.format}; send PNG, JPEG, WebP, GIF or BMP"
        )
    width, height = image.size
    if width * height > max_pixels:
        raise DrawingError(f"image too large: {width}x{height} pixels, the limit is {max_pixels:,} pixels")
    return image


def _load(image: Image.Image) -> Image.Image:
    try:
        image.seek(0)  # the first frame of an animated GIF/WebP
        image.load()
        return ImageOps.exif_transpose(image)
    except Exception as err:  # Pillow raises many kinds for damaged files; all mean the same to users
        raise DrawingError(f"the image is truncated or corrupt ({type(err).__name__})") from None


def _browser_canvas_rgba(data: bytes, image: Image.Image) -> np.ndarray | None:
    """What a browser's canvas.toDataURL() sends (an 8-bit RGBA PNG) decoded by OpenCV, ~10% faster than
    Pillow with the very same pixels (tests/ml/test_preprocess_decode.py); None for anything else, which
    Pillow decodes. PNGs with a transparency key, EXIF orientation or animation are left to Pillow too (its
    handling of those is what users get), and so is any file libpng will not decode whole."""
    if image.format != "PNG" or image.mode != "RGBA" or data[12:16] != b"IHDR" or data[24:26] != b"\x08\x06":
        return None  # IHDR's bit depth 8, colour type 6 (RGBA)
    if any(chunk in data for chunk in (b"tRNS", b"eXIf", b"acTL")):  # a false alarm only costs the speed-up
        return None
    bgra = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if bgra is None or bgra.dtype != np.uint8 or bgra.shape != (image.height, image.width, 4):
        return None
    return cv2.cvtColor(bgra, cv2.COLOR_BGRA2RGBA)


def _to_gray(image: Image.Image) -> np.ndarray:
    """Grayscale float32 in [0, 1]; transparent areas become the background.

    A browser canvas is often strokes on a *transparent* background, so the alpha channel carries the
    drawing. We composite onto whichever of white or black contrasts with the strokes' own colour.
    """
    if image.mode in ("P", "PA") or (image.mode in ("L", "RGB") and "transparency" in image.info):
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "La", "RGBa"):
        return _gray_from_rgba(np.asarray(image.convert("RGBA")))
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")  # CMYK, YCbCr, I;16, 1, ...
    if image.mode == "RGB":
        image = image.convert("L")
    return np.asarray(image, dtype=np.float32) / 255.0


def _gray_from_rgba(pixels: np.ndarray) -> np.ndarray:
    """8-bit RGBA (height, width, 4) → `_to_gray`'s answer for it."""
    rgba = np.asarray(pixels, dtype=np.float32) / 255.0
    alpha = rgba[..., 3]
    luma = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if alpha.min() < 0.99:
        weight = alpha.sum()
        strokes_dark = weight == 0 or float((luma * alpha).sum() / weight) < 0.5
        background = 1.0 if strokes_dark else 0.0
        return luma * alpha + background * (1.0 - alpha)
    return luma


def _ink_from_gray(gray: np.ndarray) -> np.ndarray:
    """Detect the background from the image border (don't assume it) and measure ink against it."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    background = float(np.median(border))
    ink = background - gray if background > 0.5 else gray - background
    ink = np.clip(ink, 0.0, None)
    strongest = float(ink.max(initial=0.0))
    if strongest < MIN_CONTRAST:
        raise DrawingError("no digit found in the drawing")
    return ink / strongest


# --- normalisation --------------------------------------------------------------------------------


def _around_strokes(ink: np.ndarray) -> np.ndarray:
    """The smallest box holding every pixel `_clean` could keep: cleaning the box gives the same strokes as
    cleaning the whole canvas, with a fraction of the pixels (a digit fills little of a 280x280 canvas)."""
    strongest = float(ink.max(initial=0.0))
    if strongest < MIN_CONTRAST:
        return ink
    kept = ink >= NOISE_FLOOR * strongest
    rows, cols = np.flatnonzero(kept.any(axis=1)), np.flatnonzero(kept.any(axis=0))
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _clean(ink: np.ndarray) -> np.ndarray:
    """Drop faint noise and isolated specks so the crop is decided by the strokes alone."""
    strongest = float(ink.max(initial=0.0))
    if strongest < MIN_CONTRAST:
        return np.zeros_like(ink)
    ink = np.where(ink >= NOISE_FLOOR * strongest, ink, 0.0).astype(np.float32)
    # Labels, then areas by counting them: connectedComponentsWithStats computes every statistic, far slower.
    count, labels = cv2.connectedComponents((ink > 0).astype(np.uint8), connectivity=8)
    if count <= 2:
        return ink
    areas = np.bincount(labels.ravel(), minlength=count)[1:]
    keep = np.zeros(count, dtype=bool)
    keep[1:] = areas >= MIN_COMPONENT_SHARE * areas.sum()
    return np.where(keep[labels], ink, 0.0).astype(np.float32)


def _fit_box(digit: np.ndarray) -> np.ndarray:
    """Scale so the longest side is 20 px, keeping the aspect ratio (area-averaged when shrinking)."""
    height, width = digit.shape
    scale = BOX / max(height, width)
    new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
    if (new_h, new_w) == (height, width):
        return digit
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return np.clip(cv2.resize(digit, (new_w, new_h), interpolation=interpolation), 0.0, 1.0)


def _centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """Place in 28x28 with the centre of mass at MNIST's centre (whole-pixel shift, as MNIST did)."""
    height, width = digit.shape
    rows, cols = np.indices(digit.shape)
    mass = digit.sum()
    com_row, com_col = (rows * digit).sum() / mass, (cols * digit).sum() / mass
    top = int(round(MNIST_CENTRE[0] - com_row))
    left = int(round(MNIST_CENTRE[1] - com_col))
    top = min(max(top, 0), SIZE - height)  # never push ink off the field
    left = min(max(left, 0), SIZE - width)
    out = np.zeros((SIZE, SIZE), dtype=np.float32)
    out[top : top + height, left : left + width] = digit
    return out
