"""Extraction accuracy benchmark over a corpus of documents with ``*.truth.json`` files.

``python -m daemon.bench accuracy DIR [--ignore-xml] [--kind K ...] [--jobs N]
[--repeat N] [--in-children] [--no-second-reader] [--json]`` walks
``DIR/<kind>/`` (``eml`` is skipped: its truth has no invoice fields), runs
:func:`extraction.extract` on each document that has a truth file, and reports per
kind and per field the share of documents whose value equals the truth, the
line-item accuracy, accuracy per confidence band, and throughput.

Equality rules: amounts numerically, dates as dates, identifiers without case,
spaces and separators, names after NFKC + casefold + punctuation/space
collapsing. A field missing from the output is wrong; one missing from the truth
is not scored.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from pathlib import Path
from typing import Any
from typing import TextIO

from daemon import readers
from extraction import extract
from extraction.config import ExtractionConfig
from extraction.models import FIELD_KEYS
from extraction.models import PAYABLE_TYPES
from extraction.models import DocumentType
from extraction.models import ExtractedDocument
from extraction.models import FieldValue
from extraction.models import LineItem
from extraction.text import ocr
from extraction.text import pdfium_guard

AMOUNT_KEYS = frozenset({"net_amount", "tax_amount", "total_amount", "amount_due"})
DATE_KEYS = frozenset({"invoice_date", "due_date"})
ID_KEYS = frozenset(
    {"invoice_number", "vendor_vat_id", "vendor_iban", "po_number", "vendor_tax_number"}
)
SKIPPED_KINDS = frozenset({"eml"})
#: Confidence bands, checked in order: (label, lower bound inclusive).
BANDS: tuple[tuple[str, float], ...] = (
    (">=0.95", 0.95),
    ("0.8-0.95", 0.8),
    ("<0.8", float("-inf")),
)


@dataclass(frozen=True)
class Read:
    """One document's extraction: the documents, seconds taken, pages, and any crash."""

    documents: list[ExtractedDocument]
    seconds: float
    pages: int
    error: str | None


_ID_NOISE = re.compile(r"[\s\-./_#]+")
_NAME_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_NAME_INNER = re.compile(r"[\s,;:]+")


def same(key: str, got: Any, truth: Any) -> bool:
    """Return whether an extracted value equals the truth under the rules for ``key``.

    Args:
        key: the field key (decides the comparison).
        got: the extracted value (Decimal, date or str).
        truth: the truth file's value (a string).
    """
    if got is None or truth is None:
        return False
    if key in AMOUNT_KEYS:
        return _amount(got) is not None and _amount(got) == _amount(truth)
    if key in DATE_KEYS:
        return _as_date(got) is not None and _as_date(got) == _as_date(truth)
    if key in ID_KEYS:
        return norm_id(str(got)) == norm_id(str(truth))
    return norm_name(str(got)) == norm_name(str(truth))


def norm_id(value: str) -> str:
    """Return an identifier without case, spaces or separators (``-./_#``)."""
    return _ID_NOISE.sub("", unicodedata.normalize("NFKC", value)).casefold()


def norm_name(value: str) -> str:
    """Return a name after NFKC, casefold, edge punctuation trimmed and spacing collapsed."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return _NAME_INNER.sub(" ", _NAME_EDGE.sub("", folded)).strip()


def _amount(value: Any) -> Decimal | None:
    """Return ``value`` as a Decimal, or None when it is not a number."""
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _as_date(value: Any) -> date | None:
    """Return ``value`` as a date (ISO strings accepted), or None."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def lines_match(got: tuple[LineItem, ...], truth: list[dict[str, str]]) -> bool:
    """Return whether the line items have the truth's count and every amount equals."""
    if len(got) != len(truth):
        return False
    return all(
        "amount" not in want or same("net_amount", line.amount, want["amount"])
        for line, want in zip(got, truth, strict=True)
    )


@dataclass
class Tally:
    """Correct / scored counts."""

    correct: int = 0
    scored: int = 0

    def add(self, *, ok: bool) -> None:
        """Count one scored value."""
        self.scored += 1
        self.correct += int(ok)

    def to_json(self) -> dict[str, Any]:
        """Return counts and the accuracy (None when nothing was scored)."""
        accuracy = round(self.correct / self.scored, 4) if self.scored else None
        return {"correct": self.correct, "scored": self.scored, "accuracy": accuracy}


