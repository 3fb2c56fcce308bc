"""Sales made offline in the browser: queued in IndexedDB, kept over a reload, synced once.

The network is cut with Playwright's offline mode. Sales are priced and queued by
static/pos/offline.js (pricing.js inside) on the register page; the page sends the queue when it
starts and when the network comes back; the server records each sale exactly once.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from pos.models import OfflineSale, Register, Sale
from tests import factories
from tests.conftest import make_user

from .register import fill_card, line, open_payment, scan, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in the page: three sales with the rules the page was given, queued by offline.js.
QUEUE_THREE = """async ({ beans, mug }) => {
    const offline = await import("/static/pos/offline.js");
    const config = JSON.parse(document.getElementById("register-config").textContent);
    const rules = config.pricing_rules;
    const made = [];
    const carts = [
        { lines: [{ ...beans, quantity: 2 }], payments: [{ method: "cash", amount: "50.00" }] },
        { lines: [{ ...mug, quantity: 1 }, { ...beans, quantity: 1 }],
          payments: [{ method: "other", amount: "5.00", reference: "voucher" },
                     { method: "cash", amount: "20.00" }] },
        { lines: [{ ...mug, quantity: 3 }], payments: [{ method: "cash", amount: "20.00" }] },
    ];
    for (const cart of carts) {
        const sale = { register: beans.register, ...cart };
        const record = await offline.recordOfflineSale(sale, rules);
        made.push({ number: record.provisional_number, total: record.priced.total,
                    change: record.settlement.change });
    }
    return made;
}"""

PENDING = """async () => {
    const offline = await import("/static/pos/offline.js");
    return (await offline.pendingSales()).map((sale) => sale.provisional_number);
}"""

SYNC = """async () => {
    const offline = await import("/static/pos/offline.js");
    const { createApi } = await import("/static/pos/api.js");
    const config = JSON.parse(document.getElementById("register-config").textContent);
    const api = createApi(config.messages);
    const url = config.urls.offline_sales;
    const result = await offline.syncOfflineSales({ post: api.post, url });
    return { sent: result.sent.map((sale) => sale.number), waiting: result.waiting,
             offline: result.offline, refused: result.refused };
}"""


def line_of(product, register) -> dict:
    return {
        "product": product.pk,
        "name": product.name,
        "unit_price": str(product.price.amount),
        "tax_rate": str(product.tax_rate.rate),
        "register": register.pk,
    }


@pytest.fixture
def shop(db):
    make_user("casey", "Cashiers")
    register = Register.objects.order_by("pk").first()
    beans = factories.product("Espresso beans", "10.00", stock=10)  # 8.25 % tax on top
    mug = factories.product("Mug", "4.00", stock=5)
    return {"register": register, "beans": beans, "mug": mug}


def products(shop) -> dict:
    return {
        "beans": line_of(shop["beans"], shop["register"]),
        "mug": line_of(shop["mug"], shop["register"]),
    }


def test_three_sales_offline_survive_a_reload_and_sync_exactly_once(page, shop):
    sign_in(page, "casey")
    page.context.set_offline(True)
    made = page.evaluate(QUEUE_THREE, products(shop))
    numbers = [f"OFF-{shop['register'].pk}-{n:04d}" for n in (1, 2, 3)]
    assert [sale["number"] for sale in made] == numbers
    assert [sale["total"] for sale in made] == ["21.65", "15.16", "12.99"]
    assert made[0]["change"] == "28.35"
    result = page.evaluate(SYNC)  # the network is down: nothing leaves the queue
    assert result == {"sent": [], "waiting": 3, "offline": True, "refused": 0}
    assert Sale.objects.count() == 0

    # The network comes back but the server is still unreachable (the page tries at once).
    page.route("**/api/v1/offline-sales/", lambda route: route.abort())
    page.context.set_offline(False)
    page.reload()
    page.wait_for_selector("html[data-offline-sync]")
    expect(page.locator("#banner")).to_contain_text("Offline — sales will sync: 3 sale(s)")
    assert page.evaluate(PENDING) == numbers
    assert Sale.objects.count() == 0

    page.unroute("**/api/v1/offline-sales/")
    page.reload()  # back online: the page sends the queue as it starts
    page.wait_for_selector("html[data-offline-sync]")
    expect(page.locator("#toasts")).to_contain_text("3 sale(s) made offline are now recorded")
    assert page.evaluate(PENDING) == []
    offline = list(OfflineSale.objects.order_by("sale__number"))
    assert [o.provisional_number for o in offline] == numbers
    assert [str(o.sale.total.amount) for o in offline] == ["21.65", "15.16", "12.99"]
    assert not any(o.needs_review for o in offline)
    assert Product.objects.get(pk=shop["beans"].pk).quantity_on_hand == 10 - 3
    assert Product.objects.get(pk=shop["mug"].pk).quantity_on_hand == 5 - 4


def test_the_same_queue_sent_from_two_tabs_records_three_sales(page, shop):
    sign_in(page, "casey")
    page.context.set_offline(True)
    page.evaluate(QUEUE_THREE, products(shop))
    copies = page.evaluate(
        """async () => {
            const offline = await import("/static/pos/offline.js");
            return (await offline.pendingSales()).map((sale) => sale.payload);
        }"""
    )
    # The first tab cannot reach the server yet; the second one sends the queue as it starts.
    # One after the other: the test server's in-memory SQLite cannot take two writers at once
    # (concurrent duplicates are tested on PostgreSQL in test_offline_sales_concurrency.py).
    page.route("**/api/v1/offline-sales/", lambda route: route.abort())
    page.context.set_offline(False)
    second = page.context.new_page()  # same browser profile: the same IndexedDB queue
    second.goto("/register/")
    second.wait_for_selector("html[data-offline-sync]")
    page.unroute("**/api/v1/offline-sales/")
    # The first tab sends its copy of the same three sales, as a tab that read the queue before
    # the other one emptied it would.
    replies = page.evaluate(
        """async (copies) => {
            const { createApi } = await import("/static/pos/api.js");
            const config = JSON.parse(document.getElementById("register-config").textContent);
            const api = createApi(config.messages);
            const url = config.urls.offline_sales;
            const answers = [];
            for (const body of copies) answers.push(await api.post(url, body));
            return answers.map((answer) => [answer.status, answer.data.offline.provisional_number]);
        }""",
        copies,
    )
    numbers = [f"OFF-{shop['register'].pk}-{n:04d}" for n in (1, 2, 3)]
    assert replies == [[200, number] for number in numbers]
    assert page.evaluate(SYNC)["waiting"] == 0
    assert page.evaluate(PENDING) == []
    assert Sale.objects.count() == OfflineSale.objects.count() == 3
    assert Product.objects.get(pk=shop["beans"].pk).quantity_on_hand == 10 - 3
    assert Product.objects.get(pk=shop["mug"].pk).quantity_on_hand == 5 - 4


def test_cards_are_refused_offline_with_the_reason(page, shop):
    sign_in(page, "casey")
    page.context.set_offline(True)
    refused = page.evaluate(
        """async ({ beans }) => {
            const offline = await import("/static/pos/offline.js");
            const config = JSON.parse(document.getElementById("register-config").textContent);
            try {
                await offline.recordOfflineSale(
                    { register: beans.register, lines: [{ ...beans, quantity: 1 }],
                      payments: [{ method: "card", amount: "10.83" }] },
                    config.pricing_rules,
                    { cardRefused: config.messages.card_offline },
                );
                return null;
            } catch (error) {
                return { code: error.code, message: error.message,
                         queued: (await offline.pendingSales()).length };
            }
        }""",
        products(shop),
    )
    assert refused == {
        "code": "card_offline",
        "message": "Card payments need the network: the bank must approve them. "
        "Take cash or another payment.",
        "queued": 0,
    }


def test_the_register_opens_with_no_network_once_loaded(page, shop):
    sign_in(page, "casey")
    manifest = page.evaluate(
        """async () => (await fetch(document.querySelector("link[rel=manifest]").href)).json()"""
    )
    assert manifest["start_url"] == manifest["scope"] == "/register/"
    assert manifest["display"] == "standalone"
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()  # the worker controls the page from now on, and has cached its files
    page.wait_for_selector("html[data-offline-sync]")
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    expect(page.locator(".tile", has_text="Espresso beans")).to_be_visible()

    page.context.set_offline(True)
    page.reload()
    # The shell, the modules and the last catalog answer come from the worker's cache.
    page.wait_for_selector("html[data-offline]")
    expect(page.locator("#banner")).to_contain_text("Offline — sales will sync: 0 sale(s)")
    expect(page.locator(".tile", has_text="Espresso beans")).to_be_visible()
    assert (
        page.evaluate("async () => typeof (await import('/static/pos/pricing.js')).priceCart")
        == "function"
    )
    page.context.set_offline(False)  # the network is back: the register goes online by itself
    page.wait_for_selector("html[data-ready]:not([data-offline])")
    expect(page.locator("#banner")).to_be_hidden()


def test_a_register_never_loaded_online_says_it_is_offline(page, shop):
    sign_in(page, "casey")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()
    page.wait_for_selector("html[data-offline-sync]")
    page.evaluate("localStorage.clear()")
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#banner")).to_contain_text("Offline — the server cannot be reached.")


def test_a_cashier_sells_three_times_offline_and_the_sales_sync_once(page, shop):
    sign_in(page, "casey")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()  # controlled by the worker: the page, its files and the catalog are kept
    page.wait_for_selector("html[data-offline-sync]")
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("html[data-offline]")
    expect(page.locator("#banner")).to_contain_text("Offline — sales will sync: 0 sale(s)")
    register = shop["register"].pk

    # 1: two bags of beans, cash with change; the provisional receipt prints from the page.
    page.locator(".tile", has_text="Espresso beans").click()
    page.locator(".tile", has_text="Espresso beans").click()
    expect(line(page, "Espresso beans").locator(".line-total")).to_have_text("$20.00")
    expect(page.locator("#totals")).to_contain_text("$21.65")
    open_payment(page)
    page.fill("#cash-tendered", "50")
    page.click("#pay-submit")
    expect(page.locator("#done-title")).to_have_text(
        f"Sale OFF-{register}-0001 saved offline — it will sync"
    )
    expect(page.locator("#done-change")).to_have_text("$28.35")
    page.click("#print-receipt")
    receipt = page.locator("#offline-receipt")
    expect(receipt).to_contain_text(f"OFF-{register}-0001")
    expect(receipt).to_contain_text("2 × Espresso beans")
    expect(receipt).to_contain_text("$21.65")
    page.click("#new-sale")

    # 2: a mug and beans by barcode.
    scan(page, shop["mug"].barcode)
    scan(page, shop["beans"].barcode)
    expect(line(page, "Mug")).to_be_visible()
    expect(page.locator("#totals")).to_contain_text("$15.16")
    open_payment(page)
    page.fill("#cash-tendered", "20")
    page.click("#pay-submit")
    expect(page.locator("#done-title")).to_contain_text(f"OFF-{register}-0002")
    page.click("#new-sale")

    # 3: three mugs; a card is refused with the reason, then cash.
    for _ in range(3):
        page.locator(".tile", has_text="Mug").click()
    expect(line(page, "Mug").locator(".qty-input")).to_have_value("3")
    open_payment(page)
    fill_card(page, "4242 4242 4242 4242")
    page.click("#pay-submit")
    expect(page.locator("#pay-error")).to_contain_text("Card payments need the network")
    page.click(".segmented [data-method=cash]")
    page.fill("#cash-tendered", "20")
    page.click("#pay-submit")
    expect(page.locator("#done-title")).to_contain_text(f"OFF-{register}-0003")
    assert Sale.objects.count() == 0

    page.reload()  # still offline: the queue is kept
    page.wait_for_selector("html[data-offline]")
    expect(page.locator("#banner")).to_contain_text("Offline — sales will sync: 3 sale(s)")

    page.context.set_offline(False)  # back online: the page sends the queue by itself
    expect(page.locator("#toasts")).to_contain_text("3 sale(s) made offline are now recorded")
    offline = list(OfflineSale.objects.order_by("sale__number"))
    assert [o.provisional_number for o in offline] == [f"OFF-{register}-{n:04d}" for n in (1, 2, 3)]
    assert [str(o.sale.total.amount) for o in offline] == ["21.65", "15.16", "12.99"]
    assert [p.method for o in offline for p in o.sale.payments.all()] == ["cash"] * 3
    assert not any(o.needs_review for o in offline)
    assert Product.objects.get(pk=shop["beans"].pk).quantity_on_hand == 10 - 3
    assert Product.objects.get(pk=shop["mug"].pk).quantity_on_hand == 5 - 4
