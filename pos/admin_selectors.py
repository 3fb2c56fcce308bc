"""Reads for the admin screens of sales, refunds, shifts and stock (no writes here).

Amounts are written the store's way (Babel, the store's locale) and times in the store's time
zone (`TIME_ZONE`), whatever time zone an admin user picked for themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from djmoney.money import Money

from catalog.models import Product
from store.selectors import current_store_settings, format_amount

from .inventory import open_low_stock_alerts
from .models import LowStockAlert, Payment, Refund, Sale, Shift, StockMovement
from .shifts import shift_report

EMPTY = "—"


def store_locale() -> str:
    return current_store_settings().locale


def money_text(value: Money | None, locale: str | None = None) -> str:
    """`Money(12.5, "USD")` → `$12.50` in the store's locale; `—` for no amount."""
    if value is None:
        return EMPTY
    return format_amount(value.amount, str(value.currency), locale or store_locale())


def signed_money_text(value: Money | None, locale: str | None = None) -> str:
    """Over/short figures: `+$1.20`, `−$0.50`, `$0.00`."""
    if value is None:
        return EMPTY
    text = money_text(abs(value), locale)
    if value.amount > 0:
        return f"+{text}"
    if value.amount < 0:
        return f"−{text}"
    return text


def store_datetime_text(value: datetime | None, locale: str | None = None) -> str:
    """`Mar 14, 2026 4:02 PM`: the date and time in the store's time zone and locale."""
    if value is None:
        return EMPTY
    locale = locale or store_locale()
    zone = ZoneInfo(settings.TIME_ZONE)
    local = value.astimezone(zone)
    return (
        f"{format_date(local, format='medium', locale=locale)} "
        f"{format_time(local, format='short', locale=locale)}"
    )


def receipt_paths(number: str) -> dict[str, str]:
    """Where the receipts app serves a sale's or refund's receipt (HTML and PDF)."""
    return {"html": f"/receipts/{number}/", "pdf": f"/receipts/{number}.pdf"}


def payment_label(payment: Payment) -> str:
    """`Card Visa •••• 4242`, `Cash`, `Other (voucher 12)`: never the gateway token."""
    label = payment.get_method_display()
    if payment.method == Payment.Method.CARD and payment.card_last4:
        return f"{label} {payment.card_display}"
    if payment.reference and payment.method == Payment.Method.OTHER:
        return f"{label} ({payment.reference})"
    return label


def payment_methods_text(payments: list[Payment]) -> str:
    """The tenders of a sale in order, each method once: `Cash + Card`."""
    seen: list[str] = []
    for payment in payments:
        label = payment.get_method_display()
        if label not in seen:
            seen.append(label)
    return " + ".join(seen) or EMPTY


def user_text(user) -> str:
    if user is None:
        return EMPTY
    return user.get_full_name() or user.get_username()


# --------------------------------------------------------------------------- low stock


def low_stock_count() -> int:
    """Open low-stock alerts (one COUNT over the open-alert index): the menu badge."""
    return LowStockAlert.objects.filter(cleared_at__isnull=True).count()


@dataclass(frozen=True)
class LowStockRow:
    alert: LowStockAlert
    product: Product
    quantity: int
    threshold: int


def low_stock_rows(limit: int | None = None) -> list[LowStockRow]:
    """Products with an open alert, by name, with their stock and threshold as they are now."""
    alerts = open_low_stock_alerts()
    if limit is not None:
        alerts = alerts[:limit]
    return [
        LowStockRow(
            alert=alert,
            product=alert.product,
            quantity=alert.product.quantity_on_hand,
            threshold=alert.product.low_stock_threshold,
        )
        for alert in alerts
    ]


def product_movements(product: Product) -> QuerySet[StockMovement]:
    """A product's stock ledger, newest first."""
    return (
        StockMovement.objects.filter(product=product)
        .select_related("user", "sale", "refund")
        .order_by("-created_at", "-id")
    )


def quantity_text(value: int) -> str:
    return f"+{value}" if value > 0 else f"−{-value}" if value < 0 else "0"


def movement_rows(movements) -> list[dict]:
    """Stock movements as the ledger tables show them (the history page and the editor panel)."""
    locale = store_locale()
    return [
        {
            "movement": m,
            "date": store_datetime_text(m.created_at, locale),
            "quantity": quantity_text(m.quantity),
            "user": user_text(m.user),
            "reference": movement_reference(m),
            "note": " · ".join(p for p in (m.reason, movement_reference(m)) if p and p != EMPTY)
            or EMPTY,
        }
        for m in movements
    ]


RECENT_MOVEMENTS = 10


def recent_product_history(product: Product, user) -> dict | None:
    """The product editor's "Stock history" panel: the last movements, for whoever may see them
    (None hides the panel)."""
    if not user.has_perm("pos.view_stockmovement"):
        return None
    rows = movement_rows(product_movements(product)[:RECENT_MOVEMENTS])
    total = len(rows) if len(rows) < RECENT_MOVEMENTS else product_movements(product).count()
    url = reverse("pos_inventory:product_movements", args=[product.pk])
    return {"rows": rows, "total": total, "url": url}


