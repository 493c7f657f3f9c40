"""Message bodies: reduce HTML to text, and tell whether a body is a receipt.

Order confirmations and card receipts often arrive as the HTML body itself,
with no attachment. Such a body becomes a candidate document when it shows an
amount together with an invoice word in one of our languages. HTML is parsed
with the stdlib's tokenizing parser, which never fetches remote resources.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = {"br", "p", "div", "tr", "li", "table", "h1", "h2", "h3", "h4", "blockquote", "hr"}
_DROP_TAGS = {"script", "style", "head", "title"}
_CHARSET = re.compile(rb"""(<meta[^>]*charset\s*=\s*["']?)[\w:.-]+""", re.IGNORECASE)

_AMOUNT = re.compile(
    r"(?:[€$£¥]|\b(?:EUR|USD|GBP|CHF|CAD|AUD|SEK|NOK|DKK|PLN|CZK|RM|MYR|JPY)\b)\s?-?\d[\d.,' ]*\d"
    r"|\d[\d.,' ]*\d\s?(?:[€$£]|\b(?:EUR|USD|GBP|CHF|CAD|AUD|SEK|NOK|DKK|PLN|CZK|MYR|JPY)\b)"
    r"|\b(?:total|amount|montant|betrag|summe|importe|importo|totaal|bedrag)\b[^\n\d]{0,30}\d+[.,]\d{2}\b",
    re.IGNORECASE,
)
_INVOICE_WORDS = re.compile(
    r"\b(?:invoice|receipt|total|order|payment|bill|"
    r"facture|reçu|commande|montant|"
    r"rechnung|quittung|beleg|bestellung|gesamtbetrag|"
    r"factura|recibo|pedido|"
    r"fattura|ricevuta|ordine|totale|"
    r"factuur|bon|bestelling|totaal|betaling)\b",
    re.IGNORECASE,
)


class _TextParser(HTMLParser):
    """Collect visible text; block elements start a new line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.chunks.append(data.replace("\n", " ").replace("\r", ""))


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML document, one block per line."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return "".join(parser.chunks)


def looks_like_invoice(text: str) -> bool:
    """Tell whether a body's text shows an amount and an invoice or receipt word."""
    return bool(_AMOUNT.search(text) and _INVOICE_WORDS.search(text))


def html_as_utf8(html: str) -> bytes:
    """Encode decoded HTML as UTF-8 and make its meta charset say so."""
    return _CHARSET.sub(rb"\1utf-8", html.encode("utf-8", "replace"))
