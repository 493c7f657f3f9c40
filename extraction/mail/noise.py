"""Type one attachment: a document to read, or noise with a stated reason.

Noise is classified from what the bytes and headers say, never guessed from
position alone: signature logos and tracking pixels (tiny files or tiny
dimensions read from the image header, small pictures the HTML body shows by
``cid:``), calendar invitations, contact cards, cryptographic signatures,
delivery reports and formats we do not read. Noise stays a candidate with a
``skip_reason`` so it is stored and visible.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image
from PIL import UnidentifiedImageError

from extraction import sniff
from extraction.config import ExtractionConfig
from extraction.mail import body
from extraction.mail import names
from extraction.models import Flag
from extraction.models import Severity

#: Below this size an image cannot carry a legible invoice (logos, pixels).
SMALL_IMAGE_BYTES = 10 * 1024
#: An image shown inline by ``cid:`` and no longer than this on its longest side
#: is a signature logo or banner; larger inline images may be photographed receipts.
INLINE_LOGO_MAX_SIDE = 800
#: Inline landscape images lower than this are newsletter banners; a phone photo
#: of a receipt is far taller even when shot sideways.
INLINE_BANNER_MAX_HEIGHT = 600
#: Images with a side this short are pixels, dividers or icons.
TINY_SIDE = 50
TINY_LONG_SIDE = 200
#: Landscape images this many times wider than high (and low) are banners; long
#: till receipts are the other way round.
BANNER_RATIO = 4

_SIGNATURE_TYPES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
}
_SIGNATURE_SUFFIXES = {".p7s", ".asc", ".sig", ".pgp"}
_NOISE_TYPES = {
    "text/calendar": "a calendar invitation",
    "application/ics": "a calendar invitation",
    "text/vcard": "a contact card",
    "text/x-vcard": "a contact card",
    "text/directory": "a contact card",
    "message/delivery-status": "a delivery status report",
    "message/disposition-notification": "a read receipt",
    "message/rfc822-headers": "the headers of a bounced message",
    "application/pgp-keys": "a public key",
}
_NOISE_SUFFIXES = {".ics": "a calendar invitation", ".vcf": "a contact card", ".vcs": "a calendar"}
_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"GIF8", "image/gif"),
    (b"BM", "image/bmp"),
)
_HEIF_BRANDS = (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc", b"ftypmsf1")


@dataclass(frozen=True)
class Typed:
    """The content type we trust for a part, and why it is skipped (if it is)."""

    content_type: str
    skip_reason: Flag | None = None


def classify(
    data: bytes,
    filename: str | None,
    declared_type: str,
    config: ExtractionConfig,
    *,
    inline_cid: bool = False,
) -> Typed:
    """Return the trusted content type of an attachment and its skip reason, if any.

    Args:
        data: the decoded attachment bytes.
        filename: its sanitised name (a hint only; content wins).
        declared_type: the MIME type the message declared for it.
        config: limits (``max_file_bytes``).
        inline_cid: whether the HTML body displays it through a ``cid:`` link.

    Returns:
        The content type to hand on and a Flag when the part is not a document.
    """
    declared = declared_type.lower()
    noise = _declared_noise(declared, names.suffix(filename))
    if noise is not None:
        return Typed(declared, noise)
    if not data:
        return Typed(declared, Flag("EMPTY_ATTACHMENT", "the attachment is empty (0 bytes)"))
    if len(data) > config.max_file_bytes:
        reason = f"{len(data)} bytes is above the {config.max_file_bytes}-byte attachment limit"
        return Typed(declared, Flag("ATTACHMENT_TOO_LARGE", reason, Severity.WARNING))
    detected = detect_type(data, filename, declared)
    if detected.startswith("image/"):
        return Typed(detected, _image_noise(data, inline_cid=inline_cid))
    skip = _other_noise(data, detected, filename)
    if skip is None and detected == "application/octet-stream":
        detected = "text/plain"  # only text that reads like an invoice gets here
    return Typed(detected, skip)


def _declared_noise(declared: str, suffix: str) -> Flag | None:
    if declared in _SIGNATURE_TYPES or suffix in _SIGNATURE_SUFFIXES:
        return Flag("SIGNATURE", "a cryptographic signature, not a document", Severity.INFO)
    what = _NOISE_TYPES.get(declared) or _NOISE_SUFFIXES.get(suffix)
    if what is None:
        return None
    return Flag("NOT_INVOICE_NOISE", f"{what}, not an invoice", Severity.INFO)


def detect_type(data: bytes, filename: str | None, declared: str) -> str:
    """Return the MIME type the bytes show, falling back to the declared one."""
    head = data[:32]
    for magic, content_type in _IMAGE_MAGIC:
        if head.startswith(magic):
            return content_type
    if head[4:12] in _HEIF_BRANDS:
        return "image/heic"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    kind = sniff.sniff(data, filename)
    if kind in (sniff.Kind.UNKNOWN, sniff.Kind.IMAGE):
        return declared
    return sniff.content_type_for(kind, filename)


def _image_noise(data: bytes, *, inline_cid: bool) -> Flag | None:
    if len(data) < SMALL_IMAGE_BYTES:
        return _noise(f"an image of {len(data)} bytes, too small for a document (logo, pixel)")
    size = image_size(data)
    if size is None:
        return None
    width, height = size
    if min(width, height) < TINY_SIDE or max(width, height) < TINY_LONG_SIDE:
        return _noise(f"a {width}x{height} image, too small for a document (logo, pixel)")
    if width >= BANNER_RATIO * height and height < INLINE_BANNER_MAX_HEIGHT:
        return _noise(f"a {width}x{height} banner image, not a document page")
    if inline_cid and _logo_or_banner(width, height):
        return _noise(f"a {width}x{height} image shown inside the message body (logo, banner)")
    return None


def _logo_or_banner(width: int, height: int) -> bool:
    if max(width, height) <= INLINE_LOGO_MAX_SIDE:
        return True
    return width > height and height < INLINE_BANNER_MAX_HEIGHT


def image_size(data: bytes) -> tuple[int, int] | None:
    """Return (width, height) from the image header only, or None if unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decompression-bomb warnings: we only read the header
            with Image.open(io.BytesIO(data)) as image:
                return int(image.width), int(image.height)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def _other_noise(data: bytes, content_type: str, filename: str | None) -> Flag | None:
    if content_type in ("application/pdf", "application/xml", "text/xml", "text/html"):
        return None
    textual = content_type.startswith("text/") or content_type == "application/octet-stream"
    if textual and _is_text(data):
        if body.looks_like_invoice(data[:200_000].decode("utf-8", "replace")):
            return None
        return _noise("a text file with no amount or invoice wording")
    shown = names.suffix(filename) or content_type
    reason = f"a {shown} file ({content_type}) is not a format AP Inbox reads; open it by hand"
    return Flag("UNSUPPORTED_ATTACHMENT", reason, Severity.WARNING)


def _is_text(data: bytes) -> bool:
    head = data[:4096]
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    return controls == 0


def _noise(reason: str) -> Flag:
    return Flag("NOT_INVOICE_NOISE", reason, Severity.INFO)
