"""Checkout and add-to-cart through the API, against the raw-SQL floor (issues #4 and #10).

    python -m bench checkout                 # SQLite
    DATABASE_URL=postgres://… python -m bench checkout

Measures server-side latency through Django's test client (request → view → database →
response; no network): adding by barcode, and checking out 1-, 10- and 50-line carts with the
number of SQL queries each needs. The floor is the same rows written with hand-written SQL in
one transaction, with no validation, pricing or HTTP: the least any implementation must do.
"""

from __future__ import annotations

import statistics
import time
import uuid
from decimal import Decimal

from bench.common import summary

RUNS = 40


def _setup():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from pos.models import Register
    from tests import factories

    user = get_user_model().objects.create_user("bench-cashier", password="x" * 12)
    user.groups.add(Group.objects.get(name="Managers"))
    factories.open_shift(user, Register.objects.order_by("pk").first(), "100.00")
    products = [factories.product(price="1.25", stock=10**6) for _ in range(60)]
    client = Client()
    client.force_login(user)
    return user, client, products


def _cart(client, products, lines: int) -> dict:
    cart = client.post("/api/v1/carts/", {}, content_type="application/json").json()
    for product in products[:lines]:
        cart = client.post(
            f"/api/v1/carts/{cart['id']}/lines/",
            {"product": product.pk, "quantity": 2},
            content_type="application/json",
        ).json()
    return cart


def _checkout(client, cart) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    body = {
        "idempotency_key": str(uuid.uuid4()),
        "payments": [{"method": "cash", "amount": cart["cash_due"]["amount"]}],
    }
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post(
            f"/api/v1/carts/{cart['id']}/checkout/", body, content_type="application/json"
        )
        elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 201, response.content
    return elapsed, len(queries.captured_queries)


def _raw_floor(user, products, lines: int) -> float:
    """The same rows, written with plain SQL in one transaction."""
    from django.db import connection, transaction

    from pos.models import Cart, Register

    register = Register.objects.order_by("pk").first()
    cart = Cart.objects.create(cashier=user, register=register, status="parked")
    chosen = products[:lines]
    now = "2026-01-01 12:00:00"
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE pos_cart SET status = 'checked_out' WHERE id = %s", [cart.pk])
        cases = " ".join(f"WHEN {p.pk} THEN 2" for p in chosen)
        ids = ",".join(str(p.pk) for p in chosen)
        cur.execute(
            f"UPDATE catalog_product SET quantity_on_hand = quantity_on_hand - "  # noqa: S608
            f"CASE id {cases} END WHERE id IN ({ids})"
        )
        cur.execute("UPDATE pos_counter SET value = value + 1 WHERE name = 'sale'")
        money = ["USD", Decimal("1.00")]
        cur.execute(
            "INSERT INTO pos_sale (number, idempotency_key, cart_id, cashier_id, register_id, "
            "status, prices_include_tax, subtotal_currency, subtotal, line_discounts_currency, "
            "line_discounts, cart_discount_currency, cart_discount, discount_total_currency, "
            "discount_total, tax_total_currency, tax_total, total_currency, total, "
            "cash_rounding_currency, cash_rounding, amount_paid_currency, amount_paid, "
            "change_given_currency, change_given, item_count, created_at) VALUES "
            "(%s, %s, %s, %s, %s, 'completed', false, " + ", ".join(["%s"] * 18) + ", %s, %s)",
            [f"X-{uuid.uuid4().hex[:12]}", uuid.uuid4().hex, cart.pk, user.pk, register.pk]
            + money * 9
            + [lines * 2, now],
        )
        sale_id = cur.lastrowid if connection.vendor == "sqlite" else None
        if sale_id is None:
            cur.execute("SELECT lastval()")
            sale_id = cur.fetchone()[0]
        line_rows = []
        for position, p in enumerate(chosen, start=1):
            line_rows += [sale_id, p.pk, position, p.name, p.sku, 2, "8.25", "Standard"]
            line_rows += money * 6
        cur.execute(
            "INSERT INTO pos_saleline (sale_id, product_id, position, name, sku, quantity, "
            "tax_rate, tax_rate_name, unit_price_currency, unit_price, gross_currency, gross, "
            "discount_currency, discount, cart_discount_currency, cart_discount, total_currency, "
            "total, tax_currency, tax) VALUES "
            + ", ".join(["(" + ", ".join(["%s"] * 20) + ")"] * len(chosen)),
            line_rows,
        )
        cur.execute(
            "INSERT INTO pos_saletax (sale_id, rate, taxable_currency, taxable, tax_currency, tax)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [sale_id, "8.25", *money, *money],
        )
        cur.execute(
            "INSERT INTO pos_payment (sale_id, position, method, tendered_currency, tendered, "
            "amount_currency, amount, change_currency, change, reference, card_brand, card_last4,"
            " gateway, gateway_token) VALUES (%s, 1, 'cash', %s, %s, %s, %s, %s, %s, '', '', '',"
            " '', '')",
            [sale_id, *money, *money, *money],
        )
        movement_rows = []
        for p in chosen:
            movement_rows += [p.pk, "sale", -2, 0, user.pk, "", "", sale_id, now]
        cur.execute(
            "INSERT INTO pos_stockmovement (product_id, kind, quantity, resulting_quantity, "
            "user_id, reason, reference, sale_id, created_at) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chosen)),
            movement_rows,
        )
    return (time.perf_counter() - start) * 1000


