"""Malformed input at every write endpoint: never a 5xx, always a short JSON error, nothing stored.

The corpus is seeded and bounded (about 600 requests, two seconds): random bytes, truncated and
bit-flipped PNG and JPEG files, huge declared dimensions, JSON of the wrong shape, non-UTF-8 bodies,
very long strings, wrong content types and broken multipart. A damaged image that still decodes to a
drawing *is* a valid image, so `ml.preprocess` decides first which mutated images are usable; the
endpoints must store exactly those, and nothing for anything else.
"""
import base64
import json
import logging
import random
import struct
import zlib

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from digitsite.logformat import JsonFormatter
from ml.preprocess import DrawingError, preprocess
from recognizer.exceptions import MAX_MESSAGE_CHARS
from recognizer.models import Drawing

pytestmark = pytest.mark.django_db

SEED = 20_261_124
LONG = "x" * 100_000


# --- the corpus -----------------------------------------------------------------------------------


def png_declaring(width: int, height: int) -> bytes:
    """A well-formed PNG header claiming `width` x `height`, with almost no pixel data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def jpeg_declaring(jpeg: bytes, width: int, height: int) -> bytes:
    """A real JPEG whose frame header (SOF0) is rewritten to claim `width` x `height`."""
    at = jpeg.index(b"\xff\xc0") + 5
    return jpeg[:at] + struct.pack(">HH", height, width) + jpeg[at + 4 :]


def flip_bits(rng: random.Random, data: bytes, flips: int) -> bytes:
    mutated = bytearray(data)
    for _ in range(flips):
        mutated[rng.randrange(len(mutated))] ^= 1 << rng.randrange(8)
    return bytes(mutated)


def damaged_images(rng: random.Random, png: bytes, jpeg: bytes) -> list[bytes]:
    images = [rng.randbytes(n) for n in (1, 7, 64, 512, 4096)]
    images += [magic + rng.randbytes(300) for magic in (png[:8], jpeg[:3], b"GIF89a", b"BM", b"RIFF\0\0\0\0WEBPVP8 ")]
    for source in (png, jpeg):
        images += [source[: int(len(source) * cut)] for cut in (0.02, 0.1, 0.3, 0.6, 0.9, 0.99)]
        images += [flip_bits(rng, source, rng.randint(1, 8)) for _ in range(12)]
        images += [flip_bits(rng, source[:200], 4) + source[200:] for _ in range(4)]  # damage the headers
    images += [png_declaring(100_000, 100_000), png_declaring(1, 2**31 - 1), png_declaring(0, 0), png_declaring(5000, 5000)]
    images += [jpeg_declaring(jpeg, 65_535, 65_535), jpeg_declaring(jpeg, 5000, 5000), jpeg_declaring(jpeg, 0, 0)]
    return images


def usable(image: bytes) -> bool:
    """The oracle: what the service itself will accept (anything but DrawingError is a bug here)."""
    try:
        preprocess(image, max_pixels=django_settings.DIGITS_MAX_PIXELS)
    except DrawingError:
        return False
    return True


def deep(levels: int):
    value = 3
    for _ in range(levels):
        value = {"a": value}
    return value


# Values a field may hold that are never valid for any of the four fields (no 0-9 digits, no null:
# null clears a confirmed label, and the image fields have their own null test elsewhere).
WRONG_VALUES = [True, -1, 10, 1.5, 1e308, "", "seven", "%%%", LONG, [], [3], [None], {}, {"label": 3}, deep(60)]
JSON_BODIES = [b"null", b"true", b"7", b'"x"', b"[]", b"[1, 2]", b"{}", json.dumps(LONG).encode(), b"[" * 5000 + b"]" * 5000]
JSON_BODIES += [b"{not json", b'{"a": NaN}', b'{"a": 1e999999}', b"\xff\xfe{\x00}\x00", b'{"image": "\xff\xfe\xfa"}', b"\x00" * 100]


def raw_bodies(rng: random.Random, field: str) -> list[tuple[str, bytes]]:
    """(content type, body) pairs that no endpoint can accept, whatever its field."""
    disposition = f'Content-Disposition: form-data; name="{field}"'.encode()
    part = b"--b\r\n" + disposition + b'; filename="d.png"\r\nContent-Type: image/png\r\n\r\n' + rng.randbytes(200)
    bodies = [("application/json", body) for body in JSON_BODIES]
    bodies += [("application/json", json.dumps({field: value}).encode()) for value in WRONG_VALUES]
    bodies += [
        ("application/json; charset=utf-16", json.dumps({field: "x"}).encode()),
        ("application/json; charset=bogus", json.dumps({field: "%%"}).encode()),
        ("application/json", json.dumps({field: "x", LONG: 1}).encode()),
        ("text/plain", b"hello"),
        ("text/html", b"<script>alert(1)</script>"),
        ("application/xml", b"<image>1</image>"),
        ("image/png", rng.randbytes(300)),
        ("application/octet-stream", rng.randbytes(300)),
        ("", rng.randbytes(50)),
        ("application/x-www-form-urlencoded", f"{field}=%ff%fe%00".encode()),
        ("application/x-www-form-urlencoded", b"&".join(b"f%d=1" % i for i in range(1500))),
        ("multipart/form-data", part + b"\r\n--b--\r\n"),  # no boundary
        ("multipart/form-data; boundary=zz", part + b"\r\n--b--\r\n"),  # the wrong boundary
        ("multipart/form-data; boundary=b", part),  # never closed
        ("multipart/form-data; boundary=b", b"--b\r\n" + b"X-Junk: y\r\n" * 2000 + b"\r\nabc\r\n--b--\r\n"),
        ("multipart/form-data; boundary=b", b"--b\r\nContent-Type: image/png\r\n\r\nabc\r\n--b--\r\n"),  # no name
        ("multipart/form-data; boundary=b", b"".join([part + b"\r\n"] * 150) + b"--b--\r\n"),  # too many files
        ("multipart/form-data; boundary=" + "x" * 5000, part),
    ]
    for kind in ("application/json", "multipart/form-data; boundary=b", "application/x-www-form-urlencoded"):
        bodies += [(kind, rng.randbytes(rng.randint(1, 2000))) for _ in range(4)]
    return bodies


# --- checks ---------------------------------------------------------------------------------------


def snapshot() -> set:
    return set(Drawing.objects.values_list("pk", "suggested_label", "confirmed_label"))


def assert_json_error(response, case: str) -> None:
    assert response.status_code < 500, f"{case}: {response.status_code} {response.content[:300]!r}"
    assert response["Content-Type"] == "application/json", case
    body = response.json()
    assert set(body) == {"status", "error"} and body["status"] == "error", case
    assert 0 < len(body["error"]) <= MAX_MESSAGE_CHARS, case


def assert_refused(response, before: set, case: str) -> None:
    assert_json_error(response, case)
    assert 400 <= response.status_code < 500, case
    assert snapshot() == before, f"{case}: stored or changed a drawing"


def assert_logs_carry_no_payloads(caplog) -> None:
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert lines and max(map(len, lines)) < 1000


@pytest.fixture(autouse=True)
def _unthrottled(settings, caplog):
    """Hundreds of requests from one test client: throttling would answer most of them with 429."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    caplog.set_level(logging.INFO)


