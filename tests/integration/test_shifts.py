"""Shifts: opening float, sales belong to the open shift, cash in/out, X and Z reports."""

from decimal import Decimal

import pytest

from pos.models import Register, Sale, Shift
from pos_site.errors import ConflictError
from tests import factories
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_open_shift_api_and_current(cashier_client):
    register = Register.objects.get(name="Register 1")
    response = post(
        cashier_client, "/api/v1/shifts/", {"register": register.pk, "opening_float": "100.00"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open" and body["opening_float"]["amount"] == "100.00"
    assert body["expected_cash"]["amount"] == "100.00"
    current = cashier_client.get("/api/v1/shifts/current/").json()
    assert current["shift"] == body["shift"]


@pytest.mark.parametrize("opening", ["-5", "abc", "1.234", ""])
def test_bad_float_is_refused(cashier_client, opening):
    register = Register.objects.get(name="Register 1")
    response = post(
        cashier_client, "/api/v1/shifts/", {"register": register.pk, "opening_float": opening}
    )
    assert response.status_code == 400 and not Shift.objects.exists()


def test_one_open_shift_per_register_and_per_cashier(cashier_client, cashier, manager):
    factories.open_shift(manager)
    register = Register.objects.get(name="Register 1")
    response = post(
        cashier_client, "/api/v1/shifts/", {"register": register.pk, "opening_float": "50"}
    )
    assert response.status_code == 409 and "already has a shift open" in response.json()["detail"]
    other = Register.objects.create(name="Register 2")
    factories.open_shift(cashier, other)
    with pytest.raises(ConflictError):
        factories.open_shift(cashier, Register.objects.create(name="Register 3"))


def test_no_current_shift_is_a_404(cashier_client):
    response = cashier_client.get("/api/v1/shifts/current/")
    assert response.status_code == 404 and response.json()["code"] == "no_open_shift"


def test_checkout_without_an_open_shift_is_refused(cashier, cashier_client):
    product = factories.product(price="5.00", stock=5)
    cart = post(cashier_client, "/api/v1/carts/").json()
    post(cashier_client, f"/api/v1/carts/{cart['id']}/lines/", {"product": product.pk})
    response = post(
        cashier_client,
        f"/api/v1/carts/{cart['id']}/checkout/",
        {
            "idempotency_key": "3f1c2a4e-0000-4000-8000-000000000001",
            "payments": [{"method": "cash", "amount": "10.00"}],
        },
    )
    assert response.status_code == 409 and response.json()["code"] == "no_open_shift"
    assert "opening float" in response.json()["detail"]
    product.refresh_from_db()
    assert product.quantity_on_hand == 5 and not Sale.objects.exists()


def test_cash_movements(cashier, cashier_client):
    shift = factories.open_shift(cashier, opening_float="50.00")
    url = f"/api/v1/shifts/{shift.pk}/cash-movements/"
    body = post(
        cashier_client, url, {"kind": "pay_in", "amount": "20.00", "reason": "more change"}
    ).json()
    assert body["expected_cash"]["amount"] == "70.00" and body["paid_in"]["amount"] == "20.00"
    response = post(
        cashier_client, url, {"kind": "pay_out", "amount": "80.00", "reason": "supplier"}
    )
    assert response.status_code == 409 and response.json()["code"] == "not_enough_cash"
    response = post(cashier_client, url, {"kind": "pay_out", "amount": "5.00", "reason": ""})
    assert response.status_code == 400
    body = post(
        cashier_client, url, {"kind": "pay_out", "amount": "15.00", "reason": "window cleaner"}
    ).json()
    assert body["expected_cash"]["amount"] == "55.00"


def test_other_cashiers_cannot_see_or_close_my_shift(cashier):
    shift = factories.open_shift(cashier)
    other = client_for(make_user("other", "Cashiers"))
    assert other.get(f"/api/v1/shifts/{shift.pk}/report/").status_code == 404
    assert (
        post(other, f"/api/v1/shifts/{shift.pk}/close/", {"counted_cash": "1"}).status_code == 404
    )


def test_x_and_z_report_against_a_hand_computed_day(cashier, cashier_client, manager_client):
    """Opening float 100.00; three sales; one pay-out; one refund; counted 512.40 → figures by hand.

    Tax exclusive 8.25 % per line.
      S1: 2 × 10.00 = 20.00 + 1.65 tax = 21.65, cash 50.00 → change 28.35
      S2: 1 × 200.00 = 200.00 + 16.50 = 216.50, card 216.50
      S3: 3 × 100.00 = 300.00 + 24.75 = 324.75, card 100.00 + cash 224.75
      pay-out 20.00 (supplier)
      refund 1 × 10.00 of S1 → 10.83 back in cash (10.00 + 0.825 → 0.83 tax share)
    Cash expected = 100 + 21.65 + 224.75 - 20.00 - 10.83 = 315.57
    """
    shift = factories.open_shift(cashier, opening_float="100.00")
    a = factories.product("A", "10.00", stock=50)
    b = factories.product("B", "200.00", stock=50)
    c = factories.product("C", "100.00", stock=50)
    s1 = factories.sale(cashier, (a, 2), payments=[("cash", "50.00")])
    factories.sale(cashier, (b, 1), payments=[("card", "216.50")])
    factories.sale(cashier, (c, 3), payments=[("card", "100.00"), ("cash", "224.75")])
    post(
        cashier_client,
        f"/api/v1/shifts/{shift.pk}/cash-movements/",
        {"kind": "pay_out", "amount": "20.00", "reason": "supplier"},
    )
    line = s1.lines.get()
    response = post(
        manager_client,
        f"/api/v1/sales/{s1.number}/refunds/",
        {
            "idempotency_key": "7a0b1c2d-0000-4000-8000-000000000002",
            "lines": [{"line": line.pk, "quantity": 1, "restock": True}],
            "tender": "cash",
        },
    )
    assert response.status_code == 201, response.content
    x = cashier_client.get(f"/api/v1/shifts/{shift.pk}/report/").json()
    assert x["sales_count"] == 3 and x["items_sold"] == 6
    assert x["gross"]["amount"] == "520.00"
    assert x["sales_total"]["amount"] == "562.90"
    assert x["refunds"]["amount"] == "10.83" and x["refunds_count"] == 1
    assert x["net"]["amount"] == "552.07"
    assert x["tax"] == [
        {"rate": "8.25", "tax": {"amount": "42.07", "currency": "USD", "formatted": "$42.07"}}
    ]
    tenders = {t["method"]: t["net"]["amount"] for t in x["tenders"]}
    assert tenders == {"card": "316.50", "cash": "235.57"}
    assert x["paid_out"]["amount"] == "20.00"
    assert x["expected_cash"]["amount"] == "315.57"

    z = post(cashier_client, f"/api/v1/shifts/{shift.pk}/close/", {"counted_cash": "315.00"}).json()
    assert z["status"] == "closed" and z["over_short"]["amount"] == "-0.57"
    assert z["counted_cash"]["amount"] == "315.00" and z["expected_cash"]["amount"] == "315.57"
    shift.refresh_from_db()
    assert shift.status == "closed" and shift.expected_cash.amount == Decimal("315.57")
    # the Z report is frozen: reading it later gives the same figures
    assert cashier_client.get(f"/api/v1/shifts/{shift.pk}/report/").json() == z
    # and the till refuses to sell until a new shift is opened
    with pytest.raises(ConflictError):
        factories.sale(cashier, (a, 1))
    again = post(cashier_client, f"/api/v1/shifts/{shift.pk}/close/", {"counted_cash": "1"})
    assert again.status_code == 409 and again.json()["code"] == "shift_closed"


def test_manager_may_read_any_shift(cashier, manager_client):
    shift = factories.open_shift(cashier)
    assert manager_client.get(f"/api/v1/shifts/{shift.pk}/report/").status_code == 200
