"""Storage settings: where the database and the blob store live."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel


class StorageConfig(BaseModel):
    """``[storage]`` in the config file; ``APINBOX_STORAGE__*`` in the environment."""

    data_dir: Path = Path("var")
    #: Defaults to SQLite in ``data_dir`` (``sqlite:///<data_dir>/apinbox.db``).
    database_url: str | None = None

    def resolved_database_url(self) -> str:
        """Return the configured URL, or the embedded SQLite database's."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'apinbox.db'}"

    @property
    def blob_dir(self) -> Path:
        """Directory of the content-addressed blob store."""
        return self.data_dir / "blobs"
