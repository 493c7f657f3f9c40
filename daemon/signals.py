"""Graceful stop on SIGTERM/SIGINT; a second signal forces the exit."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

log = logging.getLogger(__name__)

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def on_stop(callback: Callable[[], None]) -> Iterator[None]:
    """Call ``callback`` on the first signal, exit hard on the second; restore handlers after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        if received:
            log.warning("second signal %s: exiting now", signum)
            os._exit(130)
        received.append(signum)
        log.info("signal %s: stopping gracefully (send again to force)", signum)
        callback()

    previous = {sig: signal.signal(sig, handler) for sig in _SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
