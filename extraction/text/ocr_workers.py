"""Warm OCR child processes, reused from one document to the next.

A fresh child per document paid, every time, for an interpreter, Pillow, onnxruntime and
the second reader's two models: 0.5-0.6 s of a core per receipt, a quarter of its
reading. A worker keeps them, and its tesseract engines, loaded and answers one job
after another on its pipes (one JSON line and the document's bytes in, one JSON line
out), under the address-space cap it set for itself when it started, so the limits stay
per child.

A worker is never trusted after anything but a clean reply: a timeout, a crash or a
failed job (it may have run short of memory) kills it, and the next
job starts a new one. It also retires after ``MAX_JOBS`` jobs, and ends by itself after
``IDLE_S`` without work, or when its stdin reaches end-of-file as this process exits,
however it exits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

RASTER = Path(__file__).with_name("_raster.py")
#: Jobs one worker answers before it is replaced (bounds what a long life could leak).
MAX_JOBS = 200
#: Idle workers kept per memory cap: one per core is what the callers can use at once.
MAX_IDLE = max(1, os.cpu_count() or 1)
#: A worker left idle this long ends, giving back its memory (some 205 MB with the second
#: reader's models and a tesseract engine); the next document starts a new one.
IDLE_S = 300.0
#: The end of a worker's stderr kept to explain its death.
STDERR_TAIL = 4096
_CHUNK = 64 * 1024


class WorkerTimeout(Exception):
    """The worker did not answer within the job's time; it has been stopped."""


class Worker:
    """One OCR child process serving jobs over its pipes."""

    def __init__(self, memory_bytes: int) -> None:
        """Start the child; it caps its own address space at ``memory_bytes``."""
        self.memory_bytes = memory_bytes
        self.jobs = 0
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(RASTER), str(memory_bytes), str(IDLE_S)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(os.environ, OMP_THREAD_LIMIT="1"),
            start_new_session=True,
        )
        assert self.process.stdin is not None
        os.set_blocking(self.process.stdin.fileno(), False)

    @property
    def alive(self) -> bool:
        """True while the child runs."""
        return self.process.poll() is None

    def ask(self, request: bytes, timeout_s: float) -> tuple[bytes, bytes]:
        """Send one request; return the reply line (empty if the child died) and its stderr.

        Raises:
            WorkerTimeout: no reply within ``timeout_s``; the worker is stopped.
        """
        self.jobs += 1
        exchange = _Exchange(self.process, request)
        if not exchange.run(time.monotonic() + timeout_s):
            self.stop()
            raise WorkerTimeout
        if not exchange.replied:
            self.stop()
        return exchange.reply, bytes(exchange.stderr)

    def stop(self) -> None:
        """Kill the child and anything it started (it leads its own process group)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self.process.wait()


class _Exchange:
    """Write a request and read its one-line reply without blocking on either pipe.

    Like ``Popen.communicate``, but the pipes stay open for the next job.
    """

    def __init__(self, process: subprocess.Popen[bytes], request: bytes) -> None:
        assert process.stdin and process.stdout and process.stderr
        self.request = memoryview(request)
        self.stdin, self.stdout, self.err = process.stdin, process.stdout, process.stderr
        self.received = bytearray()
        self.stderr: deque[int] = deque(maxlen=STDERR_TAIL)
        self.replied = False
        self.closed = False  # stdout ended: the child died
        self.err_open = True

    @property
    def reply(self) -> bytes:
        return bytes(self.received) if self.replied else b""

    def run(self, deadline: float) -> bool:
        """Exchange until a reply or the child's end; False when the deadline passed first."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.stdin, selectors.EVENT_WRITE)
            selector.register(self.stdout, selectors.EVENT_READ)
            selector.register(self.err, selectors.EVENT_READ)
            # A dead child's stderr is read to its end: its last line says why it died.
            while not self.replied and (not self.closed or self.err_open):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                for key, _ in selector.select(remaining):
                    self._step(selector, key.fileobj)
        return True

    def _step(self, selector: selectors.BaseSelector, pipe: object) -> None:
        if pipe is self.stdin:
            self._write(selector)
        elif pipe is self.stdout:
            chunk = os.read(self.stdout.fileno(), _CHUNK)
            self.received += chunk
            self.replied = self.received.endswith(b"\n")
            self.closed = not chunk
            if self.closed:
                selector.unregister(self.stdout)
        else:
            chunk = os.read(self.err.fileno(), _CHUNK)
            self.stderr.extend(chunk)
            self.err_open = bool(chunk)
            if not chunk:
                selector.unregister(self.err)

    def _write(self, selector: selectors.BaseSelector) -> None:
        try:  # stdin is non-blocking: a write takes what the pipe has room for
            sent = os.write(self.stdin.fileno(), self.request[:_CHUNK])
        except BlockingIOError:
            return
        except BrokenPipeError:
            sent = len(self.request)  # the child died: its stdout's end will say so
        self.request = self.request[sent:]
        if not self.request:
            selector.unregister(self.stdin)


class Pool:
    """Idle workers by memory cap; a caller takes one, or a new one, and gives it back."""

    def __init__(self) -> None:
        """Start empty: workers start on first use."""
        self._idle: dict[int, list[Worker]] = {}
        self._lock = threading.Lock()

    def take(self, memory_bytes: int) -> Worker:
        """Return an idle live worker with this cap, or start one."""
        with self._lock:
            idle = self._idle.setdefault(memory_bytes, [])
            while idle:
                worker = idle.pop()
                if worker.alive:
                    return worker
                worker.stop()
        return Worker(memory_bytes)

    def give_back(self, worker: Worker) -> None:
        """Keep a worker that answered cleanly for the next job, unless it is due to retire."""
        with self._lock:
            idle = self._idle.setdefault(worker.memory_bytes, [])
            if worker.alive and worker.jobs < MAX_JOBS and len(idle) < MAX_IDLE:
                idle.append(worker)
                return
        worker.stop()

    def close(self) -> None:
        """Stop every idle worker."""
        with self._lock:
            workers = [w for idle in self._idle.values() for w in idle]
            self._idle.clear()
        for worker in workers:
            worker.stop()


POOL = Pool()
atexit.register(POOL.close)
