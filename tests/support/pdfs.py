"""Small real PDFs written byte by byte: Helvetica text and, when asked, grey-scale images.

No PDF library writes them, so a test controls exactly what is text (a content
stream PDFium extracts) and what is only pixels (an image XObject it cannot).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

#: (x, y from the bottom of an A4 page, text).
Text = tuple[float, float, str]


@dataclass(frozen=True)
class Picture:
    """An image placed on the page: lower-left corner and size in points."""

    x: float
    y: float
    width: float
    height: float
    image: Image.Image


def pdf_bytes(texts: Sequence[Text], pictures: Sequence[Picture] = ()) -> bytes:
    """Return a one-page A4 PDF printing ``texts`` in 10 pt Helvetica over ``pictures``."""
    images = [_image_object(p.image) for p in pictures]
    first_image = 6
    xobjects = " ".join(f"/Im{i} {first_image + i} 0 R" for i in range(len(images)))
    stream = _content(texts, pictures)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> /XObject << "
        + xobjects.encode()
        + b" >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        *images,
    ]
    return _assemble(objects)


def _content(texts: Sequence[Text], pictures: Sequence[Picture]) -> bytes:
    ops = [f"q {p.width} 0 0 {p.height} {p.x} {p.y} cm /Im{i} Do Q" for i, p in enumerate(pictures)]
    for x, y, text in texts:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"BT /F1 10 Tf 1 0 0 1 {x} {y} Tm ({escaped}) Tj ET")
    return "\n".join(ops).encode("cp1252")


def _image_object(image: Image.Image) -> bytes:
    grey = image.convert("L")
    data = zlib.compress(grey.tobytes())
    head = (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>"
        % (grey.width, grey.height, len(data))
    )
    return head + b"\nstream\n" + data + b"\nendstream"


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
