"""Immutable raw landing: every pull becomes a new snapshot folder with a manifest.

Layout: ``<raw_dir>/<source>/<snapshot_id>/`` holding the files exactly as received and
``manifest.json`` (location, fetched-at, SHA-256 per file, record counts, content hash, whether
the content changed since the previous snapshot). A snapshot is written to a hidden temporary
folder and renamed into place, so a crash never leaves a half snapshot under a real id, and an
existing snapshot is never written to again (its files are made read-only).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, default=str)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(records: Any) -> str:
    """Hash of the parsed content, independent of byte-level noise such as a page's
    ``meta.date`` or key order, so an unchanged source is recognised as unchanged."""
    canonical = json.dumps(records, sort_keys=True, default=str, separators=(",", ":"))
    return sha256(canonical.encode("utf-8"))


def new_snapshot_id(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def latest_manifest(source_dir: Path) -> Manifest | None:
    if not source_dir.is_dir():
        return None
    ids = sorted(p.name for p in source_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for snapshot_id in reversed(ids):
        path = source_dir / snapshot_id / MANIFEST
        if path.is_file():
            return Manifest(**json.loads(path.read_text(encoding="utf-8")))
    return None


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
) -> tuple[Manifest, Path]:
    fetched = fetched_at or datetime.now(UTC)
    source_dir = raw_dir / source
    source_dir.mkdir(parents=True, exist_ok=True)
    previous = latest_manifest(source_dir)
    snapshot_id = new_snapshot_id(fetched)
    final = source_dir / snapshot_id
    if final.exists():
        raise FileExistsError(f"snapshot {final} already exists; refusing to overwrite it")
    manifest = Manifest(
        source=source,
        snapshot_id=snapshot_id,
        location=location,
        fetched_at=fetched.astimezone(UTC).isoformat(),
        content_sha256=content_sha256,
        changed=previous is None or previous.content_sha256 != content_sha256,
        previous_snapshot_id=previous.snapshot_id if previous else None,
        files=[
            {
                "name": f.name,
                "location": f.location,
                "bytes": len(f.content),
                "sha256": sha256(f.content),
            }
            for f in files
        ],
        counts=counts,
        extra=extra or {},
    )
    staging = source_dir / f".{snapshot_id}.partial"
    staging.mkdir()
    try:
        for f in files:
            (staging / f.name).write_bytes(f.content)
        (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        for path in staging.iterdir():
            path.chmod(0o444)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest, final
