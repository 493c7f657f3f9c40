"""The review desk: JSON API and server-rendered pages for the accountant.

``create_app(config, engine, blobs)`` returns the FastAPI application; the
daemon serves it with uvicorn next to its workers.
"""

from review_api.app import create_app
from review_api.config import ReviewConfig

__all__ = ["ReviewConfig", "create_app"]
