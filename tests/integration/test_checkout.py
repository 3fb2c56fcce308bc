"""Checkout: all or nothing, idempotent, constant query count, tenders exact to the cent."""

import uuid
from decimal import Decimal

import pytest
from django.db.models import Sum

from catalog.models import Product
from pos.models import Cart, Payment, Sale, SaleLine, StockMovement
from store.selectors import current_store_settings
from tests import factories

pytestmark = pytest.mark.django_db

VISA = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
DECLINED = {"number": "4000000000000002", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
RETRY = {"number": "4000000000000119", "exp_month": 12, "exp_year": 2035, "cvc": "123"}


@pytest.fixture(autouse=True)
def shift_on_register_1(db):
    """The drawer of Register 1 is open: sales need an open shift."""
    from tests.conftest import make_user

    return factories.open_shift(make_user("opener", "Cashiers"))


def cart_with(client, *items) -> dict:
    cart = client.post("/api/v1/carts/", {}, content_type="application/json").json()
    for product, quantity in items:
        response = client.post(
            f"/api/v1/carts/{cart['id']}/lines/",
            {"product": product.pk, "quantity": quantity},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        cart = response.json()
    return cart


def checkout(client, cart_id, payments, key=None):
    return client.post(
        f"/api/v1/carts/{cart_id}/checkout/",
        {"idempotency_key": str(key or uuid.uuid4()), "payments": payments},
        content_type="application/json",
    )


def test_cash_sale_with_change(cashier_client, cashier):
    beans = factories.product("Espresso beans", "8.90", stock=10)
    cup = factories.product("Reusable cup", "12.00", stock=5)
    cart = cart_with(cashier_client, (beans, 2), (cup, 1))
    # tax per line: 17.80 × 8.25 % = 1.4685 → 1.47, 12.00 × 8.25 % = 0.99; 29.80 + 2.46
    assert cart["total"]["amount"] == "32.26"
    response = checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "40.00"}])
    assert response.status_code == 201, response.content
    sale = response.json()
    assert sale["number"] == "S-000001"
    assert sale["total"] == {"amount": "32.26", "currency": "USD"}
    assert sale["change"] == {"amount": "7.74", "currency": "USD"}
    assert sale["payments"] == [
        {
            "method": "cash",
            "amount": {"amount": "32.26", "currency": "USD"},
            "tendered": {"amount": "40.00", "currency": "USD"},
            "change": {"amount": "7.74", "currency": "USD"},
            "card": None,
            "reference": "",
        }
    ]
    assert sale["receipt_urls"] == {"html": "/receipts/S-000001/", "pdf": "/receipts/S-000001.pdf"}
    assert [line["name"] for line in sale["lines"]] == ["Espresso beans", "Reusable cup"]
    beans.refresh_from_db()
    cup.refresh_from_db()
    assert (beans.quantity_on_hand, cup.quantity_on_hand) == (8, 4)
    movements = StockMovement.objects.filter(sale__number="S-000001").order_by("product_id")
    assert [(m.quantity, m.resulting_quantity, m.kind) for m in movements] == [
        (-2, 8, "sale"),
        (-1, 4, "sale"),
    ]
    assert Cart.objects.get(pk=cart["id"]).status == "checked_out"
    assert cashier_client.get("/api/v1/sales/S-000001/").json()["number"] == "S-000001"


def test_sale_lines_freeze_price_name_and_tax(cashier_client):
    beans = factories.product("Espresso beans", "8.90", stock=10)
    cart = cart_with(cashier_client, (beans, 1))
    checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "20.00"}])
    Product.objects.filter(pk=beans.pk).update(name="Renamed", price=Decimal("99.00"))
    line = SaleLine.objects.get()
    assert (line.name, line.unit_price.amount, line.tax_rate) == (
        "Espresso beans",
        Decimal("8.90"),
        Decimal("8.25"),
    )


def test_same_key_returns_the_same_sale(cashier_client):
    cart = cart_with(cashier_client, (factories.product(price="5.00"), 1))
    key = uuid.uuid4()
    first = checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "10.00"}], key)
    again = checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "10.00"}], key)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"]
    assert Sale.objects.count() == 1 and StockMovement.objects.filter(kind="sale").count() == 1


