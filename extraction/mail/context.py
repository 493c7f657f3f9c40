"""Who sent a message and, after forwards, who sent the original.

The received message's From is who handed the document to us (``from_``);
``original_from`` is the innermost forwarded sender, found in an inline forward
header block or in an attached message; ``forwarded_by`` is the received
message's From when anything was forwarded, else None.
"""

from __future__ import annotations

from email.message import Message

from extraction.mail import body
from extraction.mail import forwards
from extraction.mail import headers
from extraction.models import EmailContext


def build(msg: Message, received: headers.Envelope | None, plain: str, html: str) -> EmailContext:
    """Return the context of one message level.

    Args:
        msg: the message being read (received, or attached to the received one).
        received: the received message's envelope when ``msg`` is attached to it,
            else None.
        plain: the message's text body, if any.
        html: the message's HTML body, if any.

    Returns:
        The EmailContext its candidates carry.
    """
    own = headers.envelope(msg)
    inline = _inline_original(own.subject, plain, html)
    if received is None and inline is None:
        return _direct(own)
    top = received or own
    origin = inline or forwards.Original(own.from_, own.subject, own.date)
    return EmailContext(
        from_=top.from_,
        original_from=origin.from_,
        forwarded_by=top.from_,
        subject=top.subject,
        original_subject=headers.strip_forward_prefixes(origin.subject),
        date=top.date,
        message_id=top.message_id,
        to=top.to,
        original_date=origin.date,
    )


def _inline_original(subject: str | None, plain: str, html: str) -> forwards.Original | None:
    found = forwards.find_original(plain, subject) if plain else None
    if found is None and html:
        found = forwards.find_original(body.html_to_text(html), subject)
    return found


def _direct(own: headers.Envelope) -> EmailContext:
    return EmailContext(
        from_=own.from_,
        original_from=own.from_,
        forwarded_by=None,
        subject=own.subject,
        original_subject=own.subject,
        date=own.date,
        message_id=own.message_id,
        to=own.to,
        original_date=own.date,
    )