@pytest.fixture
def rng() -> random.Random:
    return random.Random(SEED)


@pytest.fixture
def images(rng, digit_image) -> list[tuple[bytes, bool]]:
    """The damaged images, each with whether the service should accept it."""
    return [(image, usable(image)) for image in damaged_images(rng, digit_image(4), digit_image(7, fmt="JPEG"))]


# --- the endpoints --------------------------------------------------------------------------------


@pytest.mark.parametrize("url, ok_status", [("/api/predictions/", 201), ("/predict", 200)])
def test_single_image_endpoints_store_only_usable_images(api_client, rng, images, url, ok_status, caplog):
    for n, (image, ok) in enumerate(images):
        for fmt, data in (
            ("multipart", {"image": SimpleUploadedFile("d.png", image, "image/png")}),
            ("json", {"image": base64.b64encode(image).decode()}),
        ):
            before, case = snapshot(), f"image {n} as {fmt}"
            response = api_client.post(url, data, format=fmt)
            if ok:
                assert response.status_code == ok_status, f"{case}: {response.content[:300]!r}"
                assert len(snapshot() - before) == 1 and len(before - snapshot()) == 0, case
            else:
                assert_refused(response, before, case)
    for content_type, body in raw_bodies(rng, "image"):
        before = snapshot()
        response = api_client.generic("POST", url, body, content_type=content_type)
        assert_refused(response, before, f"{content_type}: {body[:60]!r}")
    assert_logs_carry_no_payloads(caplog)


def test_batch_stores_only_the_usable_images(api_client, rng, images, caplog):
    for start in range(0, len(images), 8):
        chunk = images[start : start + 8]
        for fmt, data in (
            ("multipart", {"images": [SimpleUploadedFile(f"{i}.png", image, "image/png") for i, (image, _) in enumerate(chunk)]}),
            ("json", {"images": [base64.b64encode(image).decode() for image, _ in chunk]}),
        ):
            before, case = snapshot(), f"batch at {start} as {fmt}"
            response = api_client.post("/api/predictions/batch/", data, format=fmt)
            assert response.status_code == (201 if any(ok for _, ok in chunk) else 200), case
            results = response.json()["results"]
            assert [r["status"] == "success" for r in results] == [ok for _, ok in chunk], case
            new = {str(pk) for pk, _, _ in snapshot() - before}
            assert new == {r["id"] for r in results if r["status"] == "success"}, case
            assert all(len(r["error"]) <= MAX_MESSAGE_CHARS for r in results if r["status"] == "error"), case
    for content_type, body in raw_bodies(rng, "images"):
        before, case = snapshot(), f"{content_type}: {body[:60]!r}"
        response = api_client.generic("POST", "/api/predictions/batch/", body, content_type=content_type)
        if response.status_code == 200:  # a list of junk: every slot refused on its own
            assert {r["status"] for r in response.json()["results"]} == {"error"}, case
            assert snapshot() == before, case
        else:
            assert_refused(response, before, case)
    assert_logs_carry_no_payloads(caplog)


@pytest.mark.parametrize("who, method, path, field", [
    ("anonymous", "POST", "/api/predictions/{id}/feedback/", "label"),
    ("staff", "PATCH", "/api/predictions/{id}/", "confirmed_label"),
])
def test_label_writes_refuse_everything_malformed(api_client, staff_client, drawing, rng, who, method, path, field, caplog):
    client = staff_client if who == "staff" else api_client
    url = path.format(id=drawing.pk)
    for content_type, body in raw_bodies(rng, field):
        before = snapshot()
        response = client.generic(method, url, body, content_type=content_type)
        assert_refused(response, before, f"{content_type}: {body[:60]!r}")
    assert_logs_carry_no_payloads(caplog)