def test_key_reused_on_another_cart_is_a_409(cashier_client):
    product = factories.product(price="5.00")
    cart = cart_with(cashier_client, (product, 1))
    key = uuid.uuid4()
    checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "10.00"}], key)
    other = cart_with(cashier_client, (product, 1))
    response = checkout(cashier_client, other["id"], [{"method": "cash", "amount": "10.00"}], key)
    assert response.status_code == 409 and response.json()["code"] == "idempotency_key_reused"
    assert Sale.objects.count() == 1


def test_paid_cart_cannot_be_paid_again_with_a_new_key(cashier_client):
    cart = cart_with(cashier_client, (factories.product(price="5.00"), 1))
    checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "10.00"}])
    response = checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "10.00"}])
    assert response.status_code == 409 and Sale.objects.count() == 1


def test_stock_gone_since_adding_rolls_everything_back(cashier_client):
    beans = factories.product("Espresso beans", "8.90", stock=5)
    cup = factories.product("Reusable cup", "12.00", stock=5)
    cart = cart_with(cashier_client, (cup, 1), (beans, 3))
    Product.objects.filter(pk=beans.pk).update(quantity_on_hand=2)  # sold at another register
    response = checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "100.00"}])
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Only 2 × Espresso beans left in stock.",
        "code": "insufficient_stock",
    }
    cup.refresh_from_db()
    assert cup.quantity_on_hand == 5
    assert not Sale.objects.exists() and not StockMovement.objects.filter(kind="sale").exists()
    assert Cart.objects.get(pk=cart["id"]).status == "open"


def test_negative_stock_allowed_by_the_store(cashier_client):
    beans = factories.product("Espresso beans", "8.90", stock=1)
    store = current_store_settings()
    store.allow_negative_stock = True
    store.save()
    cart = cart_with(cashier_client, (beans, 3))
    assert (
        checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "50"}]).status_code
        == 201
    )
    beans.refresh_from_db()
    assert beans.quantity_on_hand == -2


def test_product_deactivated_since_adding_is_refused(cashier_client):
    old = factories.product("Old", "1.00")
    cart = cart_with(cashier_client, (old, 1))
    Product.objects.filter(pk=old.pk).update(is_active=False)
    response = checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "5"}])
    assert response.status_code == 400 and "no longer sold" in response.json()["detail"]


@pytest.mark.parametrize(
    ("payments", "code"),
    [
        ([{"method": "cash", "amount": "5.00"}], "tenders_short"),
        ([{"method": "card", "amount": "30.00", "card": VISA}], "card_exceeds_due"),
        ([{"method": "card", "amount": "5.00", "card": VISA}], "tenders_short"),
        ([{"method": "other", "amount": "10.84", "reference": "V-1"}], "card_exceeds_due"),
        ([{"method": "cheque", "amount": "10.83"}], "invalid"),
        ([{"method": "cash", "amount": "-1"}], "invalid"),
        ([{"method": "cash", "amount": "10.835"}], "invalid"),
        ([{"method": "card", "amount": "10.83"}], "invalid"),
        ([], "invalid"),
    ],
)
def test_bad_tenders_write_nothing(cashier_client, payments, code):
    product = factories.product(price="10.00", stock=3)
    cart = cart_with(cashier_client, (product, 1))
    assert cart["total"]["amount"] == "10.83"
    response = checkout(cashier_client, cart["id"], payments)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code, response.json()
    product.refresh_from_db()
    assert product.quantity_on_hand == 3 and not Sale.objects.exists()


@pytest.mark.parametrize("key", ["", "not-a-uuid", None])
def test_missing_or_bad_key_is_refused(cashier_client, key):
    cart = cart_with(cashier_client, (factories.product(price="1.00"), 1))
    response = cashier_client.post(
        f"/api/v1/carts/{cart['id']}/checkout/",
        {"idempotency_key": key, "payments": [{"method": "cash", "amount": "5"}]},
        content_type="application/json",
    )
    assert response.status_code == 400 and not Sale.objects.exists()


def test_empty_cart_cannot_be_paid(cashier_client):
    cart = cart_with(cashier_client)
    response = checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "5"}])
    assert response.status_code == 400 and response.json()["code"] == "cart_empty"


