"""Settings of the review desk: where it listens and how it treats uploads and cookies."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import Field

#: Default cap on one upload request (all files together), in bytes.
DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ReviewConfig(BaseModel):
    """``[review]`` in the config file; ``APINBOX_REVIEW__*`` in the environment."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    #: Rows per page in the queue and the default ``limit`` of the list API.
    page_size: int = Field(default=50, ge=1, le=500)
    #: Largest accepted upload request; bigger ones are answered 413.
    max_upload_bytes: int = Field(default=DEFAULT_MAX_UPLOAD_BYTES, ge=1)
    #: Set the login cookie's ``Secure`` flag (enable behind HTTPS).
    cookie_secure: bool = False