def movement_reference(movement: StockMovement) -> str:
    if movement.sale_id:
        return movement.sale.number
    if movement.refund_id:
        return movement.refund.number
    return movement.reference or EMPTY


# --------------------------------------------------------------------------- details


def sale_detail(sale: Sale) -> dict:
    """Everything the sale's admin page shows, formatted: lines, taxes, tenders, refunds."""
    locale = store_locale()

    def fmt(value: Money) -> str:
        return money_text(value, locale)

    lines = [
        {
            "position": line.position,
            "name": line.name,
            "sku": line.sku,
            "quantity": line.quantity,
            "unit_price": fmt(line.unit_price),
            "discount": fmt(line.discount + line.cart_discount)
            if (line.discount.amount or line.cart_discount.amount)
            else "",
            "tax_rate": f"{line.tax_rate.normalize():f} %",
            "tax": fmt(line.tax),
            "total": fmt(line.total),
            "refunded": sum(r.quantity for r in line.refund_lines.all()),
        }
        for line in sale.lines.prefetch_related("refund_lines").order_by("position")
    ]
    payments = [
        {
            "label": payment_label(payment),
            "amount": fmt(payment.amount),
            "tendered": fmt(payment.tendered) if payment.method == "cash" else "",
            "change": fmt(payment.change) if payment.change.amount else "",
            "expiry": f"{payment.card_exp_month:02d}/{payment.card_exp_year}"
            if payment.card_exp_month and payment.card_exp_year
            else "",
        }
        for payment in sale.payments.order_by("position")
    ]
    taxes = [
        {
            "rate": f"{tax.rate.normalize():f} %",
            "taxable": fmt(tax.taxable),
            "tax": fmt(tax.tax),
        }
        for tax in sale.taxes.order_by("rate")
    ]
    refunds = [
        refund_summary(refund, locale)
        for refund in sale.refunds.select_related("cashier", "approved_by").order_by("created_at")
    ]
    return {
        "number": sale.number,
        "status": sale.get_status_display(),
        "voided": sale.status == Sale.Status.VOIDED,
        "date": store_datetime_text(sale.created_at, locale),
        "cashier": user_text(sale.cashier),
        "register": sale.register.name,
        "shift_id": sale.shift_id,
        "prices_include_tax": sale.prices_include_tax,
        "item_count": sale.item_count,
        "subtotal": fmt(sale.subtotal),
        "discount_total": fmt(sale.discount_total) if sale.discount_total.amount else "",
        "tax_total": fmt(sale.tax_total),
        "cash_rounding": fmt(sale.cash_rounding) if sale.cash_rounding.amount else "",
        "total": fmt(sale.total),
        "amount_paid": fmt(sale.amount_paid),
        "change_given": fmt(sale.change_given) if sale.change_given.amount else "",
        "lines": lines,
        "payments": payments,
        "taxes": taxes,
        "refunds": refunds,
        "receipt": receipt_paths(sale.number),
    }


def refund_summary(refund: Refund, locale: str) -> dict:
    return {
        "pk": refund.pk,
        "number": refund.number,
        "kind": refund.get_kind_display(),
        "date": store_datetime_text(refund.created_at, locale),
        "total": money_text(refund.total, locale),
        "cashier": user_text(refund.cashier),
        "approved_by": user_text(refund.approved_by),
        "reason": refund.reason,
    }


def refund_detail(refund: Refund) -> dict:
    """A refund or void with its lines and how the money went back."""
    locale = store_locale()
    lines = [
        {
            "name": line.sale_line.name,
            "sku": line.sale_line.sku,
            "quantity": line.quantity,
            "restock": line.restock,
            "amount": money_text(line.amount, locale),
            "tax": money_text(line.tax, locale),
        }
        for line in refund.lines.select_related("sale_line")
    ]
    payments = [
        {
            "label": payment_label(payment.payment)
            if payment.payment_id
            else payment.get_method_display(),
            "amount": money_text(payment.amount, locale),
            "reference": payment.reference,
        }
        for payment in refund.payments.select_related("payment")
    ]
    return {
        **refund_summary(refund, locale),
        "sale": refund.sale,
        "register": refund.register.name,
        "shift_id": refund.shift_id,
        "tax_total": money_text(refund.tax_total, locale),
        "lines": lines,
        "payments": payments,
        "receipt": receipt_paths(refund.number),
    }


def shift_figures(shift: Shift) -> dict:
    """The Z report frozen at closing, or the live X report of an open shift."""
    if shift.status == Shift.Status.CLOSED and shift.z_report:
        return shift.z_report
    return shift_report(shift)


def over_short(shift: Shift) -> Money | None:
    if shift.counted_cash is None or shift.expected_cash is None:
        return None
    return shift.counted_cash - shift.expected_cash
