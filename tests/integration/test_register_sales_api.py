"""The register's recent sales (`GET /api/v1/shifts/current/sales/`), what is left to refund
on a sale (`GET /api/v1/sales/{number}/`) and emailing a refund's receipt."""

import uuid

import pytest

from pos.models import Refund, Register
from pos.shifts import close_shift
from tests import factories
from tests.conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/shifts/current/sales/"


@pytest.fixture
def beans(db):
    return factories.product("Beans", "10.00", stock=50)


def test_cashier_sees_the_sales_of_their_own_open_shift_only(cashier, cashier_client, beans):
    old_shift = factories.open_shift(cashier)
    old_sale = factories.sale(cashier, (beans, 1))
    close_shift(shift=old_shift, counted_cash="200", user=cashier)
    shift = factories.open_shift(cashier)
    first = factories.sale(cashier, (beans, 1))
    second = factories.sale(cashier, (beans, 2), payments=[("card", "21.65")])
    colleague = make_user("colleague", "Cashiers")
    factories.open_shift(colleague, Register.objects.create(name="Register 2"))
    theirs = factories.sale(colleague, (beans, 1), register=Register.objects.get(name="Register 2"))

    response = cashier_client.get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["shift"] == shift.pk and body["count"] == 2
    numbers = [row["number"] for row in body["results"]]
    assert numbers == [second.number, first.number]  # newest first
    assert old_sale.number not in numbers and theirs.number not in numbers
    row = body["results"][0]
    assert row["total"] == {"amount": str(second.total.amount), "currency": "USD"}
    assert row["formatted"]["total"] == f"${second.total.amount}"
    assert row["item_count"] == 2 and row["payment_methods"] == ["card"]
    assert row["receipt_urls"] == {
        "html": f"/receipts/{second.number}/",
        "pdf": f"/receipts/{second.number}.pdf",
    }
    assert row["refunds"] == [] and row["refunded"]["amount"] == "0.00"


def test_search_and_limit(cashier, cashier_client, beans):
    factories.open_shift(cashier)
    sales = [factories.sale(cashier, (beans, 1)) for _ in range(3)]
    body = cashier_client.get(URL, {"limit": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2
    wanted = sales[1].number  # S-000002
    for search in (wanted, wanted.lower(), "2", "000002"):
        body = cashier_client.get(URL, {"search": search}).json()
        assert [r["number"] for r in body["results"]] == [wanted], search
    assert cashier_client.get(URL, {"search": "coffee"}).json()["count"] == 0


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "abc"}, {"limit": "500"}])
def test_bad_parameters_are_a_clear_400(cashier, cashier_client, params):
    factories.open_shift(cashier)
    response = cashier_client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "limit" in response.json()["detail"]


def test_no_open_shift_is_a_404(cashier_client):
    response = cashier_client.get(URL)
    assert response.status_code == 404 and response.json()["code"] == "no_open_shift"


def test_anonymous_and_merchandisers_are_refused(client, merchandiser_client):
    assert client.get(URL).status_code == 401
    response = merchandiser_client.get(URL)
    assert response.status_code == 403


def test_refunds_show_on_the_list_and_on_the_sale(cashier, cashier_client, manager, beans):
    factories.open_shift(cashier)
    sale = factories.sale(cashier, (beans, 3))
    line = sale.lines.get()
    detail = cashier_client.get(f"/api/v1/sales/{sale.number}/").json()
    assert detail["lines"][0]["refundable_quantity"] == 3
    assert detail["lines"][0]["refunded_quantity"] == 0
    assert detail["can_void"] is True and detail["refunds"] == []

    response = cashier_client.post(
        f"/api/v1/sales/{sale.number}/refunds/",
        {
            "idempotency_key": str(uuid.uuid4()),
            "lines": [{"line": line.pk, "quantity": 1, "restock": True}],
            "approver": {"username": manager.username, "password": PASSWORD},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]

    detail = cashier_client.get(f"/api/v1/sales/{sale.number}/").json()
    assert detail["lines"][0]["refunded_quantity"] == 1
    assert detail["lines"][0]["refundable_quantity"] == 2
    assert detail["can_void"] is False  # a sale with refunds cannot be voided
    assert [r["number"] for r in detail["refunds"]] == [number]
    assert detail["refunds"][0]["receipt_urls"]["html"] == f"/receipts/{number}/"

    row = cashier_client.get(URL).json()["results"][0]
    assert row["refunds"][0]["number"] == number
    assert row["refunded"]["amount"] == str(Refund.objects.get().total.amount)


def test_a_voided_sale_has_nothing_left_to_refund(cashier, manager_client, beans):
    factories.open_shift(cashier)
    sale = factories.sale(cashier, (beans, 2))
    assert manager_client.post(f"/api/v1/sales/{sale.number}/void/").status_code == 201
    detail = manager_client.get(f"/api/v1/sales/{sale.number}/").json()
    assert detail["status"] == "voided" and detail["can_void"] is False
    assert detail["lines"][0]["refundable_quantity"] == 0


def test_email_a_refund_receipt(cashier, cashier_client, manager_client, beans, mailoutbox):
    factories.open_shift(cashier)
    sale = factories.sale(cashier, (beans, 2))
    response = manager_client.post(
        f"/api/v1/sales/{sale.number}/refunds/",
        {
            "idempotency_key": str(uuid.uuid4()),
            "lines": [{"line": sale.lines.get().pk, "quantity": 1}],
        },
        content_type="application/json",
    )
    number = response.json()["number"]
    url = f"/api/v1/refunds/{number}/email-receipt/"
    bad = cashier_client.post(url, {"email": "not-an-address"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_email"
    assert mailoutbox == []
    sent = cashier_client.post(url, {"email": "ann@example.com"}, content_type="application/json")
    assert sent.status_code == 200, sent.content
    assert sent.json()["number"] == number
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]
    assert number in mailoutbox[0].subject and sale.number in mailoutbox[0].body
    # A sale number is not a refund; another cashier sees nothing.
    wrong = cashier_client.post(
        f"/api/v1/refunds/{sale.number}/email-receipt/",
        {"email": "ann@example.com"},
        content_type="application/json",
    )
    assert wrong.status_code == 404
    other = client_for(make_user("colleague", "Cashiers"))
    response = other.post(url, {"email": "ann@example.com"}, content_type="application/json")
    assert response.status_code == 404 and len(mailoutbox) == 1


def test_the_list_reads_a_fixed_number_of_queries(
    cashier, cashier_client, beans, django_assert_max_num_queries
):
    factories.open_shift(cashier)
    factories.sale(cashier, (beans, 1))
    cashier_client.get(URL)  # warm the store settings cache
    with django_assert_max_num_queries(12) as few:
        cashier_client.get(URL)
    for _ in range(5):
        factories.sale(cashier, (beans, 1), payments=[("card", "10.83")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(cashier_client.get(URL).json()["results"]) == 6
