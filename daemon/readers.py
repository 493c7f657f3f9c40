"""Reading stored messages in child processes, one per worker thread at a time.

Extraction is pure (bytes in, data out), so where it runs is the daemon's choice.
In a child it buys two things. Text PDFs are read on every core: in one process,
reading a text layer and finding fields is Python under one interpreter lock, and
pdfium takes one lock besides, so two worker threads used one core. And a reader
that dies (a library crashing on a hostile file, the kernel killing it for memory)
or hangs fails that one message with a stored reason, which the worker retries and
finally gives up on, instead of taking the daemon down with every message in
flight, and again each time the message's lease expires.

A child stays warm between messages: starting one and importing the readers costs
about a second. OCR runs in the child's own OCR workers, as it does in-process. A
child's address space is capped (``worker.read_memory_bytes``), so a file that would
need gigabytes fails as that message's MemoryError or crash, before the kernel's
out-of-memory killer picks a process, perhaps the daemon.
"""

from __future__ import annotations

import atexit
import multiprocessing
import pickle
import resource
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from extraction.config import ExtractionConfig
from extraction.models import Candidate
from extraction.models import ExtractedDocument

Parts = list[tuple[Candidate, ExtractedDocument]]
#: How the worker reads a message: ``extraction.extract_parts`` or a child's reading of it.
ReadParts = Callable[[bytes, str | None, ExtractionConfig], Parts]
#: Seconds a stopped child gets to exit before it is killed.
STOP_GRACE_S = 2.0
#: A reading that takes longer is stopped, when no limit is configured (``worker.read_timeout_s``).
TIMEOUT_S = 300.0
#: A child's address-space cap when none is configured (``worker.read_memory_bytes``): the
#: corpus's 328 files, read in turn by one child, peaked at 171 MB.
MEMORY_BYTES = 2 * 1024**3


class ReadFailed(Exception):
    """The message could not be read; ``reason`` says why, for the stored error."""

    def __init__(self, reason: str) -> None:
        """Keep the human reason."""
        super().__init__(reason)
        self.reason = reason


class Reader:
    """One child process that reads one message at a time."""

    def __init__(self, memory_bytes: int) -> None:
        """Start the child (spawned: a fork would copy the daemon's threads and locks)."""
        self.memory_bytes = memory_bytes
        context = multiprocessing.get_context("spawn")
        self._conn, child_end = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child_end, memory_bytes), name="apinbox-reader", daemon=True
        )
        self._process.start()
        child_end.close()

    @property
    def pid(self) -> int | None:
        """Return the child's process id."""
        return self._process.pid

    def alive(self) -> bool:
        """Return True while the child runs."""
        return self._process.is_alive()

    def read(
        self, data: bytes, filename: str | None, config: ExtractionConfig, timeout_s: float
    ) -> Parts:
        """Return what the child read, or raise :class:`ReadFailed` (the child is then gone)."""
        try:
            self._conn.send((data, filename, config))
            if not self._conn.poll(timeout_s):
                self.stop()
                why = f"reading took longer than {timeout_s:g} s; the reader was stopped"
                raise ReadFailed(why)
            ok, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise ReadFailed(self._died()) from exc
        if not ok:
            raise ReadFailed(str(value))
        parts: Parts = value
        return parts

    def _died(self) -> str:
        self._process.join(STOP_GRACE_S)
        code = self._process.exitcode
        self.stop()
        return f"the reader process died while reading this message (exit code {code})"

    def stop(self) -> None:
        """End the child: closing its pipe ends its loop; a child that hangs is killed."""
        self._conn.close()
        self._process.join(STOP_GRACE_S)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(STOP_GRACE_S)


def _serve(conn: Connection, memory_bytes: int) -> None:
    # The child's loop: one message in, its parts (or why not) out, until the pipe closes.
    # Only the soft limit: the child's OCR workers set their own (extraction.child_memory_bytes).
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))
    from extraction import extract_parts

    # Ctrl-C reaches the whole process group: the daemon stops gracefully and lets the
    # message in hand be read. SIGTERM keeps its default: at exit, multiprocessing ends a
    # child still reading with it (and would wait forever for one that ignored it).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            data, filename, config = conn.recv()
        except (EOFError, OSError):
            return
        reply: tuple[bool, Any]
        try:
            reply = (True, extract_parts(data, filename, config))
        except Exception as exc:  # extraction types its failures; anything else is a bug
            reply = (False, f"{type(exc).__name__}: {exc}")
        _reply(conn, reply)


def _reply(conn: Connection, reply: tuple[bool, Any]) -> None:
    # A reply is pickled whole before a byte is written: one that cannot be pickled is
    # replaced by why, and the child lives on.
    try:
        conn.send(reply)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
        conn.send((False, f"the parts read could not be passed back: {type(exc).__name__}: {exc}"))


class Readers:
    """Warm reader children, lent to one worker thread at a time."""

    def __init__(self) -> None:
        """Start with none: a child starts when a message first needs one."""
        self._idle: list[Reader] = []
        self._lock = threading.Lock()

    def reading(self, timeout_s: float, memory_bytes: int = MEMORY_BYTES) -> ReadParts:
        """Return a read function for the stages: each call reads in a child."""

        def read(data: bytes, filename: str | None, config: ExtractionConfig) -> Parts:
            return self.read(data, filename, config, timeout_s, memory_bytes)

        return read

    def read(
        self,
        data: bytes,
        filename: str | None,
        config: ExtractionConfig,
        timeout_s: float,
        memory_bytes: int = MEMORY_BYTES,
    ) -> Parts:
        """Read one message in an idle child with that memory cap (a new one if none is idle)."""
        reader = self._take(memory_bytes)
        try:
            return reader.read(data, filename, config, timeout_s)
        finally:
            if reader.alive():  # a child that died or hung was stopped; one that raised lives
                with self._lock:
                    self._idle.append(reader)

    def _take(self, memory_bytes: int) -> Reader:
        with self._lock:
            for reader in [r for r in self._idle if not r.alive()]:
                self._idle.remove(reader)
                reader.stop()  # died while idle (killed for memory): not lent out
            for reader in self._idle:
                if reader.memory_bytes == memory_bytes:
                    self._idle.remove(reader)
                    return reader
        return Reader(memory_bytes)

    def close(self) -> None:
        """Stop every idle child."""
        with self._lock:
            idle, self._idle = self._idle, []
        for reader in idle:
            reader.stop()


#: The process's readers; children outlive one runtime (tests build many) and end at exit.
POOL = Readers()
atexit.register(POOL.close)
