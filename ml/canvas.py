"""Render MNIST digits the way a browser canvas sends them: large, uniform strokes, many encodings.

A canvas drawing is a brush of constant width on a big canvas, exported as PNG (often black on a
transparent background), sometimes JPEG-compressed or re-saved by another program. These helpers turn
real, labelled MNIST digits into such drawings, so tests, benchmarks and evaluations can measure what
users will really send.
"""
import io

import cv2
import numpy as np
from PIL import Image


def stroke_mask(digit: np.ndarray, size: int = 280, thickness: float = 1.0) -> np.ndarray:
    """uint8 MNIST digit → float mask (size x size) of uniform, anti-aliased strokes; 1 = ink.

    `thickness` > 1 fattens the strokes (a wider brush), < 1 thins them.
    """
    big = cv2.resize(digit.astype(np.float32) / 255.0, (size, size), interpolation=cv2.INTER_CUBIC)
    mask = (big > 0.4).astype(np.float32)
    radius = int(round(abs(thickness - 1.0) * size / 40))
    if radius:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
        mask = cv2.dilate(mask, kernel) if thickness > 1 else cv2.erode(mask, kernel)
    return cv2.GaussianBlur(mask, (3, 3), 0)


def place(mask: np.ndarray, canvas: tuple[int, int], top: int, left: int) -> np.ndarray:
    """Put a stroke mask at (top, left) on a blank canvas of (height, width)."""
    out = np.zeros(canvas, dtype=np.float32)
    out[top : top + mask.shape[0], left : left + mask.shape[1]] = mask
    return out


def to_image(mask: np.ndarray, style: str = "black-on-white") -> Image.Image:
    """A mask as a PIL image in one of the styles browsers and apps produce."""
    ink = np.clip(mask * 255, 0, 255).astype(np.uint8)
    if style == "black-on-white":
        return Image.fromarray(255 - ink, "L").convert("RGB")
    if style == "white-on-black":
        return Image.fromarray(ink, "L").convert("RGB")
    if style == "gray":
        return Image.fromarray(255 - ink, "L")
    if style == "blue-on-yellow":
        rgb = np.empty(mask.shape + (3,), dtype=np.uint8)
        paper, pen = np.array([250, 240, 170]), np.array([20, 40, 160])
        rgb[:] = (paper * (1 - mask[..., None]) + pen * mask[..., None]).astype(np.uint8)
        return Image.fromarray(rgb, "RGB")
    if style in ("black-on-transparent", "white-on-transparent"):
        value = 0 if style.startswith("black") else 255
        rgba = np.zeros(mask.shape + (4,), dtype=np.uint8)
        rgba[..., :3] = value
        rgba[..., 3] = ink
        return Image.fromarray(rgba, "RGBA")
    if style == "palette":
        return Image.fromarray(255 - ink, "L").convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    raise ValueError(style)


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    if fmt in ("JPEG", "BMP") and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def canvas_png(digit: np.ndarray, style: str = "black-on-white", size: int = 280) -> bytes:
    """The common case: a square canvas PNG of one MNIST digit."""
    return encode(to_image(stroke_mask(digit, size), style))


def tilt(mask: np.ndarray, degrees: float, scale: float = 0.8) -> np.ndarray:
    """Rotate a stroke mask about its centre (a digit drawn on a tilted tablet), shrunk to stay inside."""
    height, width = mask.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, scale)
    return cv2.warpAffine(mask, matrix, (width, height))
