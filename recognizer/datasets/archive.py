"""Reading zip archives that strangers send: every name, size and ratio is checked before anything is
expanded, and every read is bounded, so path tricks and zip bombs are refused rather than unpacked.

Nothing is ever extracted to disk under a name taken from the archive.
"""
import re
import zipfile
import zlib
from pathlib import PurePosixPath

from recognizer.datasets.limits import RATIO_FLOOR_BYTES, Limits

DRIVE = re.compile(r"^[A-Za-z]:")


class DatasetError(ValueError):
    """The dataset cannot be imported; `str(err)` says why, for the person who sent it. Nothing was stored."""


def open_zip(file) -> zipfile.ZipFile:
    """A zip archive from a path or a binary file object, or DatasetError."""
    try:
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise DatasetError("not a zip archive (or a damaged one)") from None


def checked_members(archive: zipfile.ZipFile, limits: Limits) -> list[zipfile.ZipInfo]:
    """The archive's files (not folders), once the whole archive passed the name and size checks."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise DatasetError(f"the archive holds {len(infos):,} entries; the limit is {limits.max_entries:,}")
    for info in infos:
        check_name(info.filename)
        if info.flag_bits & 0x1:
            raise DatasetError(f"{info.filename}: encrypted entries are not supported")
    _check_sizes(infos, limits)
    return [info for info in infos if not info.is_dir()]


def _check_sizes(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if total > limits.max_total_bytes:
        raise DatasetError(
            f"the archive expands to {total:,} bytes; the limit is {limits.max_total_bytes:,} bytes"
        )
    if total > RATIO_FLOOR_BYTES and total > limits.max_ratio * max(packed, 1):
        raise DatasetError(
            f"the archive expands {total / max(packed, 1):,.0f} times its packed size (limit {limits.max_ratio}x): "
            "refused as a possible zip bomb"
        )


def check_name(name: str) -> None:
    """Refuses names that could point outside a folder: `..`, absolute paths, drive letters, backslashes."""
    if "\\" in name or "\x00" in name:
        raise DatasetError(f"refused entry name {name!r}: backslashes and NUL are not allowed")
    if name.startswith("/") or DRIVE.match(name):
        raise DatasetError(f"refused entry name {name!r}: absolute paths are not allowed")
    if ".." in PurePosixPath(name).parts:
        raise DatasetError(f"refused entry name {name!r}: '..' is not allowed")


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes, never more than `limit` whatever its header claims."""
    if info.file_size > limit:
        raise DatasetError(f"{info.filename}: {info.file_size:,} bytes; the limit is {limit:,} bytes")
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as err:
        raise DatasetError(f"{info.filename}: cannot be read from the archive ({err})") from None
    if len(data) > limit:
        raise DatasetError(f"{info.filename}: more than {limit:,} bytes")
    return data


def gunzip_bounded(data: bytes, limit: int, name: str) -> bytes:
    """Gzip data expanded to at most `limit` bytes (a gzip bomb inside the zip is refused too)."""
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as err:
        raise DatasetError(f"{name}: corrupt gzip data ({err})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise DatasetError(f"{name}: expands to more than {limit:,} bytes")
    if not inflater.eof:
        raise DatasetError(f"{name}: truncated gzip data")
    return out
