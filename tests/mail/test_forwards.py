"""Inline forwards of each client and language recover the original sender.

Messages are built with the stdlib (``EmailMessage``) the way each client
writes its forward header block, with a real PDF attached.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from extraction import split
from extraction.config import ExtractionConfig
from extraction.mail import forwards
from extraction.mail import headers
from extraction.models import EmailContext
from tests.mail import corpus_files

CORPUS = corpus_files.CORPUS
FORWARDER = "Alice Martin <alice@firm.example>"
VENDOR = "ACME Billing <billing@acme.example>"
ADDR = "billing@acme.example"
LOCAL = "2024-06-03T10:15:00"
RFC = "2024-06-03T10:15:00+02:00"


PDF = corpus_files.attached_pdf()

# (id, outer subject, body, expected original date)
CLIENTS: list[tuple[str, str, str, str | None]] = [
    (
        "gmail-en",
        "Fwd: Invoice 42",
        "FYI\n\n---------- Forwarded message ---------\nFrom: ACME Billing <billing@acme.example>\n"
        "Date: Mon, Jun 3, 2024 at 10:15 AM\nSubject: Invoice 42\nTo: Alice <alice@firm.example>\n",
        LOCAL,
    ),
    (
        "outlook-desktop-en",
        "FW: Invoice 42",
        "-----Original Message-----\nFrom: ACME Billing [mailto:billing@acme.example]\n"
        "Sent: Monday, June 3, 2024 10:15 AM\nTo: Alice Martin\nSubject: Invoice 42\n\nHello",
        LOCAL,
    ),
    (
        "outlook-web-en",
        "Fw: Invoice 42",
        "\n________________________________\nFrom: ACME Billing <billing@acme.example>\n"
        "Sent: Monday, 3 June 2024 10:15\nTo: Alice Martin <alice@firm.example>\n"
        "Subject: Invoice 42\n",
        LOCAL,
    ),
    (
        "apple-mail-en",
        "Fwd: Invoice 42",
        "\n\nBegin forwarded message:\n\nFrom: ACME Billing <billing@acme.example>\n"
        "Subject: Invoice 42\nDate: 3 June 2024 at 10:15:00 CEST\nTo: alice@firm.example\n",
        LOCAL,
    ),
    (
        "thunderbird-en",
        "Fwd: Invoice 42",
        "\n\n\n-------- Forwarded Message --------\nSubject: \tInvoice 42\n"
        "Date: \tMon, 3 Jun 2024 10:15:00 +0200\nFrom: \tACME Billing <billing@acme.example>\n"
        "To: \talice@firm.example\n",
        RFC,
    ),
    (
        "thunderbird-original-en",
        "Fwd: Invoice 42",
        "-------- Original Message --------\nSubject: Invoice 42\n"
        "Date: Mon, 3 Jun 2024 10:15:00 +0200\nFrom: ACME Billing <billing@acme.example>\n",
        RFC,
    ),
    (
        "iphone-en",
        "Fwd: Invoice 42",
        "Sent from my iPhone\n\nBegin forwarded message:\n\n"
        "> From: ACME Billing <billing@acme.example>\n"
        "> Date: 3 June 2024 at 10:15:00 CEST\n> To: alice@firm.example\n"
        "> Subject: Invoice 42\n>\n",
        LOCAL,
    ),
    (
        "android-samsung-en",
        "Fwd: Invoice 42",
        "Sent from my Galaxy\n\n-------- Original message --------\n"
        "From: ACME Billing <billing@acme.example> \nDate: 03/06/2024 10:15 (GMT+01:00) \n"
        "To: alice@firm.example \nSubject: Invoice 42 \n",
        None,
    ),
    (
        "outlook-fr",
        "TR: Invoice 42",
        "De : ACME Billing <billing@acme.example>\nEnvoyé : lundi 3 juin 2024 10:15\n"
        "À : Alice Martin <alice@firm.example>\nObjet : Invoice 42\n",
        LOCAL,
    ),
    (
        "gmail-fr",
        "Fwd: Invoice 42",
        "---------- Message transféré ---------\nDe : ACME Billing <billing@acme.example>\n"
        "Date: lun. 3 juin 2024 à 10:15\nSubject: Invoice 42\nTo: <alice@firm.example>\n",
        LOCAL,
    ),
    (
        "apple-mail-fr",
        "TR: Invoice 42",
        "Début du message réexpédié :\n\nDe: ACME Billing <billing@acme.example>\n"
        "Objet: Invoice 42\nDate: 3 juin 2024 à 10:15:00 UTC+2\nÀ: alice@firm.example\n",
        LOCAL,
    ),
    (
        "outlook-de",
        "WG: Invoice 42",
        "Von: ACME Billing <billing@acme.example>\nGesendet: Montag, 3. Juni 2024 10:15\n"
        "An: Alice Martin <alice@firm.example>\nBetreff: Invoice 42\n",
        LOCAL,
    ),
    (
        "thunderbird-de",
        "Fwd: Invoice 42",
        "-------- Weitergeleitete Nachricht --------\nBetreff: \tInvoice 42\n"
        "Datum: \tMon, 3 Jun 2024 10:15:00 +0200\nVon: \tACME Billing <billing@acme.example>\n"
        "An: \talice@firm.example\n",
        RFC,
    ),
    (
        "outlook-es",
        "RV: Invoice 42",
        "De: ACME Billing <billing@acme.example>\nEnviado: lunes, 3 de junio de 2024 10:15\n"
        "Para: Alice Martin <alice@firm.example>\nAsunto: Invoice 42\n",
        LOCAL,
    ),
    (
        "gmail-es",
        "Fwd: Invoice 42",
        "---------- Mensaje reenviado ---------\nDe: ACME Billing <billing@acme.example>\n"
        "Date: lun, 3 jun 2024 a las 10:15\nSubject: Invoice 42\nTo: <alice@firm.example>\n",
        LOCAL,
    ),
    (
        "outlook-it",
        "I: Invoice 42",
        "Da: ACME Billing <billing@acme.example>\nInviato: lunedì 3 giugno 2024 10:15\n"
        "A: Alice Martin <alice@firm.example>\nOggetto: Invoice 42\n",
        LOCAL,
    ),
    (
        "gmail-it",
        "Fwd: Invoice 42",
        "---------- Messaggio inoltrato ---------\nDa: ACME Billing <billing@acme.example>\n"
        "Date: lun 3 giu 2024 alle ore 10:15\nSubject: Invoice 42\nTo: <alice@firm.example>\n",
        LOCAL,
    ),
    (
        "outlook-nl",
        "Doorst: Invoice 42",
        "Van: ACME Billing <billing@acme.example>\nVerzonden: maandag 3 juni 2024 10:15\n"
        "Aan: Alice Martin <alice@firm.example>\nOnderwerp: Invoice 42\n",
        LOCAL,
    ),
    (
        "gmail-nl",
        "Fwd: Invoice 42",
        "---------- Doorgestuurd bericht ---------\nVan: ACME Billing <billing@acme.example>\n"
        "Date: ma 3 jun 2024 om 10:15\nSubject: Invoice 42\nTo: <alice@firm.example>\n",
        LOCAL,
    ),
    (
        "gmail-bold-markdown",
        "Invoice 42",
        "---------- Forwarded message ---------\nFrom: *ACME Billing* <billing@acme.example>\n"
        "Date: Mon, Jun 3, 2024 at 10:15 AM\nSubject: Invoice 42\n",
        LOCAL,
    ),
]


def _message(subject: str, text: str, html: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = FORWARDER
    msg["To"] = "ap@firm.example"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 04 Jun 2024 09:00:00 +0200"
    msg["Message-ID"] = "<fwd-1@firm.example>"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="invoice-42.pdf")
    return msg.as_bytes()


def _context(data: bytes) -> EmailContext:
    candidates = split.split_message(data, ExtractionConfig())
    documents = [c for c in candidates if c.skip_reason is None]
    assert [c.filename for c in documents] == ["invoice-42.pdf"]
    assert documents[0].email is not None
    return documents[0].email


@pytest.mark.parametrize(
    ("subject", "body", "date"), [c[1:] for c in CLIENTS], ids=[c[0] for c in CLIENTS]
)
def test_inline_forward_recovers_original(subject: str, body: str, date: str | None) -> None:
    ctx = _context(_message(subject, body))
    assert ctx.original_from == VENDOR
    assert ctx.forwarded_by == FORWARDER
    assert ctx.from_ == FORWARDER
    assert ctx.subject == subject
    assert ctx.original_subject == "Invoice 42"
    assert ctx.original_date == date
    assert ctx.date == "2024-06-04T09:00:00+02:00"
    assert ctx.message_id == "<fwd-1@firm.example>"


def test_html_only_outlook_forward() -> None:
    html = (
        "<html><body><p>see below</p><div><hr><p><b>From:</b> ACME Billing &lt;"
        '<a href="mailto:billing@acme.example">billing@acme.example</a>&gt;<br>'
        "<b>Sent:</b> Monday, June 3, 2024 10:15 AM<br><b>To:</b> Alice<br>"
        "<b>Subject:</b> Invoice 42</p></div></body></html>"
    )
    ctx = _context(_message("FW: Invoice 42", "", html))
    assert ctx.original_from == VENDOR
    assert ctx.original_subject == "Invoice 42"


def test_nested_forwards_recover_innermost() -> None:
    body = (
        "---------- Forwarded message ---------\nFrom: Bob <bob@firm.example>\n"
        "Date: Mon, Jun 3, 2024 at 11:00 AM\nSubject: FW: Invoice 42\nTo: Alice\n\n"
        "-----Original Message-----\nFrom: ACME Billing <billing@acme.example>\n"
        "Sent: Monday, June 3, 2024 10:15 AM\nTo: Bob\nSubject: Invoice 42\n"
    )
    ctx = _context(_message("Fwd: FW: Invoice 42", body))
    assert ctx.original_from == VENDOR
    assert ctx.original_subject == "Invoice 42"


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "RE: Invoice 42",
            "Paid.\n\n-----Original Message-----\nFrom: ACME <billing@acme.example>\n"
            "Sent: Monday, June 3, 2024 10:15 AM\nTo: Alice\nSubject: Invoice 42\n",
        ),
        ("Invoice 42", "Hi,\n\nFrom: ACME <billing@acme.example>\nSent: Monday\nSubject: x\n"),
        (
            "Re: Invoice 42",
            "On Mon, Jun 3, 2024 at 10:15 AM ACME <billing@acme.example> wrote:\n> hi\n",
        ),
        ("Fwd: Invoice 42", "please pay the attached"),
    ],
    ids=["outlook-reply", "no-prefix-no-marker", "gmail-reply", "forward-prefix-no-block"],
)
def test_replies_are_not_forwards(subject: str, body: str) -> None:
    ctx = _context(_message(subject, body))
    assert ctx.forwarded_by is None
    assert ctx.original_from == ctx.from_ == FORWARDER
    assert ctx.original_subject == subject


def test_forward_block_stops_at_reply_quote_inside() -> None:
    body = (
        "---------- Forwarded message ---------\nFrom: ACME Billing <billing@acme.example>\n"
        "Date: Mon, Jun 3, 2024 at 10:15 AM\nSubject: RE: Invoice 42\nTo: Alice\n\n"
        "-----Original Message-----\nFrom: Alice <alice@firm.example>\n"
        "Sent: Sunday, June 2, 2024 9:00 AM\nTo: ACME\nSubject: Invoice 42\n"
    )
    found = forwards.find_original(body, "Fwd: RE: Invoice 42")
    assert found is not None
    assert found.from_ == VENDOR
    assert found.subject == "RE: Invoice 42"


def test_message_rfc822_forward_carries_pdf_with_inner_sender() -> None:
    inner = EmailMessage()
    inner["From"] = VENDOR
    inner["Subject"] = "Invoice 42"
    inner["Date"] = "Mon, 03 Jun 2024 10:15:00 +0200"
    inner.set_content("Please find our invoice attached.")
    inner.add_attachment(PDF, maintype="application", subtype="pdf", filename="invoice-42.pdf")
    outer = EmailMessage()
    outer["From"] = FORWARDER
    outer["Subject"] = "Fwd: Invoice 42"
    outer["Date"] = "Tue, 04 Jun 2024 09:00:00 +0200"
    outer.set_content("forwarded as attachment")
    outer.add_attachment(inner)
    candidates = split.split_message(outer.as_bytes(), ExtractionConfig())
    (pdf,) = [c for c in candidates if c.skip_reason is None]
    assert pdf.part == "2.2"
    assert pdf.data == PDF
    assert pdf.email is not None
    assert pdf.email.original_from == VENDOR
    assert pdf.email.forwarded_by == FORWARDER
    assert pdf.email.original_subject == "Invoice 42"
    assert pdf.email.original_date == RFC
    assert pdf.email.subject == "Fwd: Invoice 42"


@pytest.mark.parametrize(
    ("subject", "stripped", "is_forward"),
    [
        ("Fwd: Invoice", "Invoice", True),
        ("FW: Fwd: Invoice", "Invoice", True),
        ("TR: Facture 12", "Facture 12", True),
        ("WG: Rechnung", "Rechnung", True),
        ("RV: Factura", "Factura", True),
        ("I: Fattura", "Fattura", True),
        ("Doorst: Factuur", "Factuur", True),
        ("[Fwd: Netscape]", "Netscape", True),
        ("Re: Invoice", "Re: Invoice", False),
        ("Invoice: March", "Invoice: March", False),
    ],
)
def test_subject_prefixes(subject: str, stripped: str, is_forward: bool) -> None:
    assert headers.is_forward_subject(subject) is is_forward
    assert headers.strip_forward_prefixes(subject) == stripped
