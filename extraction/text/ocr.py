"""OCR with tesseract on pages rasterised in memory, inside a limited child process.

Why a child: a decompression bomb, a pathological PDF, or a tesseract that hangs or
crashes must cost one FAILED document, not the daemon. The child is an interpreter
running :mod:`extraction.text._raster` as an isolated script (``python -I``, so nothing
is inherited from a threaded parent, no caller needs a ``__main__`` guard, and start-up
does not pay for importing the whole package) in its own session; it caps its address
space at ``config.child_memory_bytes`` before touching any input (tesseract runs inside
it, through tesserocr, under the same cap), and the parent kills the whole group after
``config.ocr_timeout_s``. Children are kept warm between documents
(:mod:`extraction.text.ocr_workers`), and retired after any failure. A job goes in as
one JSON line plus the raw bytes and pages come back as JSON: nothing is ever unpickled.

Inside the child: Pillow's ``MAX_IMAGE_PIXELS`` comes from the config and its
bomb warning is an error; PDF pages are rendered with pypdfium2 at
``config.ocr_dpi`` (lowered for huge pages so the raster stays under the pixel
cap); narrow images are upscaled, since tesseract wants ~20-30 px letters, and an
image whose text came out small is read again larger (:func:`enlargement`);
on a page-sized raster the ruled lines of tables are erased first
(:mod:`extraction.text._rules`); images are read as one block of text
(``--psm 6``, receipts and photos), PDF pages with automatic layout (``--psm 3``);
pages of a long PDF are read by one tesseract engine per core. Regions of a text page
(the areas its large images cover, :mod:`extraction.text.pdf_images`) are
rendered alone and read like
PDF pages, without the re-reads meant for turned or faint scans. When a read
is poor, tesseract's orientation detection (``osd``, when installed) decides a
rotation and the better read is kept.
Words come from tesseract's TSV with their confidence.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any
from typing import cast

from extraction.config import ExtractionConfig
from extraction.models import Method
from extraction.text import Page
from extraction.text import TextError
from extraction.text import Word
from extraction.text import ocr_workers
from extraction.text._raster import Job
from extraction.text._raster import Region
from extraction.text._raster import tesserocr_module

#: Most tesseract engines one document may read with at once (one per core).
MAX_WORKERS = 4
#: The second reader (onnxruntime and its model) maps about 250 MiB into the child; under a
#: tighter memory cap it would take the room tesseract needs, so it is left out.
SECOND_READER_MIN_MEMORY = 512 * 1024 * 1024
#: Text whose word boxes are lower than this (pixels) is read again larger, to TEXT_PX,
#: at most MAX_ENLARGE times (see :func:`enlargement`).
SMALL_TEXT_PX = 20.0
TEXT_PX = 30.0
MAX_ENLARGE = 2.0
#: Failures a warm worker's memory may explain (a job that died or ran out of it): such a
#: job is tried once more in a new worker before its document fails.
FRESH_RETRY = frozenset({"OCR_MEMORY_LIMIT", "OCR_FAILED"})


def is_available() -> bool:
    """Return True when tesseract, through tesserocr, has a language to read."""
    return bool(installed_languages())


def score(mime_type: str, filename: str | None) -> int | None:
    """OCR reads images always and PDFs as a last resort."""
    if mime_type.startswith("image/"):
        return 100
    if mime_type == "application/pdf":
        return 10
    return None


def to_text(data: bytes) -> str:
    """Return the OCR text of an image with default settings."""
    return "\n\n".join(p.text for p in ocr_image(data, ExtractionConfig()))


@cache
def installed_languages() -> frozenset[str]:
    """Return tesseract's installed languages (empty when tesseract or tesserocr is missing)."""
    try:
        tesserocr = tesserocr_module()
    except ImportError:  # also a libtesseract that is not installed
        return frozenset()
    return frozenset(tesserocr.get_languages()[1])


def languages(wanted: str) -> str:
    """Return the wanted languages that are installed, joined with '+' (``eng`` fallback)."""
    have = installed_languages()
    chosen = [lang for lang in wanted.split("+") if lang in have and lang != "osd"]
    return "+".join(chosen) or (
        "eng" if "eng" in have else next(iter(sorted(have - {"osd"})), "eng")
    )


def ocr_image(data: bytes, config: ExtractionConfig, enlarge: float = 1.0) -> list[Page]:
    """OCR every frame of an image (PNG, JPEG, TIFF, GIF, HEIC) up to ``max_pages``.

    ``enlarge`` reads every frame that many times larger (see :func:`enlargement`).
    """
    return _run(replace(_job("image", (), config), enlarge=enlarge), data)


