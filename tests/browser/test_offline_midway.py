"""The network or the server lost in the middle of a shift, even in the middle of a cart.

The register switches to offline selling by itself (static/pos/register.js goOffline), keeps
the cart in progress, retries the change that failed, and comes back online after the sale.
The network is cut with Playwright's offline mode; a server outage is a route answering 503.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from pos import pricing
from pos.models import Cart, CartLine, OfflineSale, Sale
from pos.selectors import pricing_rules
from store.selectors import current_store_settings
from tests import factories
from tests.conftest import make_user

from .register import line, open_payment, scan, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINES = "**/api/v1/carts/*/lines/"


@pytest.fixture
def shop(db):
    cashier = make_user("casey", "Cashiers")
    return {
        "cashier": cashier,
        "beans": factories.product("Espresso beans", "10.00", stock=10),
        "mug": factories.product("Mug", "4.00", stock=5),
        "filters": factories.product("Filter papers", "2.35", stock=20),
    }


def signed_in_with_catalog(page) -> None:
    """Online, with the catalog copy in IndexedDB (what selling offline reads)."""
    sign_in(page, "casey")
    page.wait_for_selector("html[data-catalog]")


def expected_total(*products_and_quantities) -> str:
    """The total by pos/pricing.py, the rules pricing.js is checked against."""
    lines = [
        pricing.LineInput(
            key=n, unit_price=p.price.amount, quantity=q, tax_rate=p.tax_rate.rate, discount=0
        )
        for n, (p, q) in enumerate(products_and_quantities)
    ]
    priced = pricing.price_cart(lines, pricing_rules(current_store_settings()))
    return f"${priced.total}"


def open_lines(cashier) -> list[tuple[str, int]]:
    return list(
        CartLine.objects.filter(cart__cashier=cashier, cart__status=Cart.Status.OPEN)
        .order_by("pk")
        .values_list("product__name", "quantity")
    )


def pay_cash(page, amount: str) -> None:
    open_payment(page)
    page.fill("#cash-tendered", amount)
    page.click("#pay-submit")
    expect(page.locator("#done-title")).to_contain_text("saved offline")
    page.click("#new-sale")


def test_the_network_drops_mid_cart_and_the_sale_is_finished_offline(page, shop):
    signed_in_with_catalog(page)
    beans, mug, filters = shop["beans"], shop["mug"], shop["filters"]
    scan(page, beans.barcode)
    scan(page, beans.barcode)
    scan(page, mug.barcode)
    expect(line(page, "Mug")).to_be_visible()
    expect(line(page, "Espresso beans").locator(".qty-input")).to_have_value("2")
    assert open_lines(shop["cashier"]) == [("Espresso beans", 2), ("Mug", 1)]

    page.context.set_offline(True)
    scan(page, filters.barcode)
    page.wait_for_selector("html[data-offline]")
    expect(page.locator("#banner")).to_contain_text("Offline — sales will sync: 0 sale(s)")
    expect(page.locator("#toasts")).to_contain_text("the register now sells offline")
    expect(page.locator("#cart-lines .line")).to_have_count(3)
    expect(line(page, "Espresso beans").locator(".qty-input")).to_have_value("2")
    expect(line(page, "Filter papers")).to_be_visible()
    total = expected_total((beans, 2), (mug, 1), (filters, 1))
    expect(page.locator("#totals .totals-total")).to_contain_text(total)
    # What needs the server says so instead of doing nothing.
    expect(page.locator("#park-button")).to_be_disabled()
    expect(page.locator("#sales-button")).to_have_attribute(
        "title", "Not available offline: this needs the server."
    )
    pay_cash(page, "50")
    expect(page.locator("#banner")).to_contain_text("Offline — sales will sync: 1 sale(s)")
    assert Sale.objects.count() == 0

    page.context.set_offline(False)  # the register syncs and sells online again by itself
    expect(page.locator("#toasts")).to_contain_text("1 sale(s) made offline are now recorded")
    page.wait_for_selector("html[data-ready]:not([data-offline])")
    expect(page.locator("#banner")).to_be_hidden()
    expect(page.locator("#sales-button")).to_be_enabled()
    sale = Sale.objects.get()
    assert f"${sale.total.amount}" == total
    assert OfflineSale.objects.get().sale == sale
    assert sorted((x.product_id, x.quantity) for x in sale.lines.all()) == sorted(
        [(beans.pk, 2), (mug.pk, 1), (filters.pk, 1)]
    )
    assert Product.objects.get(pk=beans.pk).quantity_on_hand == 10 - 2
    assert Product.objects.get(pk=mug.pk).quantity_on_hand == 5 - 1
    assert Product.objects.get(pk=filters.pk).quantity_on_hand == 20 - 1
    assert open_lines(shop["cashier"]) == []  # the server cart no longer holds those lines

    scan(page, mug.barcode)  # the next sale goes to the server
    expect(line(page, "Mug")).to_be_visible()
    expect(page.locator("#cart[aria-busy=false]")).to_have_count(1)
    assert open_lines(shop["cashier"]) == [("Mug", 1)]


def test_a_server_outage_retries_the_failed_scan_offline(page, shop):
    signed_in_with_catalog(page)
    beans, mug = shop["beans"], shop["mug"]
    scan(page, beans.barcode)
    expect(line(page, "Espresso beans")).to_be_visible()

    # The network is up, the server is not: a proxy answers 503 to the scan.
    page.route(LINES, lambda route: route.fulfill(status=503, body="Service Unavailable"))
    page.route("**/api/v1/shifts/current/", lambda route: route.abort())
    scan(page, mug.barcode)
    page.wait_for_selector("html[data-offline]")
    expect(line(page, "Mug")).to_be_visible()  # scanned once, added offline
    expect(page.locator("#cart-lines .line")).to_have_count(2)
    expect(page.locator("#cart-alert")).to_be_hidden()
    page.reload()  # the sale in progress offline survives a reload of the page
    page.wait_for_selector("html[data-offline]")
    expect(page.locator("#cart-lines .line")).to_have_count(2)
    expect(line(page, "Mug")).to_be_visible()

    # The server answers again mid-cart: the sale is finished offline first.
    page.unroute(LINES)
    page.unroute("**/api/v1/shifts/current/")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # what the 15 s probe does
    scan(page, mug.barcode)
    expect(line(page, "Mug").locator(".qty-input")).to_have_value("2")
    assert page.evaluate("document.documentElement.dataset.offline") == "true"
    assert CartLine.objects.filter(product=mug).count() == 0

    pay_cash(
        page, "50"
    )  # the sale paid, the register goes back online (a reload: it opened offline)
    page.wait_for_selector("html[data-offline-sync]:not([data-offline])")
    sale = Sale.objects.get()
    assert sorted((x.product_id, x.quantity) for x in sale.lines.all()) == [
        (beans.pk, 1),
        (mug.pk, 2),
    ]
    assert f"${sale.total.amount}" == expected_total((beans, 1), (mug, 2))
    assert open_lines(shop["cashier"]) == []


def test_a_refusal_by_the_server_does_not_switch_to_offline(page, shop):
    Product.objects.filter(pk=shop["mug"].pk).update(quantity_on_hand=1)  # save() leaves stock
    signed_in_with_catalog(page)
    scan(page, shop["mug"].barcode)
    expect(line(page, "Mug")).to_be_visible()
    scan(page, shop["mug"].barcode)  # 409: only one left
    expect(page.locator("#cart-alert")).to_contain_text("Only 1 × Mug left in stock.")

    page.route(
        LINES,
        lambda route: route.fulfill(
            status=400,
            content_type="application/json",
            body='{"detail": "The quantity must be a whole number.", "code": "invalid_quantity"}',
        ),
    )
    scan(page, shop["beans"].barcode)
    expect(page.locator("#cart-alert")).to_contain_text("The quantity must be a whole number.")
    assert page.evaluate("document.documentElement.dataset.offline") is None
    expect(page.locator("#banner")).to_be_hidden()
    expect(page.locator("#cart-lines .line")).to_have_count(1)
    assert open_lines(shop["cashier"]) == [("Mug", 1)]


def test_a_checkout_whose_answer_was_lost_is_flagged_when_back_online(page, shop):
    signed_in_with_catalog(page)
    scan(page, shop["mug"].barcode)
    expect(line(page, "Mug")).to_be_visible()

    def answer_lost(route):
        route.fetch()  # the server records the sale...
        route.abort()  # ...and the answer never reaches the register

    page.route("**/api/v1/carts/*/checkout/", answer_lost)
    open_payment(page)
    page.fill("#cash-tendered", "10")
    page.click("#pay-submit")
    expect(page.locator("#pay-error")).to_contain_text("Cannot reach the server")
    page.keyboard.press("Escape")
    assert Sale.objects.count() == 1

    # The cashier, told the server is unreachable, sells the same cart offline.
    page.context.set_offline(True)
    page.wait_for_selector("html[data-offline]")
    expect(line(page, "Mug")).to_be_visible()
    pay_cash(page, "10")
    page.context.set_offline(False)
    page.wait_for_selector("html[data-ready]:not([data-offline])")
    expect(page.locator("#banner")).to_contain_text("had been paid online after all")
    assert Sale.objects.count() == 2  # recorded twice: the banner sends the cashier to a manager
    assert open_lines(shop["cashier"]) == []
