"""Errors of the IMAP source; each default message is the class docstring.

The tree::

    ImapError                    anything that ends a session with the server
     ├── TlsVerificationError    the server's certificate did not verify
     ├── AuthFailedError         the server rejected the login
     │    └── ConsentRevokedError  the OAuth2 refresh token was refused (invalid_grant)
     ├── TokenRefreshError       the token endpoint failed (network, 5xx); transient
     └── ConnectionLostError     the server said BYE or the socket closed

``ImapSource`` catches them all, records the message in ``status()`` and waits
before reconnecting; ``TlsVerificationError`` and ``ConsentRevokedError`` are
configuration problems, so they are logged at ERROR and wait the longest.
"""

from __future__ import annotations


class ImapError(Exception):
    """The IMAP session failed."""

    def __init__(self, message: str | None = None) -> None:
        """Use the class docstring when no message is given."""
        super().__init__(message or self.__doc__)


class TlsVerificationError(ImapError):
    """The IMAP server's TLS certificate could not be verified."""


class AuthFailedError(ImapError):
    """The IMAP server rejected the login."""


class ConsentRevokedError(AuthFailedError):
    """The OAuth2 refresh token was refused: consent revoked or token expired."""


class TokenRefreshError(ImapError):
    """The OAuth2 token endpoint could not be reached or answered an error."""


class ConnectionLostError(ImapError):
    """The IMAP connection was closed by the server."""
