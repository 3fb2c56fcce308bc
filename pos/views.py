from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from store.selectors import current_store_settings

from .pricing import currency_places
from .selectors import pricing_rules

# Receipts by email (POST /api/v1/sales/{number}/email-receipt/, receipts/api.py): the screen
# after a payment, a sale in the recent-sales list and a refund show an address field.
EMAIL_RECEIPTS = True
CATALOG_REFRESH_SECONDS = 180


@login_required
@permission_required("pos.use_register", raise_exception=True)
def register_page(request: HttpRequest) -> HttpResponse:
    """The selling screen: an HTML shell; static/pos/register.js talks to the JSON API."""
    return render(request, "pos/register.html", {"register_config": register_config(request)})


# What the register needs to open with no network: cached by its service worker.
REGISTER_ASSETS = (
    "css/site.css",
    "img/favicon.svg",
    "pos/register.css",
    "pos/register.js",
    "pos/dom.js",
    "pos/api.js",
    "pos/money.js",
    "pos/scanner.js",
    "pos/payment.js",
    "pos/shift.js",
    "pos/sales.js",
    "pos/offline.js",
    "pos/pricing.js",
    "pos/offline-cart.js",
    "pos/catalog.js",
)


@lru_cache(maxsize=1)
def _service_worker_source() -> tuple[str, str]:
    """The worker's code and a version that changes with it and with any cached file."""
    digest = hashlib.sha256()
    for name in ("pos/service-worker.js", *REGISTER_ASSETS):
        path = finders.find(name)
        digest.update(name.encode())
        digest.update(Path(path).read_bytes() if path else b"missing")
    code = Path(finders.find("pos/service-worker.js")).read_text()
    return code, digest.hexdigest()[:16]


