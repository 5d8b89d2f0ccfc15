"""How much one dataset archive may hold: a bad or hostile archive is refused before it is expanded.

Each limit can be changed in settings (the names below); the defaults suit tens of thousands of digits.
Single images obey the same limits as the API (DIGITS_MAX_UPLOAD_BYTES, DIGITS_MAX_PIXELS).
"""
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Limits:
    max_entries: int  # files in the archive
    max_total_bytes: int  # their uncompressed size together
    max_ratio: int  # uncompressed / compressed, for the archive as a whole (zip bombs)
    max_image_bytes: int  # one image file, as for the API
    max_pixels: int  # one decoded image, as for the API
    max_labels_bytes: int  # labels.csv

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            max_entries=getattr(settings, "DIGITS_DATASET_MAX_ENTRIES", 100_000),
            max_total_bytes=getattr(settings, "DIGITS_DATASET_MAX_BYTES", 512 * 1024 * 1024),
            max_ratio=getattr(settings, "DIGITS_DATASET_MAX_RATIO", 100),
            max_image_bytes=settings.DIGITS_MAX_UPLOAD_BYTES,
            max_pixels=settings.DIGITS_MAX_PIXELS,
            max_labels_bytes=getattr(settings, "DIGITS_DATASET_MAX_LABELS_BYTES", 8 * 1024 * 1024),
        )


# Below this uncompressed size the ratio is not checked: a small CSV or blank image compresses very well.
RATIO_FLOOR_BYTES = 1024 * 1024
