"""Zip archives (xlsx workbooks) and plain files sized up before anything parses them.

A workbook is a zip archive of XML parts, and a few hundred kilobytes of zip can inflate to
gigabytes (a *zip bomb*): openpyxl would read it until the process is killed. ``check_zip``
refuses such a file from its central directory alone, before a byte is inflated, and then
verifies that every member inflates to exactly its declared size (``zipfile`` stops a member
at that size and checks its CRC there, so declared sizes also bound what openpyxl reads later;
a directory that lies about them is refused here, naming the member). The bounds
(``ArchiveLimits``; settings ``LCM_MAX_UNPACKED_MB``, ``LCM_MAX_COMPRESSION_RATIO``,
``LCM_MAX_ARCHIVE_MEMBERS``):

- the total unpacked size of an archive, and the size of a plain file or of the files of a
  register together (csv): default 200 MB, far above any register (the bundled ones are a few
  kilobytes; a register of a thousand LCs is about a megabyte);
- the compression ratio (unpacked : packed) of each member: default 100:1, for members from
  1 MB unpacked (small XML parts compress 5-10:1 and a tiny part's ratio says nothing; zip
  bombs run at about 1000:1);
- the number of members: default 10,000 (a workbook has a dozen or so parts).

Everything raises the project's ``SourceError`` naming the source, the file and the bound.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sources.errors import SourceError

MB = 1_000_000
CHUNK = 1 << 20  # bytes inflated at a time while verifying a member
# A central-directory entry is 46 bytes plus its name and extra fields; a workbook's names
# are short. Bounds the directory Python would parse before members could be counted.
DIRECTORY_BYTES_PER_MEMBER = 1024
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_EOCD_SEARCH = _EOCD_SIZE + 0xFFFF  # the record, plus a comment of at most 64 KiB


@dataclass(frozen=True)
class ArchiveLimits:
    max_unpacked_bytes: int = 200 * MB
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1 * MB  # smaller members are not held to max_ratio
    max_members: int = 10_000


DEFAULT_LIMITS = ArchiveLimits()


def _size(n: int) -> str:
    return f"{n:,} bytes ({n / MB:,.1f} MB)"


def check_size(size: int, source: str, location: str, limits: ArchiveLimits) -> None:
    """A plain file (or files together) of ``size`` bytes, checked before it is read."""
    if size > limits.max_unpacked_bytes:
        raise SourceError(
            source,
            location,
            f"{_size(size)}, above the bound of {_size(limits.max_unpacked_bytes)} for a "
            "register; refused before parsing",
        )


def check_files(sizes: Sequence[int], source: str, location: str, limits: ArchiveLimits) -> None:
    """The files of one register together (csv: projects.csv plus partners.csv)."""
    check_size(sum(sizes), source, location, limits)


def _directory_size(data: bytes) -> tuple[int, int] | None:
    """(members, bytes) of the central directory as its end record states them, read without
    parsing the directory; None when there is no end record (zipfile then says so)."""
    at = data.rfind(_EOCD, max(0, len(data) - _EOCD_SEARCH))
    if at < 0 or at + _EOCD_SIZE > len(data):
        return None
    members = int.from_bytes(data[at + 10 : at + 12], "little")
    size = int.from_bytes(data[at + 12 : at + 16], "little")
    return members, size


def check_zip(data: bytes, source: str, location: str, limits: ArchiveLimits) -> None:
    """Refuse a zip archive whose members, unpacked size or compression ratio passes a bound,
    or whose members do not inflate to their declared sizes; return when it is safe to parse.
    """

    def refuse(detail: str) -> SourceError:
        return SourceError(source, location, f"{detail}; refused before parsing")

    check_size(len(data), source, location, limits)
    stated = _directory_size(data)
    if stated is not None:
        members, directory_bytes = stated
        if members > limits.max_members:
            raise refuse(f"{members:,} members, above the bound of {limits.max_members:,}")
        if directory_bytes > limits.max_members * DIRECTORY_BYTES_PER_MEMBER:
            raise refuse(
                f"a central directory of {_size(directory_bytes)}, above the bound of "
                f"{limits.max_members:,} members of {DIRECTORY_BYTES_PER_MEMBER} bytes each"
            )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SourceError(source, location, f"not a readable zip archive: {exc}") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:  # the end record may understate it
            raise refuse(f"{len(infos):,} members, above the bound of {limits.max_members:,}")
        total = sum(i.file_size for i in infos)
        if total > limits.max_unpacked_bytes:
            largest = max(infos, key=lambda i: i.file_size)
            raise refuse(
                f"unpacks to {_size(total)}, above the bound of "
                f"{_size(limits.max_unpacked_bytes)} (largest member '{largest.filename}': "
                f"{largest.file_size:,} bytes)"
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= limits.ratio_floor_bytes and ratio > limits.max_ratio:
                raise refuse(
                    f"member '{info.filename}' is compressed {ratio:,.0f}:1 "
                    f"({_size(info.compress_size)} unpacking to {_size(info.file_size)}), above "
                    f"the bound of {limits.max_ratio:g}:1 for members from "
                    f"{_size(limits.ratio_floor_bytes)}"
                )
        for info in infos:
            _verify_member(archive, info, refuse)


def _verify_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, refuse: Callable[[str], SourceError]
) -> None:
    """Inflate a member in chunks, never past its declared size, and compare."""
    read = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                read += len(chunk)
                if read > info.file_size:  # zipfile stops at the declared size; never trust
                    break
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError, NotImplementedError,
            RuntimeError) as exc:  # fmt: skip
        raise refuse(
            f"member '{info.filename}' does not inflate to its declared "
            f"{_size(info.file_size)} ({type(exc).__name__}: {exc}); the archive's directory "
            "does not describe its content"
        ) from exc
    if read != info.file_size:
        found = "more than" if read > info.file_size else f"{read:,} bytes, not"
        raise refuse(
            f"member '{info.filename}' inflates to {found} its declared "
            f"{_size(info.file_size)}; the archive's directory does not describe its content"
        )