@dataclass
class KindScore:
    """Everything measured for one corpus kind."""

    documents: int = 0
    pages: int = 0
    seconds: float = 0.0
    #: How many times the documents were read for the clock (scores come from the first).
    repeat: int = 1
    fields: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in FIELD_KEYS})
    line_items: Tally = field(default_factory=Tally)
    failures: list[str] = field(default_factory=list)

    def _rate(self, count: int) -> float | None:
        """Return ``count`` (read ``repeat`` times) per second of extraction time."""
        return round(count * self.repeat / self.seconds, 2) if self.seconds else None

    def to_json(self) -> dict[str, Any]:
        """Return the kind's scores, all fields pooled under ``all_fields``."""
        pooled = Tally(
            sum(t.correct for t in self.fields.values()),
            sum(t.scored for t in self.fields.values()),
        )
        return {
            "documents": self.documents,
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
            "repeat": self.repeat,
            "documents_per_second": self._rate(self.documents),
            "pages_per_second": self._rate(self.pages),
            "fields": {k: t.to_json() for k, t in self.fields.items()},
            "all_fields": pooled.to_json(),
            "line_items": self.line_items.to_json(),
            "failures": self.failures,
        }


@dataclass
class Run:
    """The state of one benchmark run."""

    kinds: dict[str, KindScore] = field(default_factory=dict)
    bands: dict[str, Tally] = field(default_factory=lambda: {label: Tally() for label, _ in BANDS})
    mismatches: list[dict[str, Any]] = field(default_factory=list)


def run_accuracy(
    corpus_dir: Path,
    *,
    ignore_xml: bool,
    kinds: list[str] | None,
    out: TextIO,
    jobs: int = 1,
    second_reader: bool = True,
    scan_dpi: int | None = None,
    repeat: int = 1,
    in_children: bool = False,
) -> dict[str, Any]:
    """Score extraction against the corpus truth and print a table to ``out``.

    Args:
        corpus_dir: a folder with one sub-folder per kind (``xml-cii``, ``pdf-text``...).
        ignore_xml: read only what a person sees (passed to :class:`ExtractionConfig`).
        kinds: restrict to these kinds; None means every kind found.
        out: where the readable table goes.
        jobs: documents read at once, as the daemon's ``worker.threads`` do; with more
            than one, throughput is measured on the wall clock of each kind.
        second_reader: read the dates, amounts and shop names of images twice (the default).
        scan_dpi: read every PDF as a grayscale scan of its pages at this resolution (a
            multi-page TIFF rendered before the clock starts): what OCR makes of the same
            invoices when they arrive scanned.
        repeat: read each kind's documents this many times in one stream for the clock;
            a pass of a few pages ends with its slowest document read alone, which a
            daemon fed a stream of mail does not wait for.
        in_children: read in reader child processes, as the daemon does
            (``worker.read_in_child``), instead of in this process.

    Returns:
        The machine-readable result (see :func:`_result`).
    """
    config = ExtractionConfig(ignore_xml=ignore_xml, ocr_second_reader=second_reader)
    plan = Plan(config, max(1, jobs), scan_dpi, max(1, repeat), in_children)
    run = Run()
    by_kind: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for kind, path, truth in iter_corpus(corpus_dir, kinds):
        by_kind.setdefault(kind, []).append((path, truth))
    for kind, documents in by_kind.items():
        _score_kind(run, kind, documents, plan)
    result = _result(run, corpus_dir, ignore_xml=ignore_xml) | {
        "scan_dpi": scan_dpi,
        "in_children": in_children,
    }
    out.write(format_table(result))
    return result


@dataclass(frozen=True)
class Plan:
    """How documents are read for the clock (see :func:`run_accuracy`)."""

    config: ExtractionConfig
    jobs: int = 1
    scan_dpi: int | None = None
    repeat: int = 1
    in_children: bool = False

    def extract(self, data: bytes, name: str) -> list[ExtractedDocument]:
        """Read one document here or in a reader child."""
        if self.in_children:
            parts = readers.POOL.read(data, name, self.config, readers.TIMEOUT_S)
            return [doc for _, doc in parts]
        return extract(data, name, self.config)


