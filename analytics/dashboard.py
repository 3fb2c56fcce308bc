"""Figures of the dashboard panel: today so far against the same weekday a week earlier, up to
the same time of day (a morning is not compared with a whole day)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from store.selectors import current_store_settings

from . import selectors
from .filters import ReportFilter, store_today
from .reports import cell_text


def today_panel_figures() -> dict:
    today = store_today()
    week_ago = today - timedelta(days=7)
    now = selectors.sales_totals(flt=ReportFilter(start=today, end=today, preset="today"))
    before = selectors.sales_totals(
        flt=ReportFilter(
            start=week_ago,
            end=week_ago,
            preset="custom",
            until=timezone.now() - timedelta(days=7),
        )
    )
    store = current_store_settings()
    change = selectors.change_percent(now.net, before.net)
    return {
        "net": cell_text(now.net, "money", store.currency, store.locale),
        "sales": now.sales,
        "before_net": cell_text(before.net, "money", store.currency, store.locale),
        "before_sales": before.sales,
        "weekday": f"{week_ago:%A}",
        "change": change,
        "trend": "flat" if not change else ("up" if change > 0 else "down"),
        "change_abs": abs(change) if change is not None else None,
        "low_stock": selectors.low_stock_count(),  # the Inventory report's definition
        "low_stock_url": reverse("analytics:inventory"),
    }
