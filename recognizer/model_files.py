"""A model version's files, kept in its database row so that every server on the database can use them.

The row is the source of truth: `model_file` holds the .tflite bytes (their SHA-256 is the row's
`sha256`) and `keras_file` the .keras bytes that retraining fine-tunes from. Servers do not share a
disk, so each keeps its own copy of a .tflite under its VAR_DIR (`model-cache/<sha256>.tflite`), written
once through a temporary file and a rename, and checked against `sha256` before it is loaded. The
folder a version was trained into (`artifact`) still comes first on the machine that has it.

The blob columns are large (a few MB per version): the model's manager defers them (`FILE_FIELDS`), and this
module fetches one column of one row, only when a server has no good local copy. Reading a model writes
the local cache file but never a row; rows registered before the files were stored are filled by
`manage.py store_model_files` and `manage.py register_shipped_model` (`store_missing`).
"""
import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings

from ml.artifacts import KERAS_MODEL, TFLITE_MODEL
from recognizer.exceptions import ModelUnavailable
from recognizer.models import FILE_FIELDS, ModelVersion

logger = logging.getLogger(__name__)

CACHE_SUBDIR = "model-cache"  # under VAR_DIR: one per server, never shared


def cache_dir() -> Path:
    """Read at call time, so a test (or a server) with its own VAR_DIR gets its own cache."""
    return Path(settings.VAR_DIR) / CACHE_SUBDIR


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def row_files(directory: Path) -> dict:
    """The values a registered row keeps of a finished version folder: the .tflite bytes and their
    SHA-256 (computed from the very bytes stored), and the .keras bytes (None when the folder has none)."""
    model = (Path(directory) / TFLITE_MODEL).read_bytes()
    keras = Path(directory) / KERAS_MODEL
    keras_bytes = keras.read_bytes() if keras.is_file() else None
    return {"model_file": model, "sha256": checksum(model), "keras_file": keras_bytes}


def tflite_path(version: ModelVersion) -> Path:
    """A file on this server whose bytes hash to `version.sha256`: the version's own folder, else this
    server's cache, else the cache written from the row. Raises ModelUnavailable (logged, with why) when
    the row has no file or a file that fails its checksum; a corrupt cache file is replaced from the row."""
    if _has_checksum(version.artifact_path, version.sha256):
        return version.artifact_path
    cached = cache_dir() / f"{version.sha256}.tflite"
    if _has_checksum(cached, version.sha256):
        return cached
    data = _stored(version, "model_file")
    if data is None:
        logger.error("model file missing", extra={"model_version": version.name, "path": str(version.artifact_path)})
        raise ModelUnavailable(
            f"the model file of version {version.name} is neither on this server nor in the database")
    if checksum(data) != version.sha256:
        logger.error("stored model file checksum mismatch",
                     extra={"model_version": version.name, "expected": version.sha256, "actual": checksum(data)})
        raise ModelUnavailable(f"the stored model file of version {version.name} does not match its checksum")
    _write(cached, data, version)
    return cached


def keras_path(version: ModelVersion) -> Path:
    """Where retraining finds the version's .keras: its own folder on this machine, else a fresh copy of
    the row's `keras_file` in this server's cache. When neither has it, the folder's path (which does not
    exist, so the caller's own check says what is missing)."""
    local = version.artifact_path.parent / KERAS_MODEL
    if local.is_file():
        return local
    data = _stored(version, "keras_file")
    if data is None:
        return local
    path = cache_dir() / f"{version.sha256}-{version.pk}.keras"  # rewritten at each use: no checksum to trust
    _write(path, data, version)
    return path


def store_missing(version: ModelVersion) -> list[str]:
    """Fill the file columns a row lacks from its folder on this machine, if the .tflite there still has
    the row's checksum (else nothing is stored: the folder no longer holds this version). Returns the
    fields filled. A write: only commands call it, never a read path."""
    empty = _empty_fields(version)
    if not empty:
        return []
    folder = version.artifact_path.parent
    try:
        files = row_files(folder)
    except OSError as err:
        raise FileNotFoundError(
            f"its model file {version.artifact_path} is not on this machine ({err.strerror})") from None
    if files["sha256"] != version.sha256:
        raise ValueError(f"its model file {version.artifact_path} has changed since it was registered")
    filled = {field: files[field] for field in empty if files[field] is not None}
    ModelVersion.objects.filter(pk=version.pk).update(**filled)
    return list(filled)


def _empty_fields(version: ModelVersion) -> list[str]:
    """Which file columns are null, asked without loading the blobs."""
    return [field for field in FILE_FIELDS
            if ModelVersion.objects.filter(pk=version.pk, **{f"{field}__isnull": True}).exists()]


def _stored(version: ModelVersion, field: str) -> bytes | None:
    """One column of one row, loaded only now (PostgreSQL returns a memoryview)."""
    data = ModelVersion.objects.filter(pk=version.pk).values_list(field, flat=True).first()
    return None if data is None else bytes(data)


def _has_checksum(path: Path, expected: str) -> bool:
    try:
        return checksum(path.read_bytes()) == expected
    except OSError:
        return False


def _write(path: Path, data: bytes, version: ModelVersion) -> None:
    """Temporary file in the same folder, then a rename: a reader sees the whole file or none, even with
    several workers writing the same version at once. A disk that refuses it is a 503, not a 500."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as err:
        logger.error("model cache not writable",
                     extra={"model_version": version.name, "path": str(path), "error": str(err)})
        raise ModelUnavailable(f"this server cannot write its copy of model version {version.name}") from None
