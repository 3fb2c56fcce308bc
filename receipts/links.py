"""Signed, expiring receipt links for emailed receipts (no login needed, sale numbers are
guessable so the number alone is never enough)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SALT = "receipts.link"
DEFAULT_MAX_AGE = 30 * 24 * 60 * 60


def max_age() -> int:
    return int(getattr(settings, "RECEIPT_LINK_MAX_AGE", DEFAULT_MAX_AGE))


def make_token(number: str) -> str:
    """`S-000042` → `S-000042:<timestamp>:<signature>`; valid for RECEIPT_LINK_MAX_AGE seconds."""
    return signing.TimestampSigner(salt=SALT).sign(number)


def read_token(token: str) -> str:
    """The document number in a token. Raises `signing.SignatureExpired` for an old link and
    `signing.BadSignature` for a forged or mangled one."""
    return signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age())


def link_path(number: str) -> str:
    return f"/receipts/link/{make_token(number)}/"