@require_GET
def register_service_worker(request: HttpRequest) -> HttpResponse:
    """/register/sw.js: the service worker, served from /register/ so its scope covers the page.

    Public like a static file (it names only static files and API paths): a signed-out
    browser must still be able to fetch it to update or remove it.
    """
    code, version = _service_worker_source()
    constants = {
        "VERSION": version,
        "PAGE": reverse("register"),
        # static() gives the hashed names in production; the modules import each other by
        # their plain names (see docs/architecture.md, static files), so both are kept.
        "ASSETS": sorted(
            {static(name) for name in REGISTER_ASSETS}
            | {f"{settings.STATIC_URL}{name}" for name in REGISTER_ASSETS}
        ),
        "CATALOG": [reverse("product-list"), reverse("category-list")],
        # Wagtail renditions (the tiles' thumbnails) are files under MEDIA_URL/images/.
        "IMAGES": [f"{settings.MEDIA_URL}images/"],
    }
    head = "".join(f"const {name} = {json.dumps(value)};\n" for name, value in constants.items())
    response = HttpResponse(head + code, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("register")
    return response


@require_GET
def register_manifest(request: HttpRequest) -> HttpResponse:
    """/register/manifest.webmanifest: the register installs as an app opening on /register/."""
    store = current_store_settings()
    page = reverse("register")
    manifest = {
        "name": f"{store.store_name} · {_('Register')}",
        "short_name": _("Register"),
        "start_url": page,
        "scope": page,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f2937",
        "icons": [{"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


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
            "refunds": f"{api_root}refunds/",
            # The sales of the cashier's open shift (the recent-sales list).
            "shift_sales": reverse("api-shift-current-sales"),
            # The X/Z report of a shift as a page and as a PDF; {id} is the shift's id.
            "shift_report": reverse("shift-report", args=[0]).replace("/0/", "/{id}/"),
            "shift_report_pdf": reverse("shift-report-pdf", args=[0]).replace("/0/", "/{id}/"),
            "login": f"{settings.LOGIN_URL}?next={request.path}",
            # Sales made offline are sent here when the server is reachable (static/pos/offline.js).
            "offline_sales": reverse("api-offline-sales"),
            # The whole catalog, kept in IndexedDB for selling offline (static/pos/catalog.js).
            "catalog_snapshot": reverse("api-catalog-snapshot"),
            "service_worker": reverse("register-service-worker"),
            "register": reverse("register"),
        },
        "currency": store.currency,
        "locale": store.locale.replace("_", "-"),
        "currency_places": currency_places(store.currency),
        "cash_rounding": str(store.cash_rounding),
        # The store's money rules for static/pos/pricing.js (the port of pos/pricing.py).
        "pricing_rules": pricing_rules_payload(store),
        "can_discount": request.user.has_perm("pos.apply_discount"),
        # Without these a manager approves refunds and voids on the register in place.
        "can_refund": request.user.has_perm("pos.refund_sale"),
        "can_void": request.user.has_perm("pos.void_sale"),
        "email_receipts": EMAIL_RECEIPTS,
        "simulated_gateway": settings.POS_PAYMENT_GATEWAY.endswith(".SimulatedGateway"),
        "page_size": page_size,
        # How often the register refreshes its offline copy of the catalog (only changes).
        "catalog_refresh_seconds": CATALOG_REFRESH_SECONDS,
        "messages": register_messages(),
    }


def pricing_rules_payload(store) -> dict:
    rules = pricing_rules(store)
    return {
        "currency": rules.currency,
        "currency_places": currency_places(rules.currency),
        "prices_include_tax": rules.prices_include_tax,
        "tax_per_line": rules.tax_per_line,
        "cash_rounding": None if rules.cash_rounding is None else str(rules.cash_rounding),
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
        "offline_waiting": _(
            "Offline — sales will sync: {count} sale(s) made offline are waiting to be sent."
        ),
        "offline_refused": _(
            "{count} sale(s) made offline could not be recorded by the server; call a manager."
        ),
        "offline_start": _(
            "Offline — the server cannot be reached. {count} sale(s) made offline are waiting "
            "and will sync when it is back."
        ),
        "offline_synced": _("{count} sale(s) made offline are now recorded."),
        "offline_switched": _(
            "The server cannot be reached: the register now sells offline. The cart was kept."
        ),
        "offline_no_discount": _(
            "Discounts cannot be carried offline: this cart's total is now without its discount."
        ),
        "offline_paid_online": _(
            "The sale in progress when the network dropped had been paid online after all. "
            "If it was paid offline too, call a manager to void one of the two."
        ),
        "offline_unavailable": _("Not available offline: this needs the server."),
        "back_online": _("Back online: sales go to the server again."),
        "catalog_updated": _("Catalog updated {time}"),
        "card_offline": _(
            "Card payments need the network: the bank must approve them. "
            "Take cash or another payment."
        ),
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
        "sale_done_offline": _("Sale {number} saved offline — it will sync"),
        "offline_receipt_note": _(
            "Provisional receipt, made offline. The official receipt is available once the "
            "sale has synced."
        ),
        "receipt_change": _("Change"),
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
        # recent sales, reprints, refunds and voids
        "sales_title": _("Sales this shift"),
        "sales_none": _("No sales in this shift yet."),
        "sales_none_found": _("No sale of this shift matches “{query}”."),
        "sales_list_count": _("{count} sales in this shift"),
        "sales_list_count_one": _("1 sale in this shift"),
        "sale_items": _("{count} items"),
        "record_cash_in": _("Record cash in"),
        "record_cash_out": _("Record cash out"),
        "sales_shown": _("the newest {count} shown; type a number to find an older one"),
        "open_sale": _("Open {number}"),
        "print": _("Print"),
        "print_receipt": _("Print receipt"),
        "print_number": _("Print the receipt of {number}"),
        "pdf_number": _("PDF of the receipt of {number}"),
        "voided": _("Voided"),
        "refunded": _("Refunded {amount}"),
        "sold": _("Sold"),
        "refundable": _("{count} can be refunded"),
        "nothing_refundable": _("Everything on this sale has been refunded."),
        "refund_quantity": _("Quantity of {name} to refund"),
        "refund_more": _("Refund one more {name}"),
        "refund_less": _("Refund one less {name}"),
        "refund_fate": _("What happens to the returned {name}"),
        "back_to_stock": _("Back to stock"),
        "write_off": _("Write off (damaged)"),
        "refund_items": _("Refund {count} items"),
        "refund_item": _("Refund 1 item"),
        "refund_nothing": _("Choose at least one item to refund (set its quantity)."),
        "approval_needed": _("A manager must type their username and password to approve."),
        "refund_done": _("Refund {number}"),
        "void_done": _("Sale {sale} voided: {number}"),
        "money_back": _("Money back"),
        "refund": _("Refund"),
        "refunded_qty": _("{count} refunded"),
        "void_lead": _(
            "Void {number} ({amount})? Every item goes back to stock and every payment is "
            "refunded: card payments on the card, cash from the drawer."
        ),
        "money_back_cash": _("Cash from the drawer"),
        "money_back_card": _("Back on {card}"),
        "money_back_other": _("Other (voucher…)"),
        "approved_by": _("Approved by {name}"),
        "refunds_of_sale": _("Refunds of this sale"),
        "cash_in_done": _("Cash in recorded: {amount}."),
        "cash_out_done": _("Cash out recorded: {amount}."),
        "reason_required": _("Say why the cash goes in or out."),
    }
