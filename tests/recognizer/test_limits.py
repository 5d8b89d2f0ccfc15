"""Every cap on hostile input, on every endpoint it guards: an error in JSON, and nothing stored.

Bodies over the limit are refused from Content-Length alone (413) before anything is read; images
are refused by bytes, by declared pixels (before decoding: decompression bombs) and by format.
"""
import base64
import io
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from recognizer.models import Drawing

pytestmark = pytest.mark.django_db

SINGLE_IMAGE_URLS = ["/api/predictions/", "/predict"]


def png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def encoded(png: bytes, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image = Image.open(io.BytesIO(png))
    image.convert("RGB" if fmt in ("JPEG", "BMP", "PPM", "ICO") else image.mode).save(buffer, format=fmt)
    return buffer.getvalue()


def assert_refused(response, status: int, words: str) -> None:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["status"] == "error" and words in body["error"], body
    assert not Drawing.objects.exists()


@pytest.mark.parametrize("url", SINGLE_IMAGE_URLS)
def test_a_base64_json_body_over_the_limit_is_a_413(api_client, settings, url):
    settings.DIGITS_MAX_UPLOAD_BYTES = 1000  # a single-image body may be ~1.3 KB + 64 KiB of slack
    response = api_client.post(url, {"image": "A" * 200_000}, format="json")

    assert_refused(response, 413, "request body too large")


@pytest.mark.parametrize("url", ["/predict", "/api/predictions/batch/"])
def test_a_multipart_body_over_the_limit_is_a_413(api_client, settings, url):
    settings.DIGITS_MAX_UPLOAD_BYTES, settings.DIGITS_MAX_REQUEST_BYTES = 1000, 100_000
    upload = SimpleUploadedFile("big.png", b"\x89PNG" + b"\0" * 200_000, "image/png")
    response = api_client.post(url, {"image": upload, "images": upload}, format="multipart")

    assert_refused(response, 413, "request body too large")


def test_content_length_alone_decides_before_the_body_is_read(api_client):
    response = api_client.generic(
        "POST", "/api/predictions/", b"{}", content_type="application/json", CONTENT_LENGTH=str(10**9)
    )

    assert_refused(response, 413, "the limit is")


@pytest.mark.parametrize("method, path", [("POST", "/api/predictions/{}/feedback/"), ("PATCH", "/api/predictions/{}/")])
def test_label_writes_have_a_body_limit_too(staff_client, drawing, method, path):
    body = b'{"label": 3, "pad": "' + b"x" * 4_000_000 + b'"}'
    response = staff_client.generic(method, path.format(drawing.pk), body, content_type="application/json")

    assert response.status_code == 413 and response.json()["status"] == "error"
    drawing.refresh_from_db()
    assert drawing.suggested_label is None and drawing.confirmed_label is None


@pytest.mark.parametrize("url", SINGLE_IMAGE_URLS)
@pytest.mark.parametrize("width, height", [(100_000, 100_000), (5000, 5000), (1, 2**31 - 1)])
def test_huge_declared_dimensions_are_refused_without_decoding(api_client, url, width, height):
    started = time.perf_counter()
    response = api_client.post(url, {"image": base64.b64encode(png_declaring(width, height)).decode()}, format="json")

    assert_refused(response, 400, "image too large")
    assert time.perf_counter() - started < 2  # nothing was allocated for the pixels


def test_a_batch_of_multipart_files_over_the_cap_is_a_400(api_client, digit_image, settings):
    settings.DIGITS_MAX_BATCH = 2
    files = [SimpleUploadedFile(f"{i}.png", digit_image(1), "image/png") for i in range(3)]
    response = api_client.post("/api/predictions/batch/", {"images": files}, format="multipart")

    assert_refused(response, 400, "too many images: 3, the limit is 2")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "BMP"])
def test_accepted_formats(api_client, digit_image, fmt):
    response = api_client.post("/api/predictions/", {"image": base64.b64encode(encoded(digit_image(2), fmt)).decode()})

    assert response.status_code == 201
    assert response.json()["prediction"] == 2


@pytest.mark.parametrize("fmt", ["TIFF", "ICO", "PPM", "TGA", "PCX"])
def test_other_formats_are_refused_by_name(api_client, digit_image, fmt):
    response = api_client.post("/api/predictions/", {"image": base64.b64encode(encoded(digit_image(2), fmt)).decode()})

    assert_refused(response, 400, f"unsupported image format {fmt}")


def test_svg_and_html_are_not_images(api_client):
    for text in (b'<svg xmlns="http://www.w3.org/2000/svg"><text>7</text></svg>', b"<html><script>x</script></html>"):
        upload = SimpleUploadedFile("seven.svg", text, "image/svg+xml")
        assert_refused(api_client.post("/api/predictions/", {"image": upload}, format="multipart"), 400, "not an image")
