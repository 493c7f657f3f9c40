"""pdfium is not thread-safe: every use of it inside this process holds :data:`LOCK`.

The daemon may run several worker threads and renders for the LLM in them too;
without one lock, two threads inside pdfium at once can crash the process.
(OCR rasterises in a child process and needs no lock.)
"""

from __future__ import annotations

import threading

LOCK = threading.RLock()
