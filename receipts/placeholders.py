"""The thank-you message's placeholders: a fixed list, substituted by a tiny regex.

Merchandisers type text such as "Thanks for shopping at {store_name}!". No `str.format`
(which would allow `{sale.cashier.password}`-style attribute access) and no Django template
code from the database: a `{name}` token is either one of the names below or rejected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError

PLACEHOLDERS: dict[str, str] = {
    "store_name": "the shop's name (store settings)",
    "sale_number": "the sale (or refund) number, e.g. S-000042",
    "cashier": "the cashier's name",
    "register": "the register's name",
    "date": "the date of the sale",
    "time": "the time of the sale",
    "total": "the total, formatted in the store currency",
    "item_count": "how many items were sold",
    "website": "the shop's website (store settings)",
    "phone": "the shop's phone number (store settings)",
}

# Anything between braces counts as a token, so "{ store_name }" or "{sale.number}" are
# reported instead of being printed as typed.
TOKEN = re.compile(r"\{([^{}]*)\}")


def allowed_list() -> str:
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def unknown_placeholders(text: str) -> list[str]:
    seen: list[str] = []
    for match in TOKEN.finditer(text or ""):
        name = match.group(1)
        if name not in PLACEHOLDERS and match.group(0) not in seen:
            seen.append(match.group(0))
    return seen


def validate_placeholders(text: str) -> None:
    """Raise a ValidationError naming the unknown placeholders and listing the allowed ones."""
    unknown = unknown_placeholders(text)
    if unknown:
        raise ValidationError(
            "Unknown placeholder%(s)s %(unknown)s. Allowed placeholders: %(allowed)s.",
            code="unknown_placeholder",
            params={
                "s": "s" if len(unknown) > 1 else "",
                "unknown": ", ".join(unknown),
                "allowed": allowed_list(),
            },
        )


def substitute(text: str, values: Mapping[str, object]) -> str:
    """Replace each known `{name}` with its value; anything else stays exactly as typed."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in PLACEHOLDERS and name in values:
            return str(values[name])
        return match.group(0)

    return TOKEN.sub(replace, text or "")