def _score_kind(
    run: Run, kind: str, documents: list[tuple[Path, dict[str, Any]]], plan: Plan
) -> None:
    warm(documents[0][0], plan)
    started = time.perf_counter()
    with ThreadPoolExecutor(plan.jobs) as pool:
        stream = documents * plan.repeat
        reads = list(pool.map(lambda doc: _timed_extract(doc[0], plan), stream))
    wall = time.perf_counter() - started
    for (path, truth), read in zip(documents, reads[: len(documents)], strict=True):
        _record(run, kind, path, truth, read)
    score = run.kinds[kind]
    score.repeat = plan.repeat
    score.seconds = wall if plan.jobs > 1 else sum(read.seconds for read in reads)


def warm(first: Path, plan: Plan) -> None:
    """Read before the clock starts, as a daemon under load has: its readers imported and
    warm, an OCR worker included (pdf-text OCRs one image, not in its first document).

    In children, each job's child is started and warmed, at once so that they differ.
    """
    copies = plan.jobs if plan.in_children else 1
    with ThreadPoolExecutor(copies) as pool:
        list(pool.map(lambda _: _timed_extract(first, plan), range(copies)))
        list(pool.map(lambda _: _warm_ocr(plan), range(copies)))


def _warm_ocr(plan: Plan) -> None:
    """Start an OCR worker and load its first language's engine, as a stream of mail has."""
    from PIL import Image
    from PIL import ImageDraw

    if not ocr.is_available():
        return
    image = Image.new("L", (400, 60), 255)
    ImageDraw.Draw(image).text((10, 10), "INVOICE 4711", fill=0, font_size=32)
    png = io.BytesIO()
    image.save(png, format="PNG")
    if plan.in_children:
        plan.extract(png.getvalue(), "warm.png")
    else:
        ocr.ocr_image(png.getvalue(), plan.config)


def _timed_extract(path: Path, plan: Plan) -> Read:
    """Extract one document and time it; an exception is kept as its failure."""
    data, name = path.read_bytes(), path.name
    if plan.scan_dpi is not None and data[:1024].find(b"%PDF-") >= 0:
        data, name = as_scan(data, plan.scan_dpi), f"{path.stem}.tif"
    started = time.perf_counter()
    try:
        documents, error = plan.extract(data, name), None
    except Exception as exc:
        documents, error = [], f"{path.name}: {type(exc).__name__}: {exc}"
    return Read(documents, time.perf_counter() - started, count_pages(data), error)


def as_scan(pdf: bytes, dpi: int) -> bytes:
    """Return the PDF's pages as a grayscale multi-page TIFF at ``dpi``, as a scanner makes it."""
    import pypdfium2
    from PIL import Image

    with pdfium_guard.LOCK:  # --jobs N renders from N threads; pdfium is not thread-safe
        document = pypdfium2.PdfDocument(pdf)
        try:
            pages: list[Image.Image] = [
                page.render(scale=dpi / 72).to_pil().convert("L") for page in document
            ]
        finally:
            document.close()
    out = io.BytesIO()
    pages[0].save(out, format="TIFF", save_all=True, append_images=pages[1:], dpi=(dpi, dpi))
    return out.getvalue()


def iter_corpus(
    corpus_dir: Path, kinds: list[str] | None
) -> Iterator[tuple[str, Path, dict[str, Any]]]:
    """Yield ``(kind, document path, truth)`` for every document with a truth file."""
    for kind_dir in sorted(p for p in corpus_dir.iterdir() if p.is_dir()):
        kind = kind_dir.name
        if kind in SKIPPED_KINDS or (kinds is not None and kind not in kinds):
            continue
        for truth_path in sorted(kind_dir.glob("*.truth.json")):
            document = truth_path.with_name(truth_path.name.removesuffix(".truth.json"))
            if document.is_file():
                yield kind, document, json.loads(truth_path.read_text(encoding="utf-8"))


