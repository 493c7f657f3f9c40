"""Recognise inline forwards and recover who sent the original.

Mail clients paste the forwarded message under a header block. We look for
blocks of ``From:/Date:/Subject:/To:`` lines (in English, French, German,
Spanish, Italian and Dutch) and for the marker line above them:

* explicit forward markers (Gmail ``---------- Forwarded message ---------``,
  Apple ``Begin forwarded message:``, Thunderbird ``-------- Forwarded Message
  --------``, ``Message transféré``, ``Weitergeleitete Nachricht``, ``Mensaje
  reenviado``, ``Messaggio inoltrato``, ``Doorgestuurd bericht``…);
* ambiguous ones (Outlook ``-----Original Message-----``, the
  ``________________________________`` separator, or none at all), which
  Outlook writes for replies and forwards alike.

A block counts as a forward when its marker is explicit, or when the subject
one level up carries a forward prefix (``FW:``, ``TR:``, ``WG:``…). Walking the
blocks top-down this way finds the innermost forwarded original and stops at
the first block that is a reply quote, whose sender is not the document's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from extraction.mail import dates
from extraction.mail import headers


@dataclass(frozen=True)
class Original:
    """What a forward header block says about the forwarded message."""

    from_: str | None
    subject: str | None
    date: str | None


class _Marker(Enum):
    EXPLICIT = "explicit"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


_LABELS: dict[str, str] = {}
for _kind, _words in (
    ("from", "from|de|von|da|van|från|fra|od|expéditeur|remitente|mittente|afzender"),
    (
        "date",
        "date|sent|datum|gesendet|envoyé|envoye|enviado|fecha|inviato|data|verzonden|verstuurd",
    ),
    ("subject", "subject|objet|sujet|betreff|asunto|oggetto|onderwerp|ämne|emne"),
    ("to", "to|à|a|an|para|aan|cc|bcc|kopie|till|til"),
):
    for _word in _words.split("|"):
        _LABELS.setdefault(_word, _kind)

_LABEL_LINE = re.compile(
    r"^(?P<label>[^\W\d_]{1,12}(?: [^\W\d_]{1,4})?)[ \t]*:[ \t]*(?P<value>.*)$", re.IGNORECASE
)
_EXPLICIT = re.compile(
    r"forwarded (?:message|e-?mail)|begin forwarded message|message transf[ée]r[ée]"
    r"|message r[ée]exp[ée]di[ée]|weitergeleitete nachricht|mensaje reenviado"
    r"|messaggio inoltrato|doorgestuurd bericht|mensagem encaminhada|videresendt melding"
    r"|vidarebefordrat meddelande|weitergeleitete e-?mail",
    re.IGNORECASE,
)
_AMBIGUOUS = re.compile(
    r"original message|message d'origine|ursprüngliche nachricht|mensaje original"
    r"|messaggio originale|oorspronkelijk bericht|^_{8,}$|^-{5,}$",
    re.IGNORECASE,
)
_QUOTE = re.compile(r"^(?:\s*>)+\s?")
_MAILTO = re.compile(r"\[mailto:([^\]\s]+)\]|<mailto:[^>]*>", re.IGNORECASE)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u2060"), None)
_MAX_BLOCK_LINES = 16
_MAX_GAP = 2


def find_original(body: str, subject: str | None) -> Original | None:
    """Return the innermost forwarded original in a body, or None if it is not a forward.

    Args:
        body: the message's text (plain text, or HTML reduced to text).
        subject: the message's own subject; a forward prefix on it makes
            ambiguous Outlook blocks count as forwards.

    Returns:
        The sender, subject and date of the innermost forwarded message.
    """
    lines = [_normalise(line) for line in body.splitlines()]
    current_subject = subject
    original: Original | None = None
    for marker, fields in _blocks(lines):
        if marker is not _Marker.EXPLICIT and not headers.is_forward_subject(current_subject):
            break
        original = Original(
            from_=_sender(fields.get("from")),
            subject=fields.get("subject") or None,
            date=dates.parse_loose(fields.get("date")),
        )
        current_subject = fields.get("subject")
    return original


def _normalise(line: str) -> str:
    line = _QUOTE.sub("", line.translate(_INVISIBLE)).replace("\u00a0", " ")
    return line.replace("*", "").strip()


def _blocks(lines: list[str]) -> list[tuple[_Marker, dict[str, str]]]:
    found: list[tuple[_Marker, dict[str, str]]] = []
    index = 0
    while index < len(lines):
        if _label(lines[index]) is None:
            index += 1
            continue
        fields, end = _read_block(lines, index)
        if "from" in fields and ("date" in fields or "subject" in fields):
            found.append((_marker_before(lines, index), fields))
        index = max(end, index + 1)
    return found


def _read_block(lines: list[str], start: int) -> tuple[dict[str, str], int]:
    fields: dict[str, str] = {}
    end, gap = start, 0
    for index in range(start, min(len(lines), start + _MAX_BLOCK_LINES)):
        labelled = _label(lines[index])
        if labelled is None:
            gap += 1
            if gap > _MAX_GAP:
                break
            continue
        kind, value = labelled
        if kind in fields and kind != "to":
            break  # a second From: starts the next block
        fields.setdefault(kind, value)
        end, gap = index + 1, 0
    return fields, end


def _label(line: str) -> tuple[str, str] | None:
    match = _LABEL_LINE.match(line)
    if match is None:
        return None
    kind = _LABELS.get(match.group("label").lower())
    return None if kind is None else (kind, match.group("value").strip())


def _marker_before(lines: list[str], index: int) -> _Marker:
    for line in reversed(lines[max(0, index - 4) : index]):
        if not line:
            continue
        if _EXPLICIT.search(line):
            return _Marker.EXPLICIT
        return _Marker.AMBIGUOUS if _AMBIGUOUS.search(line) else _Marker.NONE
    return _Marker.NONE


def _sender(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = _MAILTO.sub(lambda m: f"<{m.group(1)}>" if m.group(1) else "", value).strip()
    return headers.address(cleaned)
