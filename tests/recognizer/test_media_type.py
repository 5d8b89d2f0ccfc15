"""recognizer.images.media_type_of reads the format from the file's signature; Pillow decides the same."""
import io

import pytest
from PIL import Image

from ml.canvas import stroke_mask, to_image
from ml.preprocess import preprocess
from recognizer.images import MEDIA_TYPES, media_type_of

STYLES = ("black-on-white", "black-on-transparent", "palette", "gray")
FORMATS = {"PNG": {}, "JPEG": {}, "GIF": {}, "BMP": {}, "WEBP": {"lossless": True}}


@pytest.mark.parametrize("image_format", FORMATS)
@pytest.mark.parametrize("style", STYLES)
def test_the_signature_names_the_format_pillow_decodes(mnist_test, image_format, style):
    images, _ = mnist_test
    picture = to_image(stroke_mask(images[3]), style)
    if image_format in ("JPEG", "BMP") and picture.mode not in ("RGB", "L"):
        picture = to_image(stroke_mask(images[3]), "black-on-white")  # no alpha in these formats
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format, **FORMATS[image_format])
    data = buffer.getvalue()
    preprocess(data)  # accepted, as media_type_of's callers guarantee

    with Image.open(io.BytesIO(data)) as decoded:
        assert media_type_of(data) == MEDIA_TYPES[decoded.format]


def test_an_animated_gif_and_a_lossy_webp_too(mnist_test):
    images, _ = mnist_test
    frames = [to_image(stroke_mask(images[i]), "black-on-white") for i in range(2)]
    for image_format, options in (("GIF", {"save_all": True, "append_images": frames[1:]}), ("WEBP", {"quality": 50})):
        buffer = io.BytesIO()
        frames[0].save(buffer, format=image_format, **options)
        assert media_type_of(buffer.getvalue()) == MEDIA_TYPES[image_format]
