"""Warm OCR workers: reused between documents, never trusted after a failure, never orphaned."""

from __future__ import annotations

import io
import os
import random
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from extraction.config import ExtractionConfig
from extraction.text import TextError
from extraction.text import ocr
from extraction.text import ocr_workers
from tests.support.images import text_image

pytestmark = pytest.mark.ocr

#: Tesseract alone, under a small cap: these tests are about the workers, not the reading.
SMALL = ExtractionConfig(ocr_second_reader=False, child_memory_bytes=400 * 1024 * 1024)


class Started:
    """Every worker the pool starts during a test, in order."""

    def __init__(self) -> None:
        self.workers: list[ocr_workers.Worker] = []


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[Started]:
    """Give the test its own pool and record the workers it starts."""
    record = Started()
    real = ocr_workers.Worker

    class Recorded(real):  # type: ignore[valid-type,misc]
        def __init__(self, memory_bytes: int) -> None:
            super().__init__(memory_bytes)
            record.workers.append(self)

    pool = ocr_workers.Pool()
    monkeypatch.setattr(ocr_workers, "Worker", Recorded)
    monkeypatch.setattr(ocr_workers, "POOL", pool)
    yield record
    pool.close()
    for worker in record.workers:
        worker.stop()


def _text_image(text: str = "INVOICE 4711\nTotal 12.50", image_format: str = "PNG") -> bytes:
    return text_image(
        text, (700, 200), font_size=32, line_height=60, margin=30, image_format=image_format
    )


def _noise_png(side: int = 800) -> bytes:
    # Black-and-white noise: tesseract spends seconds on its specks, then re-reads it.
    noise = Image.frombytes("L", (side, side), random.Random(0).randbytes(side * side))
    image = io.BytesIO()
    noise.point(lambda v: 0 if v < 128 else 255).save(image, format="PNG")
    return image.getvalue()


