"""Inside the OCR child: decode or render images, run tesseract, return plain tuples.

Only :func:`extraction.text.ocr.child_main` calls this, after it has set the
process limits; everything here may allocate large rasters.
"""

from __future__ import annotations

import io
import math
import time
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import Any

from extraction.text import TextError

if TYPE_CHECKING:
    from PIL.Image import Image

    from extraction.text.ocr import Job

WordTuple = tuple[str, float, float, float, float, float]
PageData = tuple[int, float, float, tuple[WordTuple, ...]]
MIN_WIDTH_PX = 800
#: Language codes of extraction's label data -> tesseract's.
TESSERACT_CODES = {"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "nl": "nld"}
POOR_CONFIDENCE = 0.6


def read(job: Job) -> list[PageData]:
    """Return the OCR words of every page or frame of the job."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = job.max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    deadline = time.monotonic() + job.timeout_s
    images = _pdf_images(job) if job.kind == "pdf" else _file_images(job)
    return [_ocr_page(number, image, scale, job, deadline) for number, image, scale in images]


def _file_images(job: Job) -> Iterator[tuple[int, Image, float]]:
    from PIL import Image
    from PIL import ImageSequence
    from PIL import UnidentifiedImageError

    _register_heif()
    try:
        image = Image.open(io.BytesIO(job.data))
        dpi = float(image.info.get("dpi", (300, 300))[0] or 300)
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            if index >= job.max_pages:
                break
            yield index + 1, frame.convert("L"), 72.0 / max(dpi, 50.0)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TextError("IMAGE_TOO_LARGE", f"the image is too large to read safely: {exc}") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise TextError("IMAGE_BROKEN", f"the image cannot be decoded: {exc}") from exc


def _register_heif() -> None:
    try:
        import pillow_heif
    except ImportError:
        return
    pillow_heif.register_heif_opener()


def _pdf_images(job: Job) -> Iterator[tuple[int, Image, float]]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(job.data)
    try:
        for number in job.pages:
            page = document[number - 1]
            width, height = page.get_size()
            scale = job.dpi / 72.0
            if width * height * scale * scale > job.max_pixels:
                # Keep the raster under the pixel cap instead of refusing the page.
                scale = math.sqrt(job.max_pixels / max(width * height, 1.0)) * 0.99
            image = page.render(scale=scale, grayscale=True).to_pil()
            page.close()
            yield number, image, 1.0 / scale
    finally:
        document.close()


def _ocr_page(number: int, image: Image, scale: float, job: Job, deadline: float) -> PageData:
    from PIL import Image as PILImage

    width, height = image.size
    if width < MIN_WIDTH_PX:
        factor = min(2.0, 1000 / max(width, 1))
        image = image.resize(
            (int(width * factor), int(height * factor)), PILImage.Resampling.LANCZOS
        )
        scale /= factor
    # One language first (fast); re-read with the page's own language when it differs.
    first = job.languages.split("+")[0]
    words = _tesseract(image, scale, job, deadline, lang=first)
    better = _page_language(words, job.languages)
    if better is not None and better != first:
        words = _tesseract(image, scale, job, deadline, lang=f"{better}+{first}")
    if _mean_conf(words) < POOR_CONFIDENCE:
        words = _try_rotation(image, scale, job, deadline, words)
    return number, width * scale, height * scale, tuple(words)


def _page_language(words: list[WordTuple], allowed: str) -> str | None:
    from extraction.fields import labels

    scores = labels.language_scores(" ".join(w[0] for w in words))
    best = max(scores, key=lambda lang: scores[lang])
    code = TESSERACT_CODES.get(best)
    return code if scores[best] >= 2 and code in allowed.split("+") else None


def _tesseract(
    image: Image, scale: float, job: Job, deadline: float, *, lang: str
) -> list[WordTuple]:
    import pytesseract

    data = _call(
        lambda t: pytesseract.image_to_data(
            image, lang=lang, config="--psm 3", output_type=pytesseract.Output.DICT, timeout=t
        ),
        deadline,
    )
    out: list[WordTuple] = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not str(text).strip():
            continue
        left, top, w, h = (data[k][i] for k in ("left", "top", "width", "height"))
        out.append(
            (
                str(text).strip(),
                left * scale,
                top * scale,
                (left + w) * scale,
                (top + h) * scale,
                conf / 100,
            )
        )
    return out


def _call(run: Any, deadline: float) -> Any:
    remaining = deadline - time.monotonic()
    if remaining <= 1:
        raise TextError("OCR_TIMEOUT", "OCR ran out of its time budget")
    try:
        return run(remaining)
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise TextError("OCR_TIMEOUT", "tesseract took too long and was stopped") from exc
        raise


def _mean_conf(words: list[WordTuple]) -> float:
    if not words:
        return 0.0
    return sum(w[5] for w in words) / len(words)


def _try_rotation(
    image: Image, scale: float, job: Job, deadline: float, words: list[WordTuple]
) -> list[WordTuple]:
    import pytesseract

    from extraction.text.ocr import installed_languages

    if "osd" not in installed_languages():
        return words
    try:
        osd = _call(
            lambda t: pytesseract.image_to_osd(
                image, output_type=pytesseract.Output.DICT, timeout=t
            ),
            deadline,
        )
    except pytesseract.TesseractError:
        return words  # too little text to decide an orientation
    angle = int(osd.get("rotate", 0))
    if angle == 0:
        return words
    rotated = image.rotate(-angle, expand=True)
    again = _tesseract(rotated, scale, job, deadline, lang=job.languages)
    return again if _mean_conf(again) * len(again) > _mean_conf(words) * len(words) else words
