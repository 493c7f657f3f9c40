"""Attachments, archives, TNEF, noise and bodies, on messages built in the tests."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from email.message import EmailMessage

import pytest
from PIL import Image

from extraction import split
from extraction.config import ExtractionConfig
from extraction.mail import body
from extraction.mail import dates
from extraction.mail import names
from extraction.models import Candidate
from tests.mail import corpus_files

CORPUS = corpus_files.CORPUS
CONFIG = ExtractionConfig()


PDF = corpus_files.attached_pdf()


def _message(text: str = "See attached.", html: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "ACME Billing <billing@acme.example>"
    msg["To"] = "ap@firm.example"
    msg["Subject"] = "Invoice 42"
    msg["Date"] = "Mon, 03 Jun 2024 10:15:00 +0200"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def _attach(
    msg: EmailMessage, data: bytes, filename: str, ctype: str = "application/octet-stream"
) -> None:
    maintype, subtype = ctype.split("/")
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)


def _split(msg: EmailMessage, config: ExtractionConfig = CONFIG) -> list[Candidate]:
    return split.split_message(msg.as_bytes(), config)


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((width, height), 60).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def _codes(candidates: list[Candidate]) -> dict[str, str | None]:
    return {c.part: c.skip_reason.code if c.skip_reason else None for c in candidates}


# -- attachments ------------------------------------------------------------------


def test_inline_pdf_counts_and_keeps_context() -> None:
    msg = _message()
    msg.add_attachment(
        PDF, maintype="application", subtype="pdf", filename="inv.pdf", disposition="inline"
    )
    (pdf,) = _split(msg)
    assert (pdf.part, pdf.filename, pdf.content_type, pdf.data) == (
        "2",
        "inv.pdf",
        "application/pdf",
        PDF,
    )
    assert pdf.email is not None and pdf.email.from_ == "ACME Billing <billing@acme.example>"
    assert pdf.email.forwarded_by is None


def test_content_wins_over_declared_type() -> None:
    msg = _message()
    _attach(msg, PDF, "scan.png", "image/png")
    (pdf,) = _split(msg)
    assert pdf.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\bob\\invoice.pdf", "invoice.pdf"),
        ("inv\x00oice\r\n.pdf", "inv oice .pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ('a<b>:c"|?*.pdf', "a_b__c____.pdf"),
        ("x" * 300 + ".pdf", "x" * 176 + ".pdf"),
        ("Kontoutskrift\nBedriftskonto.pdf", "Kontoutskrift Bedriftskonto.pdf"),
        ("../", None),
        ("", None),
    ],
)
def test_sanitize(raw: str, expected: str | None) -> None:
    assert names.sanitize(raw) == expected


def test_rfc2231_and_rfc2047_names_decoded() -> None:
    msg = _message()
    _attach(msg, PDF, "Facture n°42 \u2013 été.pdf")  # the stdlib writes RFC 2231 for this
    raw = msg.as_bytes().replace(b"Invoice 42", b"=?utf-8?q?Rechnung_f=C3=BCr_Juni?=")
    (pdf,) = split.split_message(raw, CONFIG)
    assert pdf.filename == "Facture n°42 \u2013 été.pdf"
    assert pdf.email is not None and pdf.email.subject == "Rechnung für Juni"


def test_zero_byte_attachment_is_kept_with_reason() -> None:
    msg = _message()
    _attach(msg, b"", "empty.pdf", "application/pdf")
    (empty,) = _split(msg)
    assert empty.skip_reason is not None and empty.skip_reason.code == "EMPTY_ATTACHMENT"
    assert empty.filename == "empty.pdf"


def test_attachment_over_size_limit_is_flagged_not_dropped() -> None:
    msg = _message()
    _attach(msg, PDF, "big.pdf", "application/pdf")
    (big,) = _split(msg, replace(CONFIG, max_file_bytes=len(PDF) - 1))
    assert big.skip_reason is not None and big.skip_reason.code == "ATTACHMENT_TOO_LARGE"
    assert str(len(PDF)) in big.skip_reason.reason


@pytest.mark.parametrize(
    ("filename", "ctype", "data", "code"),
    [
        (
            "invite.ics",
            "text/calendar",
            b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
            "NOT_INVOICE_NOISE",
        ),
        ("bob.vcf", "text/vcard", b"BEGIN:VCARD\r\nEND:VCARD\r\n", "NOT_INVOICE_NOISE"),
        ("smime.p7s", "application/pkcs7-signature", b"0\x82\x01\x00" * 100, "SIGNATURE"),
        (
            "signature.asc",
            "application/pgp-signature",
            b"-----BEGIN PGP SIGNATURE-----",
            "SIGNATURE",
        ),
        (
            "notes.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            b"PK\x03\x04" + b"\x00" * 100,
            "UNSUPPORTED_ATTACHMENT",
        ),
        ("pixel.gif", "image/gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "NOT_INVOICE_NOISE"),
    ],
)
def test_noise_is_typed_with_reason(filename: str, ctype: str, data: bytes, code: str) -> None:
    msg = _message()
    _attach(msg, PDF, "invoice.pdf", "application/pdf")
    _attach(msg, data, filename, ctype)
    candidates = _split(msg)
    assert _codes(candidates) == {"2": None, "3": code}
    assert candidates[1].skip_reason is not None and candidates[1].skip_reason.reason


def test_cid_logo_is_noise_but_large_attached_image_is_a_document() -> None:
    msg = _message("hi", '<html><body>Invoice attached<img src="cid:logo@acme"></body></html>')
    html_part = next(p for p in msg.walk() if p.get_content_type() == "text/html")
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(_png(300, 120), "image", "png", cid="<logo@acme>")
    _attach(msg, _png(900, 1200), "receipt-photo.png", "image/png")
    codes = {c.filename or c.content_type: c.skip_reason for c in _split(msg)}
    logo = codes["image/png"]
    assert logo is not None and logo.code == "NOT_INVOICE_NOISE" and "300x120" in logo.reason
    assert codes["receipt-photo.png"] is None


# -- bodies -----------------------------------------------------------------------

RECEIPT_HTML = (
    "<html><head><style>p{}</style></head><body><h1>Your receipt</h1>"
    "<table><tr><td>Order #1234</td></tr><tr><td>Total</td><td>€ 49,90</td></tr></table>"
    '<img src="https://tracker.example/p.gif"></body></html>'
)


def test_html_receipt_body_becomes_candidate() -> None:
    (receipt,) = _split(_message("Your receipt, total EUR 49.90", RECEIPT_HTML))
    assert receipt.content_type == "text/html"
    assert receipt.skip_reason is None
    assert receipt.part == "2"
    assert b"Order #1234" in receipt.data


def test_body_without_invoice_is_visible_as_no_document() -> None:
    (only,) = _split(_message("Lunch on Friday?"))
    assert only.skip_reason is not None and only.skip_reason.code == "NO_DOCUMENT"
    assert only.content_type == "text/plain" and only.data.startswith(b"Lunch")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Invoice 42 - total due: 1.234,56 EUR", True),
        ("Facture n°12, montant TTC 120,00 €", True),
        ("Ihre Rechnung: Gesamtbetrag 99,00 EUR", True),
        ("Su factura: total $ 15.00", True),
        ("La sua fattura, totale 10,00 €", True),
        ("Uw factuur, totaal € 12,50", True),
        ("Lunch on Friday at 12:30?", False),
        ("Invoice attached.", False),
        ("Price: 12 EUR for the lunch", False),
    ],
)
def test_looks_like_invoice(text: str, expected: bool) -> None:
    assert body.looks_like_invoice(text) is expected


# -- archives ---------------------------------------------------------------------


def test_zip_entries_become_candidates() -> None:
    msg = _message()
    _attach(msg, _zip({"inv/a.pdf": PDF, "b.xml": b"<?xml version='1.0'?><Invoice/>"}), "docs.zip")
    candidates = _split(msg)
    assert [(c.part, c.filename, c.content_type) for c in candidates] == [
        ("2/zip:inv/a.pdf", "a.pdf", "application/pdf"),
        ("2/zip:b.xml", "b.xml", "application/xml"),
    ]
    assert all(c.skip_reason is None for c in candidates)


def test_zip_bomb_is_refused_by_ratio() -> None:
    bomb = _zip({"bomb.pdf": b"\x00" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    (only,) = split.split_archive(bomb, "bomb.zip", CONFIG)
    assert only.skip_reason is not None and only.skip_reason.code == "ARCHIVE_LIMIT"
    assert "ratio" in only.skip_reason.reason
    assert only.data == bomb


@pytest.mark.parametrize(
    ("config", "word"),
    [
        (replace(CONFIG, zip_max_entries=2), "entries"),
        (replace(CONFIG, zip_max_total_bytes=len(PDF)), "uncompressed"),
    ],
)
def test_zip_limits(config: ExtractionConfig, word: str) -> None:
    data = _zip({"a.pdf": PDF, "b.pdf": PDF + b" ", "c.pdf": PDF + b"  "})
    (only,) = split.split_archive(data, "x.zip", config)
    assert only.skip_reason is not None and only.skip_reason.code == "ARCHIVE_LIMIT"
    assert word in only.skip_reason.reason


def test_nested_zips_open_up_to_the_depth_limit() -> None:
    level2 = _zip({"deep.pdf": PDF})
    level1 = _zip({"inner.zip": level2, "top.pdf": PDF})
    candidates = split.split_archive(level1, "outer.zip", CONFIG)
    assert _codes(candidates) == {"1/zip:inner.zip/zip:deep.pdf": None, "1/zip:top.pdf": None}
    too_deep = split.split_archive(_zip({"outer.zip": level1}), "x.zip", CONFIG)
    codes = _codes(too_deep)
    assert codes["1/zip:outer.zip/zip:inner.zip"] == "ARCHIVE_LIMIT"
    assert codes["1/zip:outer.zip/zip:top.pdf"] is None


def _encrypt_flag(data: bytes) -> bytes:
    """Set the 'encrypted' bit in every local and central header (what zipfile reads)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = out.find(signature)
        while start != -1:
            out[start + offset] |= 0x01
            start = out.find(signature, start + 4)
    return bytes(out)