def _bomb_png(width: int, height: int) -> bytes:
    # Allowed by a raised pixel cap, but its raster does not fit under the worker's memory cap.
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    raw = zlib.compress((b"\x00" * (width + 1)) * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _stat(pid: int | str) -> list[str] | None:
    # Fields after the command name: state, parent, process group, ...
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _ended(pid: int) -> bool:
    stat = _stat(pid)
    return stat is None or stat[0] in {"Z", "X"}  # a zombie has ended; its reaper may be slow


def _group_ended(pgid: int) -> bool:
    members = (_stat(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    return not any(s is not None and s[2] == str(pgid) and s[0] not in "ZX" for s in members)


def _soon(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 10
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)
    return check()


def test_one_worker_reads_one_document_after_another(started: Started) -> None:
    first = ocr.ocr_image(_text_image(), SMALL)
    second = ocr.ocr_image(_text_image("INVOICE 4712"), SMALL)
    assert "4711" in first[0].text and "4712" in second[0].text
    assert len(started.workers) == 1
    assert started.workers[0].alive and started.workers[0].jobs == 2


def test_a_timeout_stops_the_worker_and_its_tesseract(started: Started) -> None:
    with pytest.raises(TextError) as caught:
        ocr.ocr_image(_noise_png(), replace(SMALL, ocr_timeout_s=2.0))
    assert caught.value.code == "OCR_TIMEOUT"
    stopped = started.workers[0]
    assert not stopped.alive
    assert _soon(lambda: _group_ended(stopped.process.pid))
    assert "4711" in ocr.ocr_image(_text_image(), SMALL)[0].text
    assert len(started.workers) == 2


def test_a_tesseract_that_crashes_fails_its_document_not_the_daemon(started: Started) -> None:
    # Tesseract reads inside the worker: a segfault there ends the worker mid-job.
    def crash_while_reading() -> None:
        _soon(lambda: bool(started.workers))
        time.sleep(0.5)  # the worker has its job: the noise keeps tesseract for seconds
        os.kill(started.workers[0].process.pid, signal.SIGSEGV)

    crash = threading.Thread(target=crash_while_reading)
    crash.start()
    with pytest.raises(TextError) as caught:
        ocr.ocr_image(_noise_png(), SMALL)
    crash.join()
    assert caught.value.code == "OCR_FAILED"
    assert f"exit {-signal.SIGSEGV}" in caught.value.reason
    assert "4711" in ocr.ocr_image(_text_image(), SMALL)[0].text
    assert len(started.workers) == 2


def test_a_worker_that_died_while_idle_is_replaced(started: Started) -> None:
    ocr.ocr_image(_text_image(), SMALL)
    os.kill(started.workers[0].process.pid, signal.SIGKILL)
    started.workers[0].process.wait()
    assert "4712" in ocr.ocr_image(_text_image("INVOICE 4712"), SMALL)[0].text
    assert len(started.workers) == 2


def test_an_idle_worker_ends_and_gives_its_memory_back(
    started: Started, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr_workers, "IDLE_S", 1.0)
    ocr.ocr_image(_text_image(), SMALL)
    assert _soon(lambda: not started.workers[0].alive)
    assert started.workers[0].process.returncode == 0
    assert "4712" in ocr.ocr_image(_text_image("INVOICE 4712"), SMALL)[0].text
    assert len(started.workers) == 2


def test_a_failed_job_retires_its_worker(started: Started) -> None:
    with pytest.raises(TextError) as caught:
        ocr.ocr_image(b"\x89PNG\r\n\x1a\n" + b"not a png" * 20, SMALL)
    assert caught.value.code == "IMAGE_BROKEN"
    assert not started.workers[0].alive
    assert "4711" in ocr.ocr_image(_text_image(), SMALL)[0].text


def test_a_memory_failure_in_a_warm_worker_is_tried_again_in_a_new_one(started: Started) -> None:
    config = replace(SMALL, max_image_pixels=2_000_000_000)
    ocr.ocr_image(_text_image(), config)
    with pytest.raises(TextError) as caught:
        ocr.ocr_image(_bomb_png(30000, 30000), config)
    assert caught.value.code == "OCR_MEMORY_LIMIT"
    # The warm worker failed, then a new one failed too: only then does the document fail.
    assert len(started.workers) == 2
    assert not any(worker.alive for worker in started.workers)


def test_a_memory_failure_in_a_new_worker_is_not_tried_again(started: Started) -> None:
    config = replace(SMALL, max_image_pixels=2_000_000_000)
    with pytest.raises(TextError) as caught:
        ocr.ocr_image(_bomb_png(30000, 30000), config)
    assert caught.value.code == "OCR_MEMORY_LIMIT"
    assert len(started.workers) == 1


def test_a_worker_retires_after_its_share_of_jobs(
    started: Started, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr_workers, "MAX_JOBS", 2)
    for number in range(3):
        ocr.ocr_image(_text_image(f"INVOICE 47{number}"), SMALL)
    assert len(started.workers) == 2
    assert not started.workers[0].alive


def test_workers_end_with_the_process_that_started_them(tmp_path: Path) -> None:
    # os._exit skips every clean-up: the idle worker must notice on its own.
    image = tmp_path / "invoice.png"
    image.write_bytes(_text_image())
    script = (
        "import os, sys\n"
        "from extraction.config import ExtractionConfig\n"
        "from extraction.text import ocr, ocr_workers\n"
        "ocr.ocr_image(open(sys.argv[1], 'rb').read(), ExtractionConfig(ocr_second_reader=False))\n"
        "print(*(w.process.pid for idle in ocr_workers.POOL._idle.values() for w in idle))\n"
        "sys.stdout.flush()\n"
        "os._exit(0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(image)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    pids = [int(pid) for pid in done.stdout.split()]
    assert len(pids) == 1
    assert _soon(lambda: _ended(pids[0]))


def test_a_document_larger_than_a_pipe_goes_through_whole(started: Started) -> None:
    # A multi-megabyte scan is written in pieces while the worker reads: nothing is lost.
    tiff = _text_image(image_format="TIFF")  # uncompressed: two pipe-fulls
    assert len(tiff) > 2 * 64 * 1024
    assert "4711" in ocr.ocr_image(tiff, SMALL)[0].text
