"""POST /api/v1/offline-sales/: sales made offline are recorded exactly once, re-priced, flagged."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from catalog.models import Product
from pos.inventory import ledger_mismatches
from pos.models import LowStockAlert, OfflineSale, Payment, Register, Sale, StockMovement
from tests import factories
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/offline-sales/"


@pytest.fixture(autouse=True)
def shift_on_register_1(db):
    return factories.open_shift(make_user("opener", "Cashiers"))


def register_1() -> Register:
    return Register.objects.order_by("pk").first()


def body(*items, payments=None, total=None, client_id=None, number="OFF-1-0001", **extra):
    """An offline sale as the register sends it. items: (product, quantity[, unit_price])."""
    lines = []
    for item in items:
        product, quantity = item[0], item[1]
        price = item[2] if len(item) > 2 else str(product.price.amount)
        lines.append(
            {
                "product": product.pk,
                "quantity": quantity,
                "unit_price": price,
                "tax_rate": str(product.tax_rate.rate),
            }
        )
    data = {
        "client_id": str(client_id or uuid.uuid4()),
        "provisional_number": number,
        "register": register_1().pk,
        "sold_at": "2026-11-25T10:15:00Z",
        "lines": lines,
        "payments": payments if payments is not None else [{"method": "cash", "amount": total}],
        "total": total,
    }
    data.update(extra)
    return data


def post(client, data):
    return client.post(URL, data, content_type="application/json")


def test_an_offline_cash_sale_is_recorded_like_a_sale(cashier_client, cashier):
    beans = factories.product("Beans", "10.00", stock=20)  # 8.25 % on top
    mugs = factories.product("Mug", "4.99", stock=5)
    # 2 × 10.00 + 1 × 4.99 = 24.99; tax 1.65 + 0.41 = 2.06; total 27.05
    response = post(
        cashier_client,
        body(
            (beans, 2),
            (mugs, 1),
            total="27.05",
            payments=[{"method": "cash", "amount": "30.00"}],
        ),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["total"]["amount"] == "27.05"
    assert data["change"]["amount"] == "2.95"
    assert data["number"].startswith("S-")
    assert data["offline"]["provisional_number"] == "OFF-1-0001"
    assert data["offline"]["needs_review"] is False
    sale = Sale.objects.get(number=data["number"])
    assert sale.cart is None and sale.shift is not None and sale.cashier == cashier
    assert [line.total.amount for line in sale.lines.all()] == [Decimal("20.00"), Decimal("4.99")]
    assert sale.payments.get().method == Payment.Method.CASH
    assert Product.objects.get(pk=beans.pk).quantity_on_hand == 18
    assert Product.objects.get(pk=mugs.pk).quantity_on_hand == 4
    assert StockMovement.objects.filter(sale=sale).count() == 2
    offline = OfflineSale.objects.get()
    assert offline.sale == sale and str(offline.client_id) == str(sale.idempotency_key)
    assert offline.price_difference.amount == 0 and offline.review_reasons == []


def test_a_retry_a_second_tab_and_a_second_device_get_the_same_sale(cashier_client, manager):
    beans = factories.product("Beans", "10.00", stock=20)
    data = body((beans, 1), total="10.83")
    first = post(cashier_client, data)
    assert first.status_code == 201, first.content
    again = post(cashier_client, data)  # a retry after a lost answer, or another tab
    other_device = post(client_for(manager), data)  # the same queue synced from elsewhere
    assert again.status_code == other_device.status_code == 200
    assert again.json()["number"] == other_device.json()["number"] == first.json()["number"]
    assert again.json()["total"] == first.json()["total"]
    assert Sale.objects.count() == 1 and OfflineSale.objects.count() == 1
    assert Product.objects.get(pk=beans.pk).quantity_on_hand == 19


def test_the_same_id_with_different_content_is_refused(cashier_client):
    beans = factories.product("Beans", "10.00", stock=20)
    key = uuid.uuid4()
    assert post(cashier_client, body((beans, 1), total="10.83", client_id=key)).status_code == 201
    response = post(cashier_client, body((beans, 2), total="21.65", client_id=key))
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Sale.objects.count() == 1


def test_an_online_sales_key_cannot_be_replayed_as_an_offline_sale(cashier_client, cashier):
    beans = factories.product("Beans", "10.00", stock=20)
    online = factories.sale(cashier, (beans, 1))
    response = post(
        cashier_client, body((beans, 1), total="10.83", client_id=online.idempotency_key)
    )
    assert response.status_code == 409
    assert Sale.objects.count() == 1


def test_a_price_changed_meanwhile_is_charged_as_sold_and_flagged(cashier_client):
    beans = factories.product("Beans", "12.00", stock=20)  # the register had it at 10.00
    response = post(cashier_client, body((beans, 2, "10.00"), total="21.65"))
    assert response.status_code == 201, response.content
    assert response.json()["total"]["amount"] == "21.65"  # what the customer paid
    assert response.json()["offline"]["needs_review"] is True
    offline = OfflineSale.objects.get()
    assert offline.catalog_total.amount == Decimal("25.98")  # 24.00 + 1.98 tax
    assert offline.price_difference.amount == Decimal("-4.33")
    assert any("catalog price 12.00" in reason for reason in offline.review_reasons)


def test_a_total_the_server_computes_differently_is_flagged(cashier_client):
    beans = factories.product("Beans", "10.00", stock=20)
    response = post(
        cashier_client,
        body((beans, 1), total="10.82", payments=[{"method": "cash", "amount": "20.00"}]),
    )
    assert response.status_code == 201, response.content
    assert response.json()["total"]["amount"] == "10.83"  # the server's rules win
    offline = OfflineSale.objects.get()
    assert offline.needs_review and offline.client_total.amount == Decimal("10.82")
    assert "The register computed 10.82, the server 10.83." in offline.review_reasons


def test_stock_that_ran_out_meanwhile_still_records_the_sale_and_alerts(cashier_client):
    beans = factories.product("Beans", "10.00", stock=5, threshold=2)
    response = post(cashier_client, body((beans, 7), total="75.78"))
    assert response.status_code == 201, response.content
    assert Product.objects.get(pk=beans.pk).quantity_on_hand == -2
    offline = OfflineSale.objects.get()
    assert offline.negative_stock and offline.needs_review
    alert = LowStockAlert.objects.get(product=beans, cleared_at__isnull=True)
    assert alert.quantity == -2
    assert StockMovement.objects.get(product=beans, sale__isnull=False).resulting_quantity == -2
    assert ledger_mismatches() == []  # stock on hand still equals the sum of its movements


def test_a_product_deactivated_meanwhile_is_still_recorded(cashier_client):
    beans = factories.product("Beans", "10.00", stock=5, active=False)
    response = post(cashier_client, body((beans, 1), total="10.83"))
    assert response.status_code == 201, response.content
    assert "Beans is no longer sold." in OfflineSale.objects.get().review_reasons


def test_no_open_shift_when_it_arrives_is_recorded_outside_a_shift(cashier_client):
    from pos.models import Shift

    Shift.objects.update(status=Shift.Status.CLOSED)
    beans = factories.product("Beans", "10.00", stock=5)
    response = post(cashier_client, body((beans, 1), total="10.83"))
    assert response.status_code == 201, response.content
    assert Sale.objects.get().shift is None
    assert OfflineSale.objects.get().needs_review


def test_other_tenders_and_a_cart_discount(manager):
    client = client_for(manager)
    beans = factories.product("Beans", "10.00", stock=5)
    data = body(
        (beans, 2),
        total="19.49",  # 20.00 - 10 % = 18.00, tax 1.49
        payments=[
            {"method": "other", "amount": "5.00", "reference": "voucher 12"},
            {"method": "cash", "amount": "14.49"},
        ],
        cart_discount={"kind": "percent", "value": "10"},
    )
    response = post(client, data)
    assert response.status_code == 201, response.content
    sale = Sale.objects.get()
    assert sale.cart_discount.amount == Decimal("2.00")
    assert [p.method for p in sale.payments.all()] == ["other", "cash"]
    assert not OfflineSale.objects.get().needs_review


def test_card_tenders_are_refused_offline(cashier_client):
    beans = factories.product("Beans", "10.00", stock=5)
    response = post(
        cashier_client,
        body((beans, 1), total="10.83", payments=[{"method": "card", "amount": "10.83"}]),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "card_offline"
    assert "store-and-forward" not in response.json()["detail"]  # plain words for the cashier
    assert "online" in response.json()["detail"]
    assert Sale.objects.count() == 0


def test_discounts_need_the_permission(cashier_client):
    beans = factories.product("Beans", "10.00", stock=5)
    data = body((beans, 2), total="19.49", cart_discount={"kind": "percent", "value": "10"})
    response = post(cashier_client, data)
    assert response.status_code == 403
    assert response.json()["code"] == "discount_not_allowed"
    assert Sale.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"client_id": "not-a-uuid"}, 400, None),
        ({"lines": []}, 400, None),
        ({"register": 999}, 404, "unknown_register"),
        ({"payments": [{"method": "cash", "amount": "5.00"}]}, 400, "tenders_short"),
        ({"payments": [{"method": "bitcoin", "amount": "10.83"}]}, 400, None),
        ({"payments": []}, 400, "no_tenders"),
        ({"total": "-1"}, 400, None),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(cashier_client, change, status, code):
    beans = factories.product("Beans", "10.00", stock=5)
    data = body((beans, 1), total="10.83")
    data.update(change)
    response = post(cashier_client, data)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    if code:
        assert response.json()["code"] == code
    assert Sale.objects.count() == OfflineSale.objects.count() == 0
    assert Product.objects.get(pk=beans.pk).quantity_on_hand == 5
    assert StockMovement.objects.filter(sale__isnull=False).count() == 0


def test_unknown_products_duplicate_lines_and_bad_prices_are_refused(cashier_client):
    beans = factories.product("Beans", "10.00", stock=5)
    unknown = body((beans, 1), total="10.83")
    unknown["lines"][0]["product"] = 999999
    assert post(cashier_client, unknown).json()["code"] == "unknown_product"
    twice = body((beans, 1), (beans, 1), total="21.66")
    assert post(cashier_client, twice).json()["code"] == "duplicate_line"
    cents = body((beans, 1, "10.005"), total="10.83")
    response = post(cashier_client, cents)
    assert response.status_code == 400 and response.json()["code"] == "invalid_price"
    assert Sale.objects.count() == 0


def test_only_register_users_may_post(merchandiser, client):
    beans = factories.product("Beans", "10.00", stock=5)
    assert post(client, body((beans, 1), total="10.83")).status_code in (401, 403)
    assert post(client_for(merchandiser), body((beans, 1), total="10.83")).status_code == 403
    assert Sale.objects.count() == 0


def test_managers_see_the_sales_to_check_in_the_admin(cashier_client, manager):
    beans = factories.product("Beans", "12.00", stock=20)
    assert post(cashier_client, body((beans, 1, "10.00"), total="10.83")).status_code == 201
    page = client_for(manager).get("/admin/pos/offlinesale/?needs_review=1")
    assert page.status_code == 200
    text = page.content.decode()
    assert "OFF-1-0001" in text and Sale.objects.get().number in text
    assert "Beans: sold at 10.00, catalog price 12.00." in text
