"""Images of typed text, rendered with Pillow's own font, as a scanner would deliver them."""

from __future__ import annotations

import io

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont


def text_image(
    text: str,
    size: tuple[int, int],
    *,
    font_size: int,
    line_height: int,
    margin: int,
    angle: int = 0,
    image_format: str = "PNG",
) -> bytes:
    """Return ``text``'s lines drawn black on white, turned ``angle`` degrees, encoded."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=font_size)
    for row, line in enumerate(text.splitlines()):
        draw.text((margin, margin + row * line_height), line, fill=0, font=font)
    out = io.BytesIO()
    image.rotate(angle, expand=True).save(out, format=image_format)
    return out.getvalue()
