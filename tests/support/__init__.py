"""Test harnesses for real services (Dovecot, a local OAuth2 provider)."""
