"""The whole catalog kept in the browser (static/pos/catalog.js): downloaded in chunks from
GET /api/v1/catalog/snapshot/ into IndexedDB, refreshed with only the changes, searched in
memory with the API's rules, and used by the register to sell products it never showed online.

The 100,000-product figures come from `python -m bench offline_catalog` (docs/performance.md);
here a small catalog keeps the suite fast.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from djmoney.money import Money
from playwright.sync_api import expect

from catalog.models import Product
from catalog.testing import barcode_for
from pos.models import OfflineSale, Sale
from tests import factories
from tests.conftest import make_user

from .register import line, open_payment, scan, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SYNC = """async ({ full, chunk }) => {
    const catalog = await import("/static/pos/catalog.js");
    const { createApi } = await import("/static/pos/api.js");
    const config = JSON.parse(document.getElementById("register-config").textContent);
    const api = createApi(config.messages);
    const started = performance.now();
    const result = await catalog.syncCatalog(
        { get: api.get, url: config.urls.catalog_snapshot, full, chunk });
    return { ms: performance.now() - started, rows: result.rows, count: result.count,
             full: result.full };
}"""

# Each search term → the ids the kept catalog finds, in order (all of them: limit 500).
SEARCH = """async ({ terms, category }) => {
    const catalog = await import("/static/pos/catalog.js");
    const kept = await catalog.loadCatalog();
    const found = {};
    for (const term of terms) {
        found[term] = kept.search(term, { category, limit: 500 }).products.map((p) => p.id);
    }
    return found;
}"""


def bulk_products(count: int, *, prefix: str = "Filler", start: int = 0) -> None:
    """Products inserted at once (no signals: no opening stock movements, which is fine here)."""
    rate = factories.tax_rate()
    coffee = factories.category("Coffee")
    tea = factories.category("Tea")
    currency = settings.POS_DEFAULT_CURRENCY
    Product.objects.bulk_create(
        [
            Product(
                name=f"{prefix} {n:05d}",
                slug=f"{prefix.lower()}-{n}",
                sku=f"{prefix[:3].upper()}-{n:05d}",
                barcode=barcode_for(300_000_000_000 + n),
                price=Money(Decimal(100 + n % 900) / 100, currency),
                tax_rate=rate,
                category=coffee if n % 2 else tea,
                quantity_on_hand=20,
                low_stock_threshold=5,
            )
            for n in range(start, start + count)
        ],
        batch_size=500,
    )


@pytest.fixture
def shop(db):
    make_user("casey", "Cashiers")
    bulk_products(70)  # more than the register's first page (60): the last ones are never shown
    zebra = factories.product("Zebra tea", "3.00", stock=4)
    yak = factories.product("Yak butter", "5.00", stock=6)
    return {"zebra": zebra, "yak": yak}


def wait_for_kept_catalog(page, count: int) -> None:
    page.wait_for_selector(f"html[data-catalog='{count}']", timeout=20_000)


def test_a_product_never_shown_online_is_found_and_sold_offline_then_synced_once(page, shop):
    sign_in(page, "casey")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()  # controlled by the worker: the page and its modules are kept
    page.wait_for_selector("html[data-offline-sync]")
    wait_for_kept_catalog(page, 72)
    expect(page.locator("#catalog-status")).to_have_text(re.compile(r"^Catalog updated \d\d:\d\d"))
    # The first page online shows the "Filler" products only.
    expect(page.locator(".tile").first).to_be_visible()
    assert page.locator(".tile", has_text="Zebra tea").count() == 0
    assert page.locator(".tile", has_text="Yak butter").count() == 0

    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("html[data-offline]")
    expect(page.locator("#banner")).to_contain_text("Offline — sales will sync: 0 sale(s)")
    expect(page.locator("#catalog-status")).to_contain_text("Catalog updated")
    # Offline "show more" pages through the kept catalog too.
    expect(page.locator(".tile")).to_have_count(60)
    expect(page.locator("#more-products")).to_be_visible()

    page.fill("#search", "zebra")
    expect(page.locator(".tile")).to_have_count(1)
    page.locator(".tile", has_text="Zebra tea").click()
    scan(page, shop["yak"].barcode)
    expect(line(page, "Zebra tea")).to_be_visible()
    expect(line(page, "Yak butter")).to_be_visible()
    expect(page.locator("#totals")).to_contain_text("$8.66")  # 8.00 + 8.25 % tax
    open_payment(page)
    page.fill("#cash-tendered", "10")
    page.click("#pay-submit")
    expect(page.locator("#done-title")).to_contain_text("saved offline — it will sync")
    page.click("#new-sale")
    assert Sale.objects.count() == 0

    page.context.set_offline(False)  # back online: the page sends the queue by itself
    expect(page.locator("#toasts")).to_contain_text("1 sale(s) made offline are now recorded")
    page.wait_for_selector("html[data-ready]:not([data-offline])")
    page.wait_for_selector("html[data-offline-sync]")
    page.reload()  # and again: nothing is sent twice
    page.wait_for_selector("html[data-offline-sync]")
    assert Sale.objects.count() == OfflineSale.objects.count() == 1
    sale = Sale.objects.get()
    assert sorted(sale.lines.values_list("name", flat=True)) == ["Yak butter", "Zebra tea"]
    assert str(sale.total.amount) == "8.66"
    assert Product.objects.get(pk=shop["zebra"].pk).quantity_on_hand == 3
    assert Product.objects.get(pk=shop["yak"].pk).quantity_on_hand == 5


def api_ids(page, term: str, category: str = "") -> list[int]:
    return page.evaluate(
        """async ({ term, category }) => {
            const params = new URLSearchParams({ active: "true", page_size: "200", search: term });
            if (category) params.set("category", category);
            const answer = await fetch(`/api/v1/products/?${params}`);
            return (await answer.json()).results.map((p) => p.id);
        }""",
        {"term": term, "category": category},
    )


def test_the_kept_catalog_searches_like_the_api_and_follows_changes(page, db):
    make_user("casey", "Cashiers")
    bulk_products(40)
    beans = factories.product("Espresso beans", "8.90", barcode="4006381333931")
    factories.product("espresso CUP", "2.00", barcode=None)
    factories.product("Decaf ESPRESSO", "9.10")
    factories.product("Old blend", "1.00", active=False)
    sign_in(page, "casey")
    wait_for_kept_catalog(page, 43)

    terms = ["esp", "ESPRESSO", "fil", "FIL-0001", "400638", "4006381333931", "0003", "cup", "x"]
    kept = page.evaluate(SEARCH, {"terms": terms, "category": ""})
    for term in terms:
        assert kept[term] == api_ids(page, term), term
    tea = str(factories.category("Tea").pk)
    kept = page.evaluate(SEARCH, {"terms": ["", "fil", "0001"], "category": tea})
    for term in ["", "fil", "0001"]:
        assert kept[term] == api_ids(page, term, tea), term
    assert page.evaluate(
        """async (code) => {
            const kept = await (await import("/static/pos/catalog.js")).loadCatalog();
            return [kept.byBarcode(code).name, kept.byBarcode("0" + code.slice(1)) === null];
        }""",
        "4006381333931",
    ) == ["Espresso beans", True]

    # Changes since: a rename and a price, a deactivation, a new product, a deletion outright
    # (never sold), which only the count reveals: then the whole catalog is downloaded again.
    Product.objects.filter(pk=beans.pk).update(name="Espresso beans 1 kg")
    beans.refresh_from_db()
    beans.price = Money(Decimal("9.50"), "USD")
    beans.save()
    cup = Product.objects.get(name="espresso CUP")
    cup.is_active = False
    cup.save()
    factories.product("Espresso tamper", "20.00")
    result = page.evaluate(SYNC, {"full": False, "chunk": 0})
    assert not result["full"] and result["count"] == 43
    # The changes are kept as a patch over the chunks: read back, they are applied.
    kept = page.evaluate(SEARCH, {"terms": ["esp", "cup"], "category": ""})
    assert kept["esp"] == api_ids(page, "esp") and kept["cup"] == []
    assert "Espresso tamper" in page.evaluate(
        """async () => (await (await import("/static/pos/catalog.js")).loadCatalog())
            .search("tamper").products.map((p) => p.name)"""
    )
    Product.objects.filter(name="Filler 00007").delete()
    result = page.evaluate(SYNC, {"full": False, "chunk": 0})
    assert result["full"] and result["count"] == 42
    kept = page.evaluate(SEARCH, {"terms": ["esp", "filler 00007"], "category": ""})
    assert kept["esp"] == api_ids(page, "esp")
    assert kept["filler 00007"] == []
    found = page.evaluate(
        """async () => {
            const kept = await (await import("/static/pos/catalog.js")).loadCatalog();
            const p = kept.byBarcode("4006381333931");
            return [p.name, p.price.amount, p.tax_rate.rate];
        }"""
    )
    assert found == ["Espresso beans 1 kg", "9.50", "8.25"]


def test_two_thousand_products_load_in_chunks_and_search_instantly(page, db):
    make_user("casey", "Cashiers")
    bulk_products(2000)
    sign_in(page, "casey")
    wait_for_kept_catalog(page, 2000)
    # A whole download again, in chunks of 500 (four chunks, one transaction each).
    result = page.evaluate(SYNC, {"full": True, "chunk": 500})
    assert result["rows"] == 2000 and result["count"] == 2000
    assert result["ms"] < 10_000
    timing = page.evaluate(
        """async () => {
            const catalog = await import("/static/pos/catalog.js");
            let started = performance.now();
            const kept = await catalog.loadCatalog();
            const load = performance.now() - started;
            const times = [];
            for (const term of ["fil", "01999", "FIL-000", "zzz", "3000000"]) {
                started = performance.now();
                kept.search(term, { limit: 60 });
                times.push(performance.now() - started);
            }
            return { load, slowest: Math.max(...times), size: kept.size };
        }"""
    )
    assert timing["size"] == 2000
    assert timing["slowest"] < 50, timing
