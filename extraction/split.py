"""Find the documents inside an e-mail message, a ZIP archive or a winmail.dat.

Public functions (all pure: bytes in, candidates out, never raising):

- :func:`split_message`: an RFC 822 message -> its attachments (whatever their
  Content-Disposition), the documents of attached and inline-forwarded messages,
  the contents of ZIP and TNEF attachments, and the HTML body when it is a
  receipt. Every candidate carries the message's :class:`EmailContext`.
- :func:`split_archive`: a ZIP file given on its own.
- :func:`split_tnef`: a winmail.dat given on its own.

Nothing is dropped silently: noise (logos, signatures, invitations), parts
over the size limit, archives over a limit and a message without any document
all stay candidates with a ``skip_reason`` saying why they are not read.
The helpers live in :mod:`extraction.mail`.
"""

from __future__ import annotations

from extraction.config import ExtractionConfig
from extraction.mail import headers
from extraction.mail import tnef
from extraction.mail import walk
from extraction.models import Candidate
from extraction.models import Flag
from extraction.models import Severity

__all__ = ["split_archive", "split_message", "split_tnef"]


def split_message(data: bytes, config: ExtractionConfig) -> list[Candidate]:
    """Return every candidate document of one message, at least one.

    Args:
        data: the raw RFC 822 message.
        config: size and archive limits.

    Returns:
        The candidates in message order. A message without any document yields
        its body with ``NO_DOCUMENT``; one that cannot be parsed at all yields
        the raw message with ``MESSAGE_UNPARSEABLE``.
    """
    try:
        msg = headers.parse(data)
        found, ctx = walk.read_message(msg, "", walk.Scope(config))
        if found:
            return found
        reason = "message has no attachment and its body is not an invoice"
        return [walk.body_candidate(msg, data, Flag("NO_DOCUMENT", reason, Severity.INFO), ctx)]
    except Exception as exc:
        reason = f"the message could not be parsed: {type(exc).__name__}: {exc}"
        flag = Flag("MESSAGE_UNPARSEABLE", reason, Severity.ERROR)
        return [Candidate("1", data, None, "message/rfc822", skip_reason=flag)]


def split_archive(data: bytes, filename: str | None, config: ExtractionConfig) -> list[Candidate]:
    """Return the candidates inside a ZIP archive given as a file of its own.

    Args:
        data: the archive bytes.
        filename: the name it arrived under (kept on a flagged whole-archive candidate).
        config: size and archive limits.

    Returns:
        The entries' candidates (part ids ``1/zip:<entry>``), or one candidate of
        the archive flagged ``ARCHIVE_LIMIT`` or ``ARCHIVE_UNREADABLE``.
    """
    return walk.expand(data, filename, "application/zip", "1", walk.Scope(config))


def split_tnef(data: bytes, config: ExtractionConfig) -> list[Candidate]:
    """Return the candidates inside a winmail.dat given as a file of its own.

    Args:
        data: the raw TNEF payload.
        config: size and archive limits (for what the attachments contain).

    Returns:
        The attachments' candidates (part ids ``1/tnef:<name>``), else the HTML
        body when it is a receipt, else one flagged candidate of the payload.
    """
    scope = walk.Scope(config)
    return tnef.split_tnef_blob(tnef.Blob(data, "1", None), walk.expander(scope))