def _record(run: Run, kind: str, path: Path, truth: dict[str, Any], read: Read) -> None:
    """Add one document's timing and field results to the run."""
    score = run.kinds.setdefault(kind, KindScore())
    if read.error is not None:
        score.failures.append(read.error)
    score.seconds += read.seconds
    score.documents += 1
    score.pages += read.pages
    chosen = pick_document(read.documents)
    if chosen is not None and chosen.document_type is DocumentType.FAILED:
        score.failures.append(f"{path.name}: {chosen.type_reason}")
    _score_fields(run, kind, path.name, chosen, truth.get("fields", {}))


def pick_document(documents: list[ExtractedDocument]) -> ExtractedDocument | None:
    """Return the first payable document (invoice, credit note, receipt), else the first."""
    for document in documents:
        if document.document_type in PAYABLE_TYPES:
            return document
    return documents[0] if documents else None


def _score_fields(
    run: Run, kind: str, name: str, document: ExtractedDocument | None, truth: dict[str, Any]
) -> None:
    """Compare every truth field of FIELD_KEYS, then the line items."""
    got: dict[str, FieldValue] = document.fields if document is not None else {}
    score = run.kinds[kind]
    for key in FIELD_KEYS:
        if key not in truth:
            continue
        value = got.get(key)
        ok = value is not None and same(key, value.value, truth[key])
        score.fields[key].add(ok=ok)
        if value is not None:
            run.bands[_band(value.confidence)].add(ok=ok)
        if not ok:
            shown = None if value is None else str(value.value)
            run.mismatches.append(
                {"kind": kind, "file": name, "field": key, "truth": truth[key], "got": shown}
            )
    if "line_items" in truth:
        items = document.line_items if document is not None else ()
        ok = lines_match(items, truth["line_items"])
        score.line_items.add(ok=ok)
        if not ok:
            run.mismatches.append(
                {
                    "kind": kind,
                    "file": name,
                    "field": "line_items",
                    "truth": [want.get("amount") for want in truth["line_items"]],
                    "got": [str(line.amount) for line in items],
                }
            )


def _band(confidence: float) -> str:
    """Return the label of the confidence band ``confidence`` falls in."""
    return next(label for label, low in BANDS if confidence >= low)


def count_pages(data: bytes) -> int:
    """Return the page count of a PDF (pdfium) or multi-frame image; 1 for anything else."""
    if data[:1024].find(b"%PDF-") >= 0:
        return _pdf_pages(data)
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return _image_frames(data)
    return 1


def _pdf_pages(data: bytes) -> int:
    """Return the number of pages pdfium sees (1 if it cannot open the file)."""
    import pypdfium2

    with pdfium_guard.LOCK:
        try:
            document = pypdfium2.PdfDocument(data)
        except Exception:
            return 1
        try:
            return max(1, len(document))
        finally:
            document.close()


def _image_frames(data: bytes) -> int:
    """Return the number of frames of a TIFF (1 if Pillow cannot tell)."""
    from io import BytesIO

    from PIL import Image

    try:
        with Image.open(BytesIO(data)) as image:
            return int(getattr(image, "n_frames", 1))
    except Exception:
        return 1


def _result(run: Run, corpus_dir: Path, *, ignore_xml: bool) -> dict[str, Any]:
    """Return the JSON-ready result of a run."""
    overall = Tally()
    for score in run.kinds.values():
        for tally in score.fields.values():
            overall.correct += tally.correct
            overall.scored += tally.scored
    return {
        "corpus": str(corpus_dir),
        "ignore_xml": ignore_xml,
        "kinds": {kind: score.to_json() for kind, score in run.kinds.items()},
        "overall": overall.to_json(),
        "confidence_bands": {label: tally.to_json() for label, tally in run.bands.items()},
        "mismatches": run.mismatches,
    }


