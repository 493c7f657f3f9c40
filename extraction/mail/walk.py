"""Walk a parsed message and turn every part into candidates.

Part ids say where a part sits: MIME positions as IMAP numbers them (``"2"``,
``"2.1"``; a non-multipart message's body is ``"1"``; the parts of an attached
message at ``"3"`` are ``"3.1"``, ``"3.2"``…), then ``/zip:<entry>`` and
``/tnef:<name>`` for what archives and winmail.dat hold.

Every leaf goes through :func:`expand`: archives, TNEF and attached messages
are opened and walked in turn (up to :data:`MAX_NESTING` containers deep),
anything else is typed by :mod:`extraction.mail.noise`. A part that fails is
kept with a ``PART_UNREADABLE`` reason instead of sinking its siblings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from email.message import Message

from extraction import sniff
from extraction.config import ExtractionConfig
from extraction.mail import archives
from extraction.mail import body
from extraction.mail import context
from extraction.mail import headers
from extraction.mail import names
from extraction.mail import noise
from extraction.mail import tnef
from extraction.models import Candidate
from extraction.models import EmailContext
from extraction.models import Flag
from extraction.models import Severity

#: Containers (attached messages, archives, winmail.dat) opened inside each other at most.
MAX_NESTING = 8

_MESSAGE_SUBTYPES = {"rfc822", "news", "global"}
_ZIP_TYPES = {"application/zip", "application/x-zip-compressed", "application/x-zip"}
_OFFICE_SUFFIXES = {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".jar", ".epub", ".apk"}
_CID = re.compile(r"""cid:([^"'\s>)]+)""", re.IGNORECASE)
_CHARSET_ALIASES = {"iso-8859-8-i": "iso-8859-8", "x-unknown": "utf-8", "unknown-8bit": "cp1252"}


@dataclass(frozen=True)
class Scope:
    """What every part of one message level shares."""

    config: ExtractionConfig
    email: EmailContext | None = None
    #: Envelope of the message that was received; None while reading that message itself.
    received: headers.Envelope | None = None
    depth: int = 0
    zip_depth: int = 0


@dataclass
class _Bodies:
    plain: tuple[str, str] | None = None
    html: tuple[str, str] | None = None
    cids: set[str] = field(default_factory=set)


def message(msg: Message, prefix: str, scope: Scope) -> list[Candidate]:
    """Return the candidates of one message level and, recursively, of what it carries."""
    return read_message(msg, prefix, scope)[0]


def read_message(msg: Message, prefix: str, scope: Scope) -> tuple[list[Candidate], EmailContext]:
    """Return the candidates of one message level and the context they carry.

    Args:
        msg: the parsed message (the received one, or one attached to it).
        prefix: the part id of the message ("" for the received message).
        scope: limits and, for attached messages, the received message's envelope.

    Returns:
        The attachments' candidates, plus the body when it is a receipt and no
        attachment is a document; and the message's EmailContext.
    """
    leaves = list(_leaves(msg, prefix))
    bodies = _collect_bodies(leaves)
    ctx = context.build(msg, scope.received, _plain(bodies), _html(bodies))
    inner = replace(scope, email=ctx, received=scope.received or headers.envelope(msg))
    out: list[Candidate] = []
    for part_id, part in leaves:
        if not _is_body_candidate(part):
            out.extend(_leaf(part, part_id, inner, bodies.cids))
    receipt = _receipt_body(bodies, ctx)
    if receipt is not None and not any(c.skip_reason is None for c in out):
        out.append(receipt)
    return out, ctx


def _leaves(part: Message, prefix: str) -> Iterator[tuple[str, Message]]:
    if not _is_container(part):
        yield (f"{prefix}.1" if prefix else "1"), part
        return
    yield from _children(part, prefix)


def _children(part: Message, prefix: str) -> Iterator[tuple[str, Message]]:
    payload = part.get_payload()
    children = payload if isinstance(payload, list) else []
    for index, child in enumerate(children, start=1):
        child_id = f"{prefix}.{index}" if prefix else str(index)
        if isinstance(child, Message) and _is_container(child):
            yield from _children(child, child_id)
        elif isinstance(child, Message):
            yield child_id, child
    if not children:
        yield (f"{prefix}.1" if prefix else "1"), part


def _is_container(part: Message) -> bool:
    return part.get_content_maintype() == "multipart" and isinstance(part.get_payload(), list)


def _collect_bodies(leaves: list[tuple[str, Message]]) -> _Bodies:
    bodies = _Bodies()
    plain: list[tuple[str, str]] = []
    for part_id, part in leaves:
        if not _is_body_candidate(part):
            continue
        text = decode_text(part)
        if part.get_content_subtype() == "html":
            bodies.cids.update(cid.lower() for cid in _CID.findall(text))
            bodies.html = bodies.html or (part_id, text)
        else:
            plain.append((part_id, text))
    if plain:
        # Clients split a text body around inline attachments; the forward header
        # block may sit in any piece, so they are read as one.
        bodies.plain = (plain[0][0], "\n".join(text for _, text in plain))
    return bodies


def _is_body_candidate(part: Message) -> bool:
    if part.get_content_maintype() not in ("text", "multipart"):
        return False
    if part.get_content_maintype() == "text" and part.get_content_subtype() not in (
        "plain",
        "html",
    ):
        return False
    disposition = (part.get_content_disposition() or "").lower()
    return disposition != "attachment" and names.part_filename(part) is None


def _plain(bodies: _Bodies) -> str:
    return bodies.plain[1] if bodies.plain else ""


def _html(bodies: _Bodies) -> str:
    return bodies.html[1] if bodies.html else ""


def decode_text(part: Message) -> str:
    """Return a text part's content as str, whatever its declared charset."""
    raw = _payload_bytes(part)
    charset = (part.get_content_charset() or "utf-8").lower()
    charset = _CHARSET_ALIASES.get(charset, charset)
    try:
        return raw.decode(charset, "replace")
    except LookupError:
        return raw.decode("utf-8", "replace")


def _payload_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    if isinstance(raw, list):  # message/* parts the parser split into sub-messages
        return b"\n".join(_as_bytes(sub) for sub in raw if isinstance(sub, Message))
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _leaf(part: Message, part_id: str, scope: Scope, cids: set[str]) -> list[Candidate]:
    filename = names.part_filename(part)
    declared = part.get_content_type()
    try:
        if (
            part.get_content_maintype() == "message"
            and part.get_content_subtype() in _MESSAGE_SUBTYPES
        ):
            return _attached_message(part, part_id, filename, scope)
        data = _payload_bytes(part)
        return expand(data, filename, declared, part_id, scope, inline_cid=_cid_of(part) in cids)
    except Exception as exc:
        flag = Flag("PART_UNREADABLE", f"could not read this part: {exc}", Severity.WARNING)
        return [Candidate(part_id, _payload_bytes(part), filename, declared, flag, scope.email)]


def _cid_of(part: Message) -> str:
    return (headers.header(part, "Content-ID") or "").strip("<> ").lower() or "\x00"


def _attached_message(
    part: Message, part_id: str, filename: str | None, scope: Scope
) -> list[Candidate]:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return _nested(payload[0], b"", filename, part_id, scope)
    return _nested(None, _payload_bytes(part), filename, part_id, scope)


def expand(
    data: bytes,
    filename: str | None,
    declared: str,
    part_id: str,
    scope: Scope,
    *,
    inline_cid: bool = False,
) -> list[Candidate]:
    """Open a container (ZIP, TNEF, attached message) or type a single document.

    Args:
        data: the part's decoded bytes.
        filename: its sanitised name, if any.
        declared: the MIME type it was declared with.
        part_id: where it sits.
        scope: limits and the message context.
        inline_cid: whether the HTML body shows it by ``cid:``.

    Returns:
        The candidates it holds, or itself typed (with a skip reason when noise).
    """
    if len(data) > scope.config.max_file_bytes or scope.depth >= MAX_NESTING:
        return [_typed(data, filename, declared, part_id, scope, inline_cid=inline_cid)]
    if _is_zip(data, filename, declared):
        return _zip(data, filename, part_id, scope)
    if data.startswith(tnef.TNEF_MAGIC):
        blob = tnef.Blob(data, part_id, scope.email)
        return tnef.split_tnef_blob(blob, expander(scope))
    if _is_message(data, filename, declared):
        return _nested(None, data, filename, part_id, scope)
    return [_typed(data, filename, declared, part_id, scope, inline_cid=inline_cid)]


def _typed(
    data: bytes,
    filename: str | None,
    declared: str,
    part_id: str,
    scope: Scope,
    *,
    inline_cid: bool,
) -> Candidate:
    typed = noise.classify(data, filename, declared, scope.config, inline_cid=inline_cid)
    skip = typed.skip_reason
    too_large = skip is not None and skip.code == "ATTACHMENT_TOO_LARGE"
    if not too_large and scope.depth >= MAX_NESTING and _opens(data, filename, declared):
        skip = Flag("NESTING_LIMIT", f"containers nested more than {MAX_NESTING} deep")
    return Candidate(part_id, data, filename, typed.content_type, skip, scope.email)


def _opens(data: bytes, filename: str | None, declared: str) -> bool:
    return _is_zip(data, filename, declared) or data.startswith(tnef.TNEF_MAGIC)


def _is_zip(data: bytes, filename: str | None, declared: str) -> bool:
    if not data.startswith(b"PK\x03\x04") and not data.startswith(b"PK\x05\x06"):
        return declared in _ZIP_TYPES and names.suffix(filename) == ".zip"
    office = "officedocument" in declared or "opendocument" in declared
    return not office and names.suffix(filename) not in _OFFICE_SUFFIXES


def _is_message(data: bytes, filename: str | None, declared: str) -> bool:
    if declared.split("/")[-1] in _MESSAGE_SUBTYPES and declared.startswith("message/"):
        return True
    return names.suffix(filename) == ".eml" and sniff.sniff(data, filename) is sniff.Kind.EMAIL


def _zip(data: bytes, filename: str | None, part_id: str, scope: Scope) -> list[Candidate]:
    depth = scope.zip_depth + 1
    archive = archives.Archive(data, filename, part_id, depth, scope.email)
    inner = replace(scope, zip_depth=depth)
    return archives.split_zip(archive, scope.config, expander(inner))


def expander(scope: Scope) -> archives.Expand:
    """Return the callback archives and TNEF use to expand their entries one level deeper."""
    deeper = replace(scope, depth=scope.depth + 1)

    def run(data: bytes, filename: str | None, declared: str, part_id: str) -> list[Candidate]:
        return expand(data, filename, declared, part_id, deeper)

    return run


def _nested(
    msg: Message | None, data: bytes, filename: str | None, part_id: str, scope: Scope
) -> list[Candidate]:
    inner = msg if msg is not None else headers.parse(data)
    found, ctx = read_message(inner, part_id, replace(scope, depth=scope.depth + 1))
    if found:
        return found
    reason = "the attached message has no attachment and its body is not an invoice"
    raw = data or _as_bytes(inner)
    flag = Flag("NO_DOCUMENT", reason, Severity.INFO)
    return [Candidate(part_id, raw, filename, "message/rfc822", flag, ctx)]


def _as_bytes(msg: Message) -> bytes:
    try:
        return msg.as_bytes()
    except Exception:
        return b""


def _receipt_body(bodies: _Bodies, ctx: EmailContext) -> Candidate | None:
    if bodies.html is not None and body.looks_like_invoice(body.html_to_text(bodies.html[1])):
        part_id, html = bodies.html
        return Candidate(part_id, body.html_as_utf8(html), None, "text/html", email=ctx)
    if bodies.plain is not None and body.looks_like_invoice(bodies.plain[1]):
        part_id, text = bodies.plain
        return Candidate(part_id, text.encode("utf-8"), None, "text/plain", email=ctx)
    return None


def body_candidate(msg: Message, raw: bytes, flag: Flag, ctx: EmailContext | None) -> Candidate:
    """Return the message body (HTML kept, else text, else the raw message) carrying ``flag``."""
    bodies = _collect_bodies(list(_leaves(msg, "")))
    if bodies.html is not None:
        return Candidate(
            bodies.html[0], body.html_as_utf8(bodies.html[1]), None, "text/html", flag, ctx
        )
    if bodies.plain is not None:
        return Candidate(
            bodies.plain[0], bodies.plain[1].encode("utf-8"), None, "text/plain", flag, ctx
        )
    return Candidate("1", raw, None, "message/rfc822", flag, ctx)
