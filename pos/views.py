from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from store.selectors import current_store_settings

from .pricing import currency_places

# Receipts by email (POST /api/v1/sales/{number}/email-receipt/): off until the receipts API
# is released; when on, the screen after a payment shows an address field.
EMAIL_RECEIPTS = False


@login_required
@permission_required("pos.use_register", raise_exception=True)
def register_page(request: HttpRequest) -> HttpResponse:
    """The selling screen: an HTML shell; static/pos/register.js talks to the JSON API."""
    return render(request, "pos/register.html", {"register_config": register_config(request)})


def register_config(request: HttpRequest) -> dict:
    """What the register's JavaScript needs, read with JSON.parse (no inline script: CSP)."""
    store = current_store_settings()
    carts = reverse("api-carts")
    api_root = carts.removesuffix("carts/")
    products = reverse("product-list")
    page_size = 60
    return {
        "urls": {
            "products": products,
            # The first page, preloaded by the template while the scripts load.
            "first_products": f"{products}?active=true&page_size={page_size}",
            "categories": reverse("category-list"),
            "carts": carts,
            "shifts": f"{api_root}shifts/",
            "sales": f"{api_root}sales/",
            # The X/Z report of a shift as a page and as a PDF; {id} is the shift's id.
            "shift_report": reverse("shift-report", args=[0]).replace("/0/", "/{id}/"),
            "shift_report_pdf": reverse("shift-report-pdf", args=[0]).replace("/0/", "/{id}/"),
            "login": f"{settings.LOGIN_URL}?next={request.path}",
        },
        "currency": store.currency,
        "locale": store.locale.replace("_", "-"),
        "currency_places": currency_places(store.currency),
        "cash_rounding": str(store.cash_rounding),
        "can_discount": request.user.has_perm("pos.apply_discount"),
        "email_receipts": EMAIL_RECEIPTS,
        "simulated_gateway": settings.POS_PAYMENT_GATEWAY.endswith(".SimulatedGateway"),
        "page_size": page_size,
        "messages": register_messages(),
    }


def register_messages() -> dict[str, str]:
    """Texts the register's JavaScript shows, translated here like every other label."""
    return {
        "network": _("Cannot reach the server; check the network and try again."),
        "session": _("Your session ended; sign in again."),
        "sign_in": _("Sign in"),
        "server": _(
            "The server had a problem ({status}). Try again; if it keeps happening, call a manager."
        ),
        "failed": _("That did not work ({status}). Try again."),
        "load_failed": _("The register could not load."),
        "retry": _("Try again"),
        "page_error": _("Something went wrong on this page. Reload it (F5); your cart is kept."),
        "added": _("Added {name}"),
        "unknown_barcode": _("Unknown barcode {code}: nothing was added."),
        "scan_busy": _("Finish or close the payment first, then scan."),
        "no_products": _("No products match."),
        "no_products_search": _("No products match “{query}”."),
        "search_all": _("Search all categories"),
        "show_more": _("Show more products"),
        "out_of_stock": _("Out of stock"),
        "left": _("{count} left"),
        "each": _("{price} each"),
        "qty": _("Quantity of {name}"),
        "increase": _("One more {name}"),
        "decrease": _("One less {name}"),
        "remove": _("Remove {name}"),
        "removed": _("Removed {name}"),
        "items": _("{count} items"),
        "item": _("1 item"),
        "tax": _("Tax {rate}%"),
        "tax_included": _("Incl. tax {rate}%"),
        "pay": _("Pay {amount}"),
        "cart_empty": _("The cart is empty: scan or pick a product first."),
        "clear_confirm": _("Clear all?"),
        "cleared": _("The cart was cleared."),
        "parked": _("Sale parked. Resume it from “Parked”."),
        "resumed": _("Parked sale resumed."),
        "no_parked": _("No parked sales."),
        "resume": _("Resume"),
        "parked_cart": _("Parked sale #{id}"),
        "discount_applied": _("Discount applied."),
        "discount_removed": _("Discount removed."),
        "cash": _("Cash"),
        "card": _("Card"),
        "other": _("Other"),
        "exact": _("Exact"),
        "change_due": _("Change due"),
        "still_due": _("Still due"),
        "remaining": _("Remaining"),
        "card_ending": _("Card ending {last4}"),
        "invalid_amount": _("Enter an amount such as 20 or 20.50."),
        "amount_too_high": _("A card or other payment cannot be more than the {amount} due."),
        "nothing_due": _("Nothing is left to pay: complete the sale."),
        "short": _("{amount} still due: add another payment."),
        "card_incomplete": _("Enter the card number, expiry month and year, and security code."),
        "processing": _("Processing…"),
        "sale_done": _("Sale {number} complete"),
        "dismiss": _("Dismiss"),
        "loading": _("Loading…"),
        "empty_cart": _("Scan a barcode or tap a product to start a sale."),
        "bad_quantity": _("Type a quantity from 0 to 9999; 0 removes the line."),
        "subtotal": _("Subtotal"),
        "discount": _("Discount"),
        "total": _("Total"),
        "clear": _("Clear"),
        "to_pay": _("To pay"),
        "sale_total": _("Total {amount}"),
        "cash_rounded": _("Cash is rounded to the nearest coin."),
        "complete_sale": _("Complete sale"),
        "sending": _("Sending…"),
        "shift": _("Shift"),
        "open_shift": _("Open shift"),
        "shift_opened": _("Shift opened with a float of {amount}."),
        "no_shift": _("No shift is open on this register: open one before taking payments."),
        "opened_at": _("Opened"),
        "sales_count": _("Sales"),
        "sales_total": _("Sales total"),
        "refunds": _("Refunds"),
        "opening_float": _("Opening float"),
        "paid_in": _("Paid in"),
        "paid_out": _("Paid out"),
        "expected_cash": _("Expected cash in the drawer"),
        "counted_cash": _("Counted cash"),
        "over_short": _("Over (+) / short (−)"),
    }
