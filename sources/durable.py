"""Flushing written files and folders to disk before a rename makes them visible: after a
power cut a name must never point at files that were still only in memory."""

from __future__ import annotations

import os
from pathlib import Path


def fsync(path: Path) -> None:
    """Flush a file, or a folder's entries (what a rename into it changed), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
