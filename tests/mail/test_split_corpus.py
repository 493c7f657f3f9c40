"""Every real message and winmail.dat of the corpus copy splits without error.

The expectations table encodes what each fixture's truth notes and
``email_facts`` say (attachment names, forwards, noise); the generic checks
hold for every file.
"""

from __future__ import annotations

import email.utils
import json
from pathlib import Path
from typing import Any

import pytest

from extraction import split
from extraction.config import ExtractionConfig
from extraction.mail import names
from extraction.models import Candidate

CORPUS = Path(__file__).parent.parent / "corpus" / "eml"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".eml", ".tnef"))
CONFIG = ExtractionConfig()

#: file -> expectations: names (filenames found), docs (content types of
#: candidates to read), codes (skip codes present), original_from,
#: forwarded (whether forwarded_by is set), original_subject.
EXPECT: dict[str, dict[str, Any]] = {
    "flanker__attached-pdf.eml": {"names": {"test.pdf"}, "docs": {"application/pdf"}},
    "flanker__broken-ctype.eml": {"names": {"facejj.jpg"}, "docs": {"image/jpeg"}},
    "flanker__apache-message-news-mime.eml": {
        "original_from": "mangi@moondog.pvi",
        "forwarded": True,
        "original_subject": "Netscape Enterprise vs. Apache Secure",
    },
    "flanker__multi-received-headers.eml": {
        "original_from": "Bob <example@example.com>",
        "forwarded": True,
        "original_subject": "Please forward this email to me",
        "original_date": "2011-02-09T11:54:00",
    },
    "flanker__torture-part.eml": {
        "original_from": "Nathaniel Borenstein <nsb@thumper.bellcore.com>",
        "forwarded": True,
    },
    "flanker__signed.eml": {"names": {"smime.p7s"}, "codes": {"SIGNATURE"}},
    "flanker__false-multipart.eml": {"codes": {"NO_DOCUMENT"}},
    "flanker__no-ctype.eml": {"codes": {"NO_DOCUMENT"}, "forwarded": False},
    "flanker__outlook-express.eml": {"codes": {"NOT_INVOICE_NOISE"}},
    "mail-parser__mail_malformed_2.eml": {
        "names": {"DSN57BAC498.txt"},
        "codes": {"NOT_INVOICE_NOISE"},
    },
    "mail-parser__mail_test_10.eml": {
        "names": {"Move To Eight ZWEP6227F.pdf"},
        "docs": {"application/pdf"},
        "codes": {"NOT_INVOICE_NOISE"},  # the newsletter's inline banners
    },
    "php-mime-mail-parser__issue149.eml": {
        "names": {"attach01"},
        "subject_has": "Invoice 02722027",
    },
    "php-mime-mail-parser__issue250.eml": {
        "names": {"Kontoutskrift for 1506.14.90466 Bedriftskonto.pdf"},
        "codes": {"EMPTY_ATTACHMENT"},  # the fixture's base64 body is empty
    },
    "php-mime-mail-parser__issue274.eml": {
        "names": {
            "Hello from SwiftMailer.docx",
            "Hello from SwiftMailer.pdf",
            "Hello from SwiftMailer.odt",
            "test-localhost.eml",
        },
        "docs": {"application/pdf"},
        "codes": {"UNSUPPORTED_ATTACHMENT", "NOT_INVOICE_NOISE"},
    },
    "php-mime-mail-parser__m0018.eml": {"names": {"사진.JPG", "ATT00001.txt"}},
    "php-mime-mail-parser__m0020.eml": {"codes": {"NOT_INVOICE_NOISE"}},
    "php-mime-mail-parser__m0024.eml": {
        "names": {"Biodiversité de semaine en semaine.doc"},
        "codes": {"UNSUPPORTED_ATTACHMENT"},
    },
    # Replies, not forwards: the quoted sender is not a document's sender.
    "talon__outlook.eml": {"forwarded": False},
    "talon__hotmail.eml": {"forwarded": False},
    "talon__apple_mail.eml": {"forwarded": False},
    "talon__thunderbird.eml": {"forwarded": False},
    "talon__iphone.eml": {"forwarded": False},
    "talon__yahoo.eml": {"forwarded": False},
    "tnefparse__one-file.tnef": {"names": {"AUTHORS"}},
    "tnefparse__two-files.tnef": {"names": {"AUTHORS", "README"}},
    "tnefparse__umlaut.tnef": {
        "names": {"TBZ PARIV GmbH.jpg", "image003.jpg", "UmlautAnhang-äüö.txt"},
        "codes": {"NOT_INVOICE_NOISE"},
    },
    "tnefparse__body.tnef": {"codes": {"NO_DOCUMENT"}},
    "tnefparse__rtf.tnef": {"codes": {"NO_DOCUMENT"}},
}


def _split(path: Path) -> list[Candidate]:
    data = path.read_bytes()
    if path.suffix == ".tnef":
        return split.split_tnef(data, CONFIG)
    return split.split_message(data, CONFIG)


def _truth(path: Path) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads(path.with_name(path.name + ".truth.json").read_text())
    return truth


def test_corpus_copy_is_complete() -> None:
    assert len(FILES) == 45
    assert all(p.with_name(p.name + ".truth.json").exists() for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_file_splits(path: Path) -> None:
    candidates = _split(path)
    assert candidates, "every message must stay visible"
    parts = [c.part for c in candidates]
    assert len(parts) == len(set(parts)), f"part ids must be unique: {parts}"
    assert all(c.skip_reason is None or c.skip_reason.code.isupper() for c in candidates)
    for c in candidates:
        assert c.filename is None or ("/" not in c.filename and "\n" not in c.filename)


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".eml"], ids=lambda p: p.name)
def test_email_facts_hold(path: Path) -> None:
    facts = _truth(path)["email_facts"]
    candidates = _split(path)
    ctx = candidates[0].email
    assert ctx is not None
    sender = email.utils.parseaddr(facts.get("from", ""))[1]
    if sender:
        assert ctx.from_ is not None and sender in ctx.from_
    if "date" in facts:
        assert ctx.date == email.utils.parsedate_to_datetime(facts["date"]).isoformat()
    found = {c.filename for c in candidates}
    for name in facts.get("attachment_filenames", []):
        if "\ufffd" not in name and "=?" not in name:
            assert names.sanitize(name) in found


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_fixture_expectations(name: str) -> None:
    expect = EXPECT[name]
    candidates = _split(CORPUS / name)
    found = {c.filename for c in candidates}
    assert expect.get("names", set()) <= found
    docs = {c.content_type for c in candidates if c.skip_reason is None}
    assert expect.get("docs", set()) <= docs
    codes = {c.skip_reason.code for c in candidates if c.skip_reason is not None}
    assert expect.get("codes", set()) <= codes
    _check_context(candidates, expect)


def _check_context(candidates: list[Candidate], expect: dict[str, Any]) -> None:
    ctx = candidates[0].email
    if "forwarded" in expect:
        assert ctx is not None
        assert (ctx.forwarded_by is not None) is expect["forwarded"]
        if not expect["forwarded"]:
            assert ctx.original_from == ctx.from_
    for key in ("original_from", "original_subject", "original_date"):
        if key in expect:
            assert ctx is not None
            assert getattr(ctx, key) == expect[key]
    if "subject_has" in expect:
        assert ctx is not None and ctx.subject is not None
        assert expect["subject_has"] in ctx.subject