def enlargement(pages: Sequence[Page]) -> float:
    """Return how many times larger to read an image again whose text came out small.

    Tesseract wants letters some 20-30 px high; a document page scanned at 150 dpi gives
    it 10-18 px word boxes, where it drops decimal commas ("56,87" read "5687"). Read
    twice as large, the corpus's Factur-X invoices scanned at 150 dpi gave 88.7 % of their
    fields instead of 77.5 %, as much as at 300 dpi (``apinbox bench accuracy --scan-dpi``).
    Till receipts are not re-read: their thermal print read larger lost more shop names
    than it gained dates.
    """
    sizes = [p.text_px for p in pages if p.text_px > 0]
    if not sizes or min(sizes) >= SMALL_TEXT_PX:
        return 1.0
    return min(MAX_ENLARGE, TEXT_PX / min(sizes))


def ocr_pdf(data: bytes, pages: list[int], config: ExtractionConfig) -> list[Page]:
    """OCR the given 1-based pages of a PDF."""
    return _run(_job("pdf", tuple(pages), config), data)


def ocr_regions(
    data: bytes, regions: Sequence[Region], config: ExtractionConfig
) -> list[tuple[int, tuple[Word, ...]]]:
    """OCR parts of PDF pages (their embedded images), in one child process.

    Args:
        data: the PDF.
        regions: (1-based page, x0, top, x1, bottom) in points from the page's top-left.
        config: OCR languages, resolution and the child's limits.

    Returns:
        Per region, its page number and its words in that page's coordinates.
    """
    pages = _run(_job("regions", (), config, tuple(regions)), data)
    return [(regions[p.number - 1][0], _shifted(p, regions[p.number - 1])) for p in pages]


def _shifted(page: Page, region: Region) -> tuple[Word, ...]:
    # The child measures from the region's corner; the text layer from the page's.
    _, left, top, _, _ = region
    return tuple(
        replace(w, x0=w.x0 + left, x1=w.x1 + left, top=w.top + top, bottom=w.bottom + top)
        for w in page.words
    )


def _job(
    kind: str, pages: tuple[int, ...], config: ExtractionConfig, regions: tuple[Region, ...] = ()
) -> Job:
    if not installed_languages():
        raise TextError("OCR_UNAVAILABLE", "tesseract is not installed, so images cannot be read")
    return Job(
        kind=kind,
        pages=pages,
        dpi=config.ocr_dpi,
        languages=languages(config.ocr_languages),
        max_pixels=config.max_image_pixels,
        max_pages=config.max_pages,
        memory_bytes=config.child_memory_bytes,
        timeout_s=config.ocr_timeout_s,
        workers=max(1, min(os.cpu_count() or 1, MAX_WORKERS, len(pages or regions) or MAX_WORKERS)),
        osd="osd" in installed_languages(),
        regions=regions,
        second_reader=config.ocr_second_reader
        and config.child_memory_bytes >= SECOND_READER_MIN_MEMORY,
    )


def _run(job: Job, data: bytes) -> list[Page]:
    worker = ocr_workers.POOL.take(job.memory_bytes)
    try:
        return _ask(worker, job, data)
    except TextError as exc:
        if exc.code not in FRESH_RETRY or worker.jobs == 1:
            raise
    # A worker that read other documents has less room than a new one: one more try there.
    return _ask(ocr_workers.Worker(job.memory_bytes), job, data)


def _ask(worker: ocr_workers.Worker, job: Job, data: bytes) -> list[Page]:
    try:
        out, err = worker.ask(job.encode(data), job.timeout_s)
    except ocr_workers.WorkerTimeout as exc:
        raise TextError(
            "OCR_TIMEOUT", f"OCR took longer than {job.timeout_s:.0f} s and was stopped"
        ) from exc
    reply = _parse_reply(out, err, worker.process.returncode, job)
    if reply["status"] != "ok":
        worker.stop()  # a failed job may have left it short of memory: the next one starts afresh
        raise TextError(reply["status"], reply["reason"])
    ocr_workers.POOL.give_back(worker)
    return [_page(raw) for raw in reply["pages"]]


def _parse_reply(out: bytes, err: bytes, code: int | None, job: Job) -> dict[str, Any]:
    try:
        return cast("dict[str, Any]", json.loads(out))
    except ValueError as exc:
        mib = job.memory_bytes // (1024 * 1024)
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        reason = f"the OCR process died (exit {code}, limit {mib} MiB): {tail[0][:200]}"
        raise TextError("OCR_FAILED", reason) from exc


def _page(raw: list[Any]) -> Page:
    number, width, height, words, text_px, notes = raw
    page_words = tuple(_word(w) for w in words)
    return Page(number, width, height, page_words, Method.OCR, text_px, tuple(notes))


def _word(raw: list[Any]) -> Word:
    text, x0, top, x1, bottom, conf = raw
    return Word(text, x0, top, x1, bottom, conf, Method.OCR)
