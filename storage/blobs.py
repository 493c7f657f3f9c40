"""Content-addressed blob store: raw messages and documents, fsynced before use.

A blob's path is ``<root>/<sha[:2]>/<sha[2:4]>/<sha>``. Writing goes to a
temporary file in the same directory, is fsynced, renamed into place and the
directory fsynced, so a row that points at a blob never outlives a crash that
lost the blob.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class BlobMissingError(FileNotFoundError):
    """A blob the database refers to is not in the store."""


class BlobStore:
    """Store bytes by their SHA-256 under ``root``."""

    def __init__(self, root: Path) -> None:
        """Create the store at ``root`` (made on first write)."""
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        """Return where the blob with this hash lives."""
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` durably and return its SHA-256; idempotent."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha)
        if target.exists() and target.stat().st_size == len(data):
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return sha

    def get(self, sha256: str) -> bytes:
        """Return the blob's bytes or raise :class:`BlobMissingError`."""
        try:
            return self.path_for(sha256).read_bytes()
        except FileNotFoundError as exc:
            raise BlobMissingError(sha256) from exc

    def exists(self, sha256: str) -> bool:
        """Return True when the blob is stored."""
        return self.path_for(sha256).exists()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
