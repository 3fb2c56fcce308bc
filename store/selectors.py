"""Reading the store's settings and writing amounts the way the store's locale does."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency
from django.core.cache import cache
from wagtail.models import Site

from .models import StoreSettings

CACHE_KEY = "store:settings"
CACHE_SECONDS = 30


def current_store_settings() -> StoreSettings:
    """The settings of the default site (the shop runs one site), created on first use.

    Read on every cart request, so kept in the cache; saving the settings clears it (see
    store/signals in apps.py), and other server processes pick a change up within 30 seconds.
    """
    store = cache.get(CACHE_KEY)
    if store is None:
        site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
        store = StoreSettings.for_site(site) if site else StoreSettings()
        cache.set(CACHE_KEY, store, CACHE_SECONDS)
    return store


def forget_store_settings(**kwargs) -> None:
    cache.delete(CACHE_KEY)


@lru_cache(maxsize=16384)
def format_amount(amount: Decimal, currency: str, locale: str) -> str:
    """`12.5, "USD", "en_US"` → `$12.50`; Babel knows each currency's symbol and decimals.

    Cached: Babel re-reads the locale's pattern on every call, and a cart repeats the same few
    prices; formatting was a quarter of an add-to-cart request before.
    """
    return format_currency(amount, currency, locale=locale)


def money_payload(amount: Decimal, currency: str) -> dict[str, str]:
    """How every amount travels in JSON: a string, never a float, with its currency code."""
    from pos.pricing import round_money

    return {"amount": str(round_money(amount, currency)), "currency": currency}