def test_encrypted_entry_is_flagged() -> None:
    data = _encrypt_flag(_zip({"secret.pdf": PDF}))
    (entry,) = split.split_archive(data, "s.zip", CONFIG)
    assert entry.skip_reason is not None and entry.skip_reason.code == "ARCHIVE_ENCRYPTED"
    assert entry.filename == "secret.pdf" and entry.data


def test_broken_zip_is_flagged() -> None:
    (only,) = split.split_archive(b"PK\x03\x04 not really a zip", "x.zip", CONFIG)
    assert only.skip_reason is not None and only.skip_reason.code == "ARCHIVE_UNREADABLE"


# -- TNEF -------------------------------------------------------------------------


def test_winmail_dat_attachments_become_candidates() -> None:
    msg = _message()
    _attach(
        msg,
        (CORPUS / "tnefparse__two-files.tnef").read_bytes(),
        "winmail.dat",
        "application/ms-tnef",
    )
    assert [c.part for c in _split(msg)] == ["2/tnef:AUTHORS", "2/tnef:README"]


def test_raw_tnef_on_its_own() -> None:
    candidates = split.split_tnef((CORPUS / "tnefparse__umlaut.tnef").read_bytes(), CONFIG)
    assert [c.filename for c in candidates] == [
        "TBZ PARIV GmbH.jpg",
        "image003.jpg",
        "UmlautAnhang-äüö.txt",
    ]
    assert candidates[0].content_type == "image/jpeg"


