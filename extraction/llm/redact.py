"""Replace personal and payment data in text before it leaves the machine.

Only data the model does not need for the fields we ask is removed: IBANs,
e-mail addresses and phone numbers. Phone numbers are recognised only with an
international prefix (``+`` or ``00``) or after a label such as "Tel", because
a bare digit run is as likely to be an amount or an invoice number.
"""

from __future__ import annotations

import re

IBAN_PLACEHOLDER = "[IBAN]"
EMAIL_PLACEHOLDER = "[EMAIL]"
PHONE_PLACEHOLDER = "[PHONE]"

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{4}){2,7}(?:[ \u00a0]?[A-Z0-9]{1,3})?\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_INTL = re.compile(r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}[ ./-]?(?:\(0\)[ ]?)?\d[\d ./()-]{5,}\d")
_PHONE_LABELLED = re.compile(
    r"(?i)(\b(?:tel|tél|phone|telephone|telefon|téléphone|fax|mobile|mobil|handy|cell)\b\.?"
    r"[ \t]*(?:no\.?|nr\.?)?[ \t]*[:.]?[ \t]*)[+(\d][\d ./()-]{5,}\d"
)


def redact(text: str) -> str:
    """Return ``text`` with IBANs, e-mail addresses and phone numbers as placeholders.

    Args:
        text: the document text.

    Returns:
        The same text with each match replaced by ``[IBAN]``, ``[EMAIL]`` or ``[PHONE]``.
    """
    text = _IBAN.sub(_iban_or_not, text)
    text = _EMAIL.sub(EMAIL_PLACEHOLDER, text)
    text = _PHONE_LABELLED.sub(lambda m: m.group(1) + PHONE_PLACEHOLDER, text)
    return _PHONE_INTL.sub(PHONE_PLACEHOLDER, text)


def _iban_or_not(match: re.Match[str]) -> str:
    # The shortest IBAN (Norway) has 15 characters; shorter runs are VAT IDs and the like.
    compact = match.group(0).replace(" ", "").replace("\u00a0", "")
    return IBAN_PLACEHOLDER if len(compact) >= 15 else match.group(0)
