"""A Z report over a mixed day, checked against figures computed by hand: two tax rates, a
line discount, a void, a cash pay-in and a card refund."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from pos import services
from tests import factories

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_z_report_with_two_rates_discount_void_pay_in_and_card_refund(
    cashier, cashier_client, manager, manager_client
):
    """Tax exclusive, per line, half-up. Opening float 100.00.

      S1 (cash 40.00): 2 × A 10.00 @ 8.25 % with 2.00 line discount → 18.00, tax 1.485 → 1.49
                       3 × F 4.00 @ 5 %                              → 12.00, tax 0.60
                       gross 32.00, discounts 2.00, total 30.00 + 2.09 = 32.09 (change 7.91)
      S2 (card):       2 × G 50.00 @ 8.25 % → 100.00, tax 8.25, total 108.25
      S3 (cash):       1 × F 4.00 @ 5 % → 4.00 + 0.20 = 4.20, then voided (4.20 back in cash)
      pay-in 25.00;  card refund of 1 × G on S2: 108.25 / 2 = 54.125 → 54.13, tax 4.125 → 4.13

    sales 3, items 8; gross 136.00; discounts 2.00; sales total 32.09 + 108.25 + 4.20 = 144.54
    refunds 2: 4.20 + 54.13 = 58.33; net 144.54 − 58.33 = 86.21
    tax 5 %: 0.60 + 0.20 − 0.20 = 0.60; 8.25 %: 1.49 + 8.25 − 4.13 = 5.61
    cash: taken 32.09 + 4.20 = 36.29, refunded 4.20, net 32.09; card: 108.25 − 54.13 = 54.12
    expected cash 100.00 + 36.29 − 4.20 + 25.00 = 157.09; counted 157.00 → over/short −0.09
    """
    shift = factories.open_shift(cashier, opening_float="100.00")
    reduced = factories.tax_rate("Reduced", "5.00")
    a = factories.product("A", "10.00", stock=50)
    f = factories.product("F", "4.00", stock=50, rate=reduced)
    g = factories.product("G", "50.00", stock=50)

    cart, _ = services.open_cart(user=cashier)
    services.add_to_cart(cart=cart, product_id=a.pk, quantity=2)
    services.add_to_cart(cart=cart, product_id=f.pk, quantity=3)
    line_a = cart.lines.get(product=a)
    services.set_line_discount(cart=cart, line_id=line_a.pk, amount="2.00", user=manager)
    s1 = services.checkout_cart(
        cart=cart,
        payments=[services.PaymentRequest(method="cash", amount=Decimal("40.00"))],
        idempotency_key=uuid.uuid4(),
        user=cashier,
    ).sale
    assert (s1.total.amount, s1.change_given.amount) == (Decimal("32.09"), Decimal("7.91"))
    s2 = factories.sale(cashier, (g, 2), payments=[("card", "108.25")])
    s3 = factories.sale(cashier, (f, 1))
    assert post(manager_client, f"/api/v1/sales/{s3.number}/void/").status_code == 201
    response = post(
        cashier_client,
        f"/api/v1/shifts/{shift.pk}/cash-movements/",
        {"kind": "pay_in", "amount": "25.00", "reason": "change from the bank"},
    )
    assert response.status_code == 201
    response = post(
        manager_client,
        f"/api/v1/sales/{s2.number}/refunds/",
        {
            "idempotency_key": str(uuid.uuid4()),
            "lines": [{"line": s2.lines.get().pk, "quantity": 1}],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["payments"][0]["method"] == "card"

    z = post(cashier_client, f"/api/v1/shifts/{shift.pk}/close/", {"counted_cash": "157.00"}).json()

    def amount(key):
        return z[key]["amount"]

    assert (z["sales_count"], z["items_sold"], z["refunds_count"]) == (3, 8, 2)
    assert amount("gross") == "136.00" and amount("discounts") == "2.00"
    assert amount("sales_total") == "144.54" and amount("refunds") == "58.33"
    assert amount("net") == "86.21"
    assert {t["rate"]: t["tax"]["amount"] for t in z["tax"]} == {"5.00": "0.60", "8.25": "5.61"}
    tenders = {
        t["method"]: (t["taken"]["amount"], t["refunded"]["amount"], t["net"]["amount"])
        for t in z["tenders"]
    }
    assert tenders == {
        "cash": ("36.29", "4.20", "32.09"),
        "card": ("108.25", "54.13", "54.12"),
    }
    assert amount("paid_in") == "25.00" and amount("paid_out") == "0.00"
    assert amount("opening_float") == "100.00"
    assert amount("expected_cash") == "157.09" and amount("counted_cash") == "157.00"
    assert amount("over_short") == "-0.09"