def format_table(result: dict[str, Any]) -> str:
    """Return the readable report: a field x kind accuracy grid, bands and throughput."""
    kinds = list(result["kinds"])
    grid = [["field", *kinds]]
    grid.extend(
        [key, *(_cell(_tally_of(result["kinds"][k], key)) for k in kinds)]
        for key in (*FIELD_KEYS, "all_fields", "line_items")
    )
    for label, key in (
        ("documents", "documents"),
        ("docs/s", "documents_per_second"),
        ("pages/s", "pages_per_second"),
    ):
        grid.append([label, *(str(result["kinds"][k][key]) for k in kinds)])
    grid.append(["timed passes", *(str(result["kinds"][k]["repeat"]) for k in kinds)])
    widths = [max(len(row[col]) for row in grid) + 2 for col in range(len(grid[0]))]
    rows = [f"accuracy on {result['corpus']} (ignore_xml={result['ignore_xml']})"]
    rows.extend(
        row[0].ljust(widths[0])
        + "".join(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))
        for row in grid
    )
    rows.append("")
    rows.append(
        "by confidence: "
        + "  ".join(f"{b} {_cell(t)}" for b, t in result["confidence_bands"].items())
    )
    rows.append(f"overall: {_cell(result['overall'])}")
    rows.extend(f"FAILED {f}" for k in kinds for f in result["kinds"][k]["failures"])
    return "\n".join(rows) + "\n"


def _tally_of(kind: dict[str, Any], key: str) -> dict[str, Any]:
    """Return the tally JSON of ``key`` within a kind's result."""
    if key in ("all_fields", "line_items"):
        tally: dict[str, Any] = kind[key]
        return tally
    fields: dict[str, dict[str, Any]] = kind["fields"]
    return fields[key]


def _cell(tally: dict[str, Any]) -> str:
    """Return ``93.1% (27/29)`` or ``-`` when nothing was scored."""
    if not tally["scored"]:
        return "-"
    return f"{100 * tally['accuracy']:.1f}% ({tally['correct']}/{tally['scored']})"


def main(argv: list[str]) -> int:
    """Run ``accuracy DIR [--ignore-xml] [--kind K ...] [--json] [--mismatches]``.

    Args:
        argv: the command line after the program name.

    Returns:
        The process exit code.
    """
    parser = argparse.ArgumentParser(
        prog="python -m daemon.bench", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    accuracy = sub.add_parser("accuracy", help="score extraction against *.truth.json files")
    accuracy.add_argument("corpus", type=Path, help="folder with one sub-folder per kind")
    accuracy.add_argument("--ignore-xml", action="store_true", help="read only what a person sees")
    accuracy.add_argument(
        "--kind", action="append", dest="kinds", help="limit to this kind (repeatable)"
    )
    accuracy.add_argument(
        "--json", action="store_true", help="print the JSON result instead of a table"
    )
    accuracy.add_argument("--mismatches", action="store_true", help="also list every wrong field")
    accuracy.add_argument(
        "--jobs", type=int, default=1, help="documents read at once (like worker.threads)"
    )
    accuracy.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="read the documents N times in one stream for the clock (scores: the first pass)",
    )
    accuracy.add_argument(
        "--in-children",
        action="store_true",
        help="read in reader child processes, as the daemon does (worker.read_in_child)",
    )
    accuracy.add_argument(
        "--scan-dpi",
        type=int,
        help="read each PDF as a grayscale scan of its pages at this dpi (what OCR makes of it)",
    )
    accuracy.add_argument(
        "--no-second-reader",
        action="store_false",
        dest="second_reader",
        help="OCR images with tesseract alone (measures what the second reader costs)",
    )
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"not a folder: {args.corpus}")
    table_out: TextIO = io.StringIO() if args.json else sys.stdout
    result = run_accuracy(
        args.corpus,
        ignore_xml=args.ignore_xml,
        kinds=args.kinds,
        out=table_out,
        jobs=args.jobs,
        second_reader=args.second_reader,
        scan_dpi=args.scan_dpi,
        repeat=args.repeat,
        in_children=args.in_children,
    )
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    elif args.mismatches:
        sys.stdout.writelines(_mismatch_line(m) for m in result["mismatches"])
    return 0


def _mismatch_line(mismatch: dict[str, Any]) -> str:
    """Return one readable line for a wrong field."""
    m = mismatch
    return f"{m['kind']}/{m['file']}: {m['field']} truth={m['truth']!r} got={m['got']!r}\n"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
