"""Inside the OCR child: erase the ruled lines of tables and boxes before tesseract reads.

Tesseract reads a page as one block (``--psm 6``) or finds its layout (``--psm 3``);
either way, the borders of a ruled table cut its text lines apart, and whole rows come
back as debris ("te tase [mount —sCNettotal|" for "Tax Base Amount Net total"). A rule
is a run of dark pixels much longer than any letter and thin across, so a morphological
opening along each axis finds it: erosion keeps the pixels that start such a run,
dilation gives the run back its length. Runs thicker than a rule (bars, dark photo
backgrounds, bold headings) are left as they are.

Like the rest of the child, this file imports no ``extraction`` module; it is loaded by
path, and needs numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from PIL.Image import Image

#: Grey levels below this are ink.
INK = 160
#: A horizontal rule is at least this share of the page's width long, a vertical one
#: this share of its height (a table row is taller than a letter, shorter than this).
MIN_WIDTH_SHARE = 0.05
MIN_HEIGHT_SHARE = 0.03
#: Rules are never shorter than this (pixels), on small images too.
MIN_RUN = 40
#: A rule is at most this share of the page's smaller side thick.
MAX_THICKNESS_SHARE = 0.006
MIN_THICKNESS = 8


def unruled(image: Image) -> Image:
    """Return the grayscale image with its long, thin, straight lines turned white."""
    import numpy as np
    from PIL import Image as PILImage

    pixels = np.asarray(image.convert("L"))
    ink = pixels < INK
    height, width = ink.shape
    thick = max(MIN_THICKNESS, int(MAX_THICKNESS_SHARE * min(width, height)))
    rules = np.zeros_like(ink)
    for axis, run in ((1, MIN_WIDTH_SHARE * width), (0, MIN_HEIGHT_SHARE * height)):
        lines = opened(ink, max(MIN_RUN, int(run)), axis)
        rules |= lines & ~opened(lines, thick + 1, 1 - axis)
    if not rules.any():
        return image
    out = pixels.copy()
    out[rules] = 255
    return PILImage.fromarray(out)


def opened(mask: Any, length: int, axis: int) -> Any:
    """Return the pixels of ``mask`` that lie in a run of at least ``length`` along ``axis``."""
    return _dilated(_eroded(mask, length, axis), length, axis)


def _eroded(mask: Any, length: int, axis: int) -> Any:
    # True where a run of `length` starts: AND with copies shifted by 1, 2, 4, ... and
    # a last shift that makes up the rest, so the cost grows with log(length).
    out = mask.copy()
    for shift in _shifts(length):
        _and_ahead(out, shift, axis)
    return out


def _dilated(starts: Any, length: int, axis: int) -> Any:
    out = starts.copy()
    for shift in _shifts(length):
        _or_behind(out, shift, axis)
    return out


def _shifts(length: int) -> list[int]:
    shifts, covered = [], 1
    while covered * 2 <= length:
        shifts.append(covered)
        covered *= 2
    if covered < length:
        shifts.append(length - covered)
    return shifts


def _and_ahead(out: Any, shift: int, axis: int) -> None:
    view = out if axis == 1 else out.T
    view[:, :-shift] &= view[:, shift:]
    view[:, -shift:] = False


def _or_behind(out: Any, shift: int, axis: int) -> None:
    view = out if axis == 1 else out.T
    view[:, shift:] |= view[:, :-shift].copy()