def run() -> None:
    from bench import common

    user, client, products = _setup()
    results: dict[str, dict] = {}

    cart = _cart(client, products, 0)
    barcodes = [p.barcode for p in products[:50]]
    samples = []
    for i in range(RUNS * 5):
        code = barcodes[i % len(barcodes)]
        start = time.perf_counter()
        response = client.post(
            f"/api/v1/carts/{cart['id']}/lines/", {"barcode": code}, content_type="application/json"
        )
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 201, response.content
    results["add to cart by barcode"] = summary(samples[20:])
    client.delete(f"/api/v1/carts/{cart['id']}/")

    samples = []
    for _ in range(RUNS * 2):
        start = time.perf_counter()
        response = client.post(
            f"/api/v1/carts/{cart['id']}/checkout/", {}, content_type="application/json"
        )
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 400, response.content
    # Session, user, permissions, cart lookup, DRF parsing and a 400 answer: what any checkout
    # request costs before it does any work.
    results["request floor (checkout refused by validation)"] = summary(samples[5:])

    for lines in (1, 10, 50):
        times, counts = [], []
        for _ in range(RUNS if lines < 50 else RUNS // 2):
            elapsed, queries = _checkout(client, _cart(client, products, lines))
            times.append(elapsed)
            counts.append(queries)
        # The most frequent count: a run that re-reads the store settings (cached 30 s) does 2 more.
        queries = statistics.mode(counts)
        results[f"checkout {lines:>2}-line cart"] = {**summary(times[3:]), "queries": queries}
        floor = [_raw_floor(user, products, lines) for _ in range(RUNS)]
        results[f"raw SQL floor {lines:>2} lines"] = summary(floor[3:])

    ten = results["checkout 10-line cart"]["median_ms"]
    floor_ten = results["raw SQL floor 10 lines"]["median_ms"]
    request = results["request floor (checkout refused by validation)"]["median_ms"]
    extra = {
        "ratio_to_floor_10_lines": round(ten / floor_ten, 2),
        "ratio_to_floor_10_lines_plus_request": round(ten / (floor_ten + request), 2),
        "checkouts_per_second_one_client": round(1000 / ten, 1),
        "queries_equal_across_1_10_50": len(
            {results[f"checkout {n:>2}-line cart"]["queries"] for n in (1, 10, 50)}
        )
        == 1,
    }
    common.report("checkout", results, **extra)
    for key, value in extra.items():
        print(f"{key}: {value}")
