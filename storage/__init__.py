"""Where AP Inbox keeps things: tables, engine and sessions, blobs, migrations, exports.

SQLite by default (WAL, immediate transactions), PostgreSQL for scale. Other
packages reach the tables through ``storage.models`` and the query helpers in
``storage.repo``.
"""

from storage.blobs import BlobStore
from storage.db import make_engine
from storage.db import read_scope
from storage.db import session_scope

__all__ = ["BlobStore", "make_engine", "read_scope", "session_scope"]