def test_split_cash_and_card(cashier_client):
    cart = cart_with(cashier_client, (factories.product(price="20.00"), 1))  # 21.65
    response = checkout(
        cashier_client,
        cart["id"],
        [
            {"method": "card", "amount": "15.00", "card": VISA},
            {"method": "cash", "amount": "10.00"},
        ],
    )
    assert response.status_code == 201, response.content
    sale = response.json()
    assert [p["method"] for p in sale["payments"]] == ["card", "cash"]
    assert sale["payments"][0]["card"] == "Visa •••• 4242"
    assert sale["payments"][0]["reference"].startswith("sim_")
    assert sale["change"]["amount"] == "3.35"
    card = Payment.objects.get(method="card")
    assert card.gateway_token.startswith("tok_sim_") and card.card_last4 == "4242"
    assert (card.card_exp_month, card.card_exp_year) == (12, 2035)


def test_checkout_answer_is_the_sale_as_stored(cashier_client):
    """The response is built from the rows just written; it must equal the sale read back."""
    reduced = factories.tax_rate("Reduced", "5.50")
    cart = cart_with(
        cashier_client,
        (factories.product(price="20.00"), 2),
        (factories.product(price="3.35", rate=reduced), 3),
    )
    response = checkout(
        cashier_client,
        cart["id"],
        [
            {"method": "card", "amount": "15.00", "card": VISA},
            {"method": "cash", "amount": "50.00"},
        ],
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    stored = cashier_client.get(f"/api/v1/sales/{answer['number']}/").json()
    lines = [
        {key: line[key] for key in mine}
        for mine, line in zip(answer["lines"], stored["lines"], strict=True)
    ]
    assert answer["lines"] == lines
    assert answer == {key: stored[key] for key in answer} | {"lines": lines}
    assert len(answer["tax"]) == 2 and len(answer["lines"]) == 2


def test_declined_card_keeps_the_cart(cashier_client):
    product = factories.product(price="20.00", stock=4)
    cart = cart_with(cashier_client, (product, 1))
    response = checkout(
        cashier_client, cart["id"], [{"method": "card", "amount": "21.65", "card": DECLINED}]
    )
    assert response.status_code == 400 and response.json()["code"] == "card_declined"
    assert "declined" in response.json()["detail"]
    product.refresh_from_db()
    assert product.quantity_on_hand == 4 and not Sale.objects.exists()
    assert Cart.objects.get(pk=cart["id"]).status == "open"
    assert len(cashier_client.get(f"/api/v1/carts/{cart['id']}/").json()["lines"]) == 1


def test_card_needing_a_retry_succeeds_on_the_retry(cashier_client):
    cart = cart_with(cashier_client, (factories.product(price="20.00"), 1))
    key = uuid.uuid4()
    pay = [{"method": "card", "amount": "21.65", "card": RETRY}]
    first = checkout(cashier_client, cart["id"], pay, key)
    assert first.status_code == 400 and first.json()["code"] == "gateway_retry"
    second = checkout(cashier_client, cart["id"], pay, key)
    assert second.status_code == 201 and Sale.objects.count() == 1


@pytest.mark.parametrize(
    ("card", "code"),
    [
        ({**VISA, "number": "4242424242424241"}, "invalid_card_number"),
        ({**VISA, "exp_year": 2020}, "card_expired"),
        ({**VISA, "cvc": "12a"}, "invalid_cvc"),
    ],
)
def test_bad_card_details(cashier_client, card, code):
    cart = cart_with(cashier_client, (factories.product(price="20.00"), 1))
    response = checkout(
        cashier_client, cart["id"], [{"method": "card", "amount": "21.65", "card": card}]
    )
    assert response.status_code == 400 and response.json()["code"] == code
    assert not Sale.objects.exists()


def test_cash_rounding_applies_to_cash_only(cashier_client):
    store = current_store_settings()
    store.cash_rounding = Decimal("0.05")
    store.save()
    cart = cart_with(cashier_client, (factories.product(price="10.00"), 1))  # 10.83
    assert cart["cash_due"]["amount"] == "10.85"
    response = checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "20.00"}])
    sale = response.json()
    assert sale["total"]["amount"] == "10.83"
    assert sale["cash_rounding"]["amount"] == "0.02"
    assert sale["change"]["amount"] == "9.15"
    card_cart = cart_with(cashier_client, (factories.product(price="10.00"), 1))
    response = checkout(
        cashier_client, card_cart["id"], [{"method": "card", "amount": "10.83", "card": VISA}]
    )
    assert response.status_code == 201 and response.json()["cash_rounding"]["amount"] == "0.00"


