"""Model replies cached on disk by content hash, so re-processing costs nothing.

One JSON file per key in ``<cache_dir>/llm-replies/``. The key covers
everything that changes the answer: the document's sha256, the model, the
prompt version and whether text was redacted and images sent. We store the raw
reply, not the checked values, so today's checks also apply to old replies.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from extraction.llm.types import MapperReply

CACHE_SUBDIR = "llm-replies"


def cache_key(*parts: str) -> str:
    """Return the hex sha256 of the parts joined unambiguously."""
    return hashlib.sha256(json.dumps(list(parts)).encode("utf-8")).hexdigest()


class ReplyCache:
    """Get and put :class:`MapperReply` objects by key; all failures are misses."""

    def __init__(self, cache_dir: str | os.PathLike[str]) -> None:
        """Use ``<cache_dir>/llm-replies`` (created on first write)."""
        self.root = Path(cache_dir) / CACHE_SUBDIR

    def get(self, key: str) -> MapperReply | None:
        """Return the cached reply for ``key``, or None (missing or unreadable)."""
        try:
            data = json.loads((self.root / f"{key}.json").read_text(encoding="utf-8"))
            return MapperReply(
                content=str(data["content"]),
                prompt_tokens=int(data["prompt_tokens"]),
                completion_tokens=int(data["completion_tokens"]),
                estimated=bool(data.get("estimated", False)),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, reply: MapperReply) -> bool:
        """Store ``reply`` under ``key`` atomically; return False if the disk refused.

        A cache that cannot be written only costs a repeated call later, so the
        error is not raised: the answer in hand is still good.
        """
        try:
            self._write(key, reply)
        except OSError:
            return False
        return True

    def _write(self, key: str, reply: MapperReply) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        data = {
            "content": reply.content,
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "estimated": reply.estimated,
        }
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".reply-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        Path(tmp).replace(self.root / f"{key}.json")