@pytest.mark.parametrize("blob", [b"\x78\x9f\x3e\x22garbage", b"not tnef at all"])
def test_broken_tnef_is_kept_with_reason(blob: bytes) -> None:
    (only,) = split.split_tnef(blob, CONFIG)
    assert only.skip_reason is not None
    assert only.skip_reason.code in ("TNEF_UNREADABLE", "NO_DOCUMENT")
    assert only.data == blob


# -- robustness -------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff" * 100,
        b"From: \xff\xfe\r\nSubject: =?bogus?q?x?=\r\n\r\nbody",
        b"Content-Type: multipart/mixed\r\n\r\n--",
    ],
)
def test_garbage_never_raises(raw: bytes) -> None:
    candidates = split.split_message(raw, CONFIG)
    assert len(candidates) >= 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, Feb 9, 2011 at 11:55 AM", "2011-02-09T11:55:00"),
        ("Monday, June 3, 2024 10:15 PM", "2024-06-03T22:15:00"),
        ("lundi 3 juin 2024 10h15", "2024-06-03T10:15:00"),
        ("Montag, 3. Juni 2024 10:15", "2024-06-03T10:15:00"),
        ("lunes, 3 de junio de 2024", "2024-06-03"),
        ("Mon, 03 Jun 2024 10:15:00 +0200", "2024-06-03T10:15:00+02:00"),
        ("2024-06-03 10:15", "2024-06-03T10:15:00"),
        ("03/06/2024 10:15", None),
        ("31 février 2024", None),
    ],
)
def test_loose_dates(text: str, expected: str | None) -> None:
    assert dates.parse_loose(text) == expected


def test_containers_nested_too_deep_are_flagged() -> None:
    inner = EmailMessage()
    inner["From"] = "ACME Billing <billing@acme.example>"
    inner["Subject"] = "Invoice 42"
    inner.set_content("see attached")
    inner.add_attachment(
        _zip({"a.pdf": PDF}), maintype="application", subtype="zip", filename="a.zip"
    )
    for level in range(9):
        outer = EmailMessage()
        outer["From"] = f"fwd{level}@firm.example"
        outer["Subject"] = "Fwd: Invoice 42"
        outer.set_content("fwd")
        outer.add_attachment(inner)
        inner = outer
    (deep,) = split.split_message(inner.as_bytes(), CONFIG)
    assert deep.skip_reason is not None and deep.skip_reason.code == "NESTING_LIMIT"
    assert (
        deep.email is not None and deep.email.original_from == "ACME Billing <billing@acme.example>"
    )
