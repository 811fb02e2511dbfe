"""Immutable raw landing: every pull becomes a new snapshot folder with a manifest.

Layout: ``<raw_dir>/<source>/<snapshot_id>/`` holding the files exactly as received and
``manifest.json`` (location, fetched-at, SHA-256 per file, record counts, content hash, whether
the content changed since the previous snapshot). A snapshot is written to a hidden temporary
folder and renamed into place, so a crash never leaves a half snapshot under a real id, and an
existing snapshot is never written to again (its files are made read-only).

A pull whose content hash equals the previous snapshot's is landed as its manifest alone: it
records that the source was seen then, and ``files_snapshot_id`` names the snapshot whose
folder holds the files (always the one that stored them, never another manifest-only one).

A large pull need not hold its files in memory: ``StagedFiles`` writes each to a hidden folder
as it arrives, and landing renames that folder into the snapshot (or deletes it when the
content is unchanged); ``ContentHasher`` hashes its records as they come.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sources.errors import SourceError
from sources.redact import redact_text, redact_value

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class RawFile:
    name: str
    content: bytes
    location: str  # where it was read from (URL or path)


@dataclass
class Manifest:
    source: str
    snapshot_id: str
    location: str
    fetched_at: str
    content_sha256: str
    changed: bool
    previous_snapshot_id: str | None
    files: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    # The snapshot whose folder holds the files: this one, or for an unchanged pull the one
    # that stored that content. None in manifests written before pulls were deduplicated.
    files_snapshot_id: str | None = None

    @property
    def holder_id(self) -> str:
        """The snapshot whose folder holds this pull's files."""
        return self.files_snapshot_id or self.snapshot_id

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, default=str)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(records: Any) -> str:
    """Hash of the parsed content, independent of byte-level noise such as a page's
    ``meta.date`` or key order, so an unchanged source is recognised as unchanged.

    A list is hashed item by item, as the same bytes ``json.dumps`` gives for the whole list
    (so earlier manifests' hashes still compare), without holding that text: at 150,000
    NWOpen records it would be some 300 MB, twice over."""
    if not isinstance(records, list):
        return sha256(_canonical(records).encode("utf-8"))
    hasher = ContentHasher()
    for record in records:
        hasher.add(record)
    return hasher.hexdigest()


