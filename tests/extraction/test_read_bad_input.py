"""Bad input ends FAILED or NOT_INVOICE with a reason, within limits, without taking us down."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from pypdf import PdfWriter

from extraction.config import ExtractionConfig
from extraction.models import Candidate
from extraction.models import DocumentType
from extraction.models import ExtractedDocument
from extraction.read import read_candidate

CONFIG = ExtractionConfig()


def read(data: bytes, name: str, config: ExtractionConfig = CONFIG) -> ExtractedDocument:
    return read_candidate(Candidate("1", data, name, "application/octet-stream"), config)


def codes(doc: ExtractedDocument) -> set[str]:
    return {f.code for f in doc.flags}


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_zero_bytes() -> None:
    doc = read(b"", "empty.pdf")
    assert doc.document_type is DocumentType.FAILED
    assert codes(doc) == {"EMPTY_FILE"}


def test_encrypted_pdf() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    doc = read(out.getvalue(), "locked.pdf")
    assert doc.document_type is DocumentType.FAILED
    assert codes(doc) == {"PDF_ENCRYPTED"}


def test_truncated_pdf() -> None:
    with open("tests/corpus/pdf-text/invoice2data__coolblue1.pdf", "rb") as fh:
        data = fh.read()
    doc = read(data[: len(data) // 3], "cut.pdf")
    assert doc.document_type is DocumentType.FAILED
    assert codes(doc) == {"PDF_BROKEN"}


def test_garbage_after_pdf_magic() -> None:
    doc = read(b"%PDF-1.7\n" + b"\x00garbage" * 100, "fake.pdf")
    assert doc.document_type is DocumentType.FAILED
    assert "PDF_BROKEN" in codes(doc)


def test_too_many_pages_is_refused_quickly() -> None:
    started = time.monotonic()
    doc = read(blank_pdf(500), "huge.pdf")
    assert doc.document_type is DocumentType.FAILED
    assert codes(doc) == {"PDF_TOO_MANY_PAGES"}
    assert "500 pages" in doc.flags[0].reason
    assert time.monotonic() - started < 10


def test_file_over_size_limit() -> None:
    doc = read(b"%PDF-1.4\n" + b"0" * 2000, "big.pdf", ExtractionConfig(max_file_bytes=1000))
    assert codes(doc) == {"FILE_TOO_LARGE"}


def test_unsupported_kind() -> None:
    doc = read(b"\x01\x02\x03 binary blob", "thing.bin")
    assert doc.document_type is DocumentType.FAILED
    assert codes(doc) == {"UNSUPPORTED_TYPE"}


def test_hostile_xml() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Invoice>&a;</Invoice>'
    doc = read(bomb, "bomb.xml")
    assert doc.document_type is DocumentType.FAILED
    assert codes(doc) == {"XML_HOSTILE"}


def test_xml_that_is_not_an_invoice() -> None:
    doc = read(b'<?xml version="1.0"?><rss><channel/></rss>', "feed.xml")
    assert doc.document_type is DocumentType.NOT_INVOICE


@pytest.mark.ocr
def test_image_that_is_not_an_image() -> None:
    doc = read(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10, "photo.png")
    assert doc.document_type is DocumentType.FAILED
    assert codes(doc) == {"IMAGE_BROKEN"}


def _png(width: int, height: int) -> bytes:
    # A one-colour PNG compresses ~1000:1, so a 30000 x 30000 bomb is under 1 MB.
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = b"\x00" + b"\x00" * width
    raw = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.mark.ocr
def test_decompression_bomb_png() -> None:
    started = time.monotonic()
    doc = read(_png(30000, 30000), "bomb.png")
    assert doc.document_type is DocumentType.FAILED
    assert codes(doc) == {"IMAGE_TOO_LARGE"}
    assert time.monotonic() - started < 30


@pytest.mark.ocr
def test_bomb_within_pixel_cap_hits_memory_limit() -> None:
    # Allowed by the pixel cap but not by the child's memory: fails, the test process lives.
    config = ExtractionConfig(max_image_pixels=2_000_000_000, child_memory_bytes=300 * 1024 * 1024)
    doc = read(_png(30000, 30000), "bomb.png", config)
    assert doc.document_type is DocumentType.FAILED
    assert codes(doc) & {"OCR_MEMORY_LIMIT", "OCR_FAILED", "IMAGE_BROKEN"}


@pytest.mark.ocr
def test_ocr_timeout_is_a_reason() -> None:
    with open("tests/corpus/image-scan/sroie__006.jpg", "rb") as fh:
        data = fh.read()
    doc = read(data, "slow.jpg", ExtractionConfig(ocr_timeout_s=0.05))
    assert doc.document_type is DocumentType.FAILED
    assert codes(doc) == {"OCR_TIMEOUT"}


@pytest.mark.ocr
def test_blank_pdf_page_is_not_an_invoice() -> None:
    doc = read(blank_pdf(1), "blank.pdf")
    assert doc.document_type is DocumentType.NOT_INVOICE
    assert doc.type_reason
