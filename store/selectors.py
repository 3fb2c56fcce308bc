"""Reading the store's settings and writing amounts the way the store's locale does."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from wagtail.models import Site

from .models import StoreSettings


def current_store_settings() -> StoreSettings:
    """The settings of the default site (the shop runs one site), created on first use."""
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return StoreSettings()
    return StoreSettings.for_site(site)


def format_amount(amount: Decimal, currency: str, locale: str) -> str:
    """`12.5, "USD", "en_US"` → `$12.50`; Babel knows each currency's symbol and decimals."""
    return format_currency(amount, currency, locale=locale)