class ContentHasher:
    """``content_hash`` of a list fed one item at a time (the items of a pull that is never
    held whole): the same digest as ``content_hash([...every item...])``."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256(b"[")
        self._items = 0

    def add(self, record: Any) -> None:
        if self._items:
            self._digest.update(b",")
        self._digest.update(_canonical(record).encode("utf-8"))
        self._items += 1

    def hexdigest(self) -> str:
        closed = self._digest.copy()  # more items may still come
        closed.update(b"]")
        return closed.hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def _write_failed(source: str, path: Path, exc: OSError) -> SourceError:
    # The bare OSError names neither the source nor, for a failed write, the file.
    code = errno.errorcode.get(exc.errno or 0, "")
    return SourceError(
        source,
        str(path),
        f"cannot write the raw snapshot: {exc.strerror or exc}" + (f" ({code})" if code else ""),
        transient=True,  # as before: a step failing on an OSError is retried
    )


class StagedFiles:
    """A pull's files written to disk as they arrive, before its snapshot exists, so that a
    pull of hundreds of megabytes is never held in memory. The folder is hidden
    (``.<started>.pulling``: no snapshot id, and removed as a leftover a day after a crash);
    ``land_snapshot`` moves it into the snapshot or deletes it, and ``discard`` deletes it
    when the pull fails before landing. A file written twice under one name keeps the last."""

    def __init__(self, raw_dir: Path, source: str, started: datetime | None = None):
        self.source = source
        stamp = new_snapshot_id(started or datetime.now(UTC))
        self.folder = raw_dir / source / f".{stamp}.pulling"
        self._entries: dict[str, dict[str, Any]] = {}  # name -> its line in the manifest

    def write(self, name: str, content: bytes, location: str) -> None:
        path = self.folder / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        except OSError as exc:
            raise _write_failed(self.source, path, exc) from exc
        self._entries[name] = {
            "name": name,
            "location": redact_text(location),
            "bytes": len(content),
            "sha256": sha256(content),
        }

    @property
    def entries(self) -> list[dict[str, Any]]:
        return list(self._entries.values())

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def new_snapshot_id(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def snapshot_ids(source_dir: Path) -> list[str]:
    """The source's snapshot folders, oldest first (ids are UTC timestamps); hidden
    folders (one being written) left out."""
    if not source_dir.is_dir():
        return []
    return sorted(p.name for p in source_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_manifest(snapshot_dir: Path) -> Manifest | None:
    path = snapshot_dir / MANIFEST
    if not path.is_file():
        return None
    return Manifest(**json.loads(path.read_text(encoding="utf-8")))


def latest_manifest(source_dir: Path) -> Manifest | None:
    for snapshot_id in reversed(snapshot_ids(source_dir)):
        manifest = read_manifest(source_dir / snapshot_id)
        if manifest is not None:
            return manifest
    return None


def latest_files(source_dir: Path) -> tuple[Manifest, Path] | None:
    """The manifest and folder of the snapshot holding the newest pull's files (for a pull
    that stored only its manifest, the snapshot that stored that content)."""
    latest = latest_manifest(source_dir)
    if latest is None:
        return None
    holder = source_dir / latest.holder_id
    manifest = latest if latest.holder_id == latest.snapshot_id else read_manifest(holder)
    return (manifest, holder) if manifest is not None else None


def land_snapshot(
    raw_dir: Path,
    source: str,
    location: str,
    files: list[RawFile],
    *,
    content_sha256: str,
    counts: dict[str, int],
    extra: dict[str, Any] | None = None,
    fetched_at: datetime | None = None,
    staged: StagedFiles | None = None,
) -> tuple[Manifest, Path]:
    """Land ``files`` (in memory) and ``staged`` (already on disk) as one new snapshot."""
    fetched = fetched_at or datetime.now(UTC)
    source_dir = raw_dir / source
    source_dir.mkdir(parents=True, exist_ok=True)
    previous = latest_manifest(source_dir)
    snapshot_id = new_snapshot_id(fetched)
    final = source_dir / snapshot_id
    if final.exists():
        if staged is not None:
            staged.discard()
        raise FileExistsError(f"snapshot {final} already exists; refusing to overwrite it")
    changed = previous is None or previous.content_sha256 != content_sha256
    holder_id = snapshot_id
    unchanged_from = previous.holder_id if previous is not None and not changed else None
    if unchanged_from and (source_dir / unchanged_from / MANIFEST).is_file():
        # Same content as the previous pull, whose files are still there: not written again.
        holder_id = unchanged_from
    stored = files if holder_id == snapshot_id else []
    staged_entries = staged.entries if staged is not None and holder_id == snapshot_id else []
    # Written down for good: locations and extras redacted (no token, no user:password@).
    manifest = Manifest(
        source=source,
        snapshot_id=snapshot_id,
        location=redact_text(location),
        fetched_at=fetched.astimezone(UTC).isoformat(),
        content_sha256=content_sha256,
        changed=changed,
        previous_snapshot_id=previous.snapshot_id if previous else None,
        files=[
            {
                "name": f.name,
                "location": redact_text(f.location),
                "bytes": len(f.content),
                "sha256": sha256(f.content),
            }
            for f in stored
        ]
        + staged_entries,
        counts=counts,
        extra=redact_value(extra or {}),
        files_snapshot_id=holder_id,
    )
    staging = source_dir / f".{snapshot_id}.partial"
    writing = staging  # what was being written when the system refused (disk full, ...)
    try:
        if staged is not None and staged_entries:
            os.rename(staged.folder, staging)  # the files written as they came: not copied
        else:
            if staged is not None:  # unchanged content (or nothing written): not kept twice
                staged.discard()
            staging.mkdir()
        for f in stored:
            writing = staging / f.name
            writing.write_bytes(f.content)
        writing = staging / MANIFEST
        writing.write_text(manifest.to_json(), encoding="utf-8")
        for path in staging.iterdir():
            path.chmod(0o444)
        writing = final
        os.rename(staging, final)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if staged is not None:
            staged.discard()
        raise _write_failed(source, writing, exc) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if staged is not None:
            staged.discard()
        raise
    return manifest, final