def test_tax_inclusive_store_with_discounts_is_payable_to_the_cent(manager_client):
    store = current_store_settings()
    store.prices_include_tax = True
    store.save()
    a = factories.product(price="19.99", rate=factories.tax_rate("VAT", "20"))
    b = factories.product(price="3.33", rate=factories.tax_rate("Reduced", "5.5"))
    cart = cart_with(manager_client, (a, 3), (b, 7))
    manager_client.post(
        f"/api/v1/carts/{cart['id']}/discount/",
        {"kind": "percent", "value": "12.5"},
        content_type="application/json",
    )
    cart = manager_client.get(f"/api/v1/carts/{cart['id']}/").json()
    total = cart["total"]["amount"]
    lines_sum = sum(Decimal(line["line_total"]["amount"]) for line in cart["lines"])
    assert Decimal(total) == lines_sum
    response = checkout(
        manager_client, cart["id"], [{"method": "card", "amount": total, "card": VISA}]
    )
    assert response.status_code == 201, response.content
    assert response.json()["total"]["amount"] == total


def test_sale_visibility(cashier_client, manager_client, cashier):
    from tests.conftest import client_for, make_user

    cart = cart_with(cashier_client, (factories.product(price="1.00"), 1))
    number = checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "5"}]).json()[
        "number"
    ]
    assert manager_client.get(f"/api/v1/sales/{number}/").status_code == 200
    other = client_for(make_user("other", "Cashiers"))
    assert other.get(f"/api/v1/sales/{number}/").status_code == 404
    assert cashier_client.get("/api/v1/sales/S-999999/").status_code == 404


def checkout_queries(client, lines: int, stock: int = 100) -> list[str]:
    products = [factories.product(price="1.10", stock=stock) for _ in range(lines)]
    cart = cart_with(client, *[(p, 2) for p in products])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = checkout(
            client,
            cart["id"],
            [{"method": "card", "amount": cart["total"]["amount"], "card": VISA}],
        )
    assert response.status_code == 201, response.content
    return [query["sql"] for query in context.captured_queries]


def test_checkout_query_count_does_not_grow_with_lines(cashier_client):
    one = len(checkout_queries(cashier_client, 1))
    fifty = len(checkout_queries(cashier_client, 50))
    assert one == fifty, (one, fifty)
    from django.db import connection

    # PostgreSQL locks the cart's products first (SELECT … FOR UPDATE); SQLite's write lock
    # already covers them.
    assert one <= (18 if connection.vendor == "sqlite" else 19), one


def test_checkout_reads_low_stock_alerts_only_when_a_product_runs_low(cashier_client):
    """A sale only lowers stock: above every threshold there is no alert to raise or clear."""
    plenty = checkout_queries(cashier_client, 3, stock=100)
    assert not [sql for sql in plenty if "pos_lowstockalert" in sql], plenty
    running_low = checkout_queries(cashier_client, 1, stock=3)  # 1 left, threshold 5
    assert [sql for sql in running_low if "pos_lowstockalert" in sql]
    product = SaleLine.objects.order_by("-pk").first().product
    assert product.low_stock_alerts.filter(cleared_at__isnull=True).count() == 1


def test_ledger_matches_after_several_sales(cashier_client):
    product = factories.product(price="2.00", stock=30)
    for quantity in (1, 4, 2):
        cart = cart_with(cashier_client, (product, quantity))
        checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "50"}])
    product.refresh_from_db()
    moved = StockMovement.objects.filter(product=product).aggregate(total=Sum("quantity"))["total"]
    assert product.quantity_on_hand == moved == 23  # opening 30, then -1, -4, -2
    assert list(Sale.objects.order_by("number").values_list("number", flat=True)) == [
        "S-000001",
        "S-000002",
        "S-000003",
    ]


def test_a_lost_database_connection_is_a_503_the_client_can_retry(cashier_client, monkeypatch):
    from django.db import OperationalError

    from pos import services

    cart = cart_with(cashier_client, (factories.product(price="2.00", stock=5), 1))

    def connection_lost(**kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(services, "checkout_cart", connection_lost)
    response = checkout(cashier_client, cart["id"], [{"method": "cash", "amount": "5.00"}])
    assert response.status_code == 503 and response["Retry-After"] == "2"
    body = response.json()
    assert body["code"] == "database_unavailable" and "Try again" in body["detail"]
    assert "terminating" not in response.content.decode()
    assert not Sale.objects.exists()
