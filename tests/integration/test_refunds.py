"""Refunds and voids: limits, tenders, stock, approval, idempotency."""

import uuid

import pytest
from django.db.models import Sum

from pos.models import Refund, RefundPayment, Sale, StockMovement
from tests import factories
from tests.conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift(cashier):
    return factories.open_shift(cashier)


@pytest.fixture
def beans(db):
    return factories.product("Beans", "10.00", stock=20)


def refund(client, sale, lines, key=None, **extra):
    return client.post(
        f"/api/v1/sales/{sale.number}/refunds/",
        {"idempotency_key": str(key or uuid.uuid4()), "lines": lines, **extra},
        content_type="application/json",
    )


def test_manager_refunds_part_of_a_line_back_to_card(shift, cashier, manager_client, beans):
    sale = factories.sale(cashier, (beans, 3), payments=[("card", "32.48")])
    line = sale.lines.get()
    response = refund(manager_client, sale, [{"line": line.pk, "quantity": 1, "restock": True}])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "R-000001" and body["sale"] == sale.number
    assert body["total"]["amount"] == "10.83"  # (30.00 + 2.48 tax) / 3 = 10.8266… → 10.83
    assert body["payments"][0]["method"] == "card"
    assert body["payments"][0]["reference"].startswith("simref_")
    beans.refresh_from_db()
    assert beans.quantity_on_hand == 18
    movement = StockMovement.objects.get(kind="refund")
    assert (movement.quantity, movement.resulting_quantity, movement.reference) == (
        1,
        18,
        "R-000001",
    )


def test_refunds_never_exceed_what_was_sold_or_paid(shift, cashier, manager_client, beans):
    sale = factories.sale(cashier, (beans, 3))
    line = sale.lines.get()
    for _ in range(3):
        assert refund(manager_client, sale, [{"line": line.pk, "quantity": 1}]).status_code == 201
    response = refund(manager_client, sale, [{"line": line.pk, "quantity": 1}])
    assert response.status_code == 409 and response.json()["code"] == "refund_too_large"
    total = Refund.objects.aggregate(s=Sum("total"))["s"]
    assert total == sale.total.amount == sale.amount_paid.amount


def test_refund_more_than_sold_in_one_go(shift, cashier, manager_client, beans):
    sale = factories.sale(cashier, (beans, 2))
    response = refund(manager_client, sale, [{"line": sale.lines.get().pk, "quantity": 3}])
    assert response.status_code == 409 and "Only 2 × Beans" in response.json()["detail"]
    assert not Refund.objects.exists()


def test_write_off_does_not_restock(shift, cashier, manager_client, beans):
    sale = factories.sale(cashier, (beans, 2))
    refund(manager_client, sale, [{"line": sale.lines.get().pk, "quantity": 2, "restock": False}])
    beans.refresh_from_db()
    assert beans.quantity_on_hand == 18 and not StockMovement.objects.filter(kind="refund").exists()


def test_bad_lines(shift, cashier, manager_client, beans):
    sale = factories.sale(cashier, (beans, 2))
    other = factories.sale(cashier, (beans, 1))
    foreign_line = other.lines.get().pk
    assert refund(manager_client, sale, [{"line": foreign_line, "quantity": 1}]).status_code == 404
    assert refund(manager_client, sale, []).status_code == 400
    line = sale.lines.get().pk
    dup = [{"line": line, "quantity": 1}, {"line": line, "quantity": 1}]
    assert refund(manager_client, sale, dup).json()["code"] == "duplicate_line"
    assert refund(manager_client, sale, [{"line": line, "quantity": 0}]).status_code == 400
    assert not Refund.objects.exists()


def test_same_key_same_refund_and_reuse_with_other_lines(shift, cashier, manager_client, beans):
    sale = factories.sale(cashier, (beans, 3))
    line = sale.lines.get().pk
    key = uuid.uuid4()
    first = refund(manager_client, sale, [{"line": line, "quantity": 1}], key)
    again = refund(manager_client, sale, [{"line": line, "quantity": 1}], key)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"] and Refund.objects.count() == 1
    different = refund(manager_client, sale, [{"line": line, "quantity": 2}], key)
    assert different.status_code == 409 and different.json()["code"] == "idempotency_key_reused"


def test_cashier_needs_a_manager_to_approve(shift, cashier, cashier_client, manager, beans):
    sale = factories.sale(cashier, (beans, 2))
    line = [{"line": sale.lines.get().pk, "quantity": 1}]
    response = refund(cashier_client, sale, line)
    assert response.status_code == 403 and response.json()["code"] == "approval_required"
    response = refund(
        cashier_client, sale, line, approver={"username": manager.username, "password": "bad"}
    )
    assert response.status_code == 403 and response.json()["code"] == "approval_failed"
    colleague = make_user("colleague", "Cashiers")
    response = refund(
        cashier_client, sale, line, approver={"username": colleague.username, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert not Refund.objects.exists()
    response = refund(
        cashier_client, sale, line, approver={"username": manager.username, "password": PASSWORD}
    )
    assert response.status_code == 201 and response.json()["approved_by"] == manager.username
    refund_row = Refund.objects.get()
    assert refund_row.cashier == cashier and refund_row.approved_by == manager


def test_split_tender_refund_goes_to_card_first(shift, cashier, manager_client, beans):
    sale = factories.sale(cashier, (beans, 2), payments=[("card", "5.00"), ("cash", "16.65")])
    refund(manager_client, sale, [{"line": sale.lines.get().pk, "quantity": 2}])
    rows = list(RefundPayment.objects.order_by("id").values_list("method", "amount"))
    assert [(m, str(a)) for m, a in rows] == [("card", "5.00"), ("cash", "16.65")]


def test_void_reverses_everything_in_the_same_shift(shift, cashier, manager_client, beans):
    sale = factories.sale(cashier, (beans, 4), payments=[("card", "43.30")])
    response = manager_client.post(
        f"/api/v1/sales/{sale.number}/void/",
        {"reason": "wrong customer"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "void" and response.json()["total"]["amount"] == "43.30"
    sale.refresh_from_db()
    assert sale.status == Sale.Status.VOIDED
    beans.refresh_from_db()
    assert beans.quantity_on_hand == 20
    again = manager_client.post(
        f"/api/v1/sales/{sale.number}/void/", {}, content_type="application/json"
    )
    assert again.status_code == 200 and Refund.objects.count() == 1
    response = refund(manager_client, sale, [{"line": sale.lines.get().pk, "quantity": 1}])
    assert response.status_code == 409 and response.json()["code"] == "sale_voided"


def test_void_needs_permission_and_an_open_shift(
    shift, cashier, cashier_client, manager_client, beans
):
    sale = factories.sale(cashier, (beans, 1))
    response = cashier_client.post(
        f"/api/v1/sales/{sale.number}/void/", {}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "approval_required"
    from pos.shifts import close_shift

    close_shift(shift=shift, counted_cash="110.83", user=cashier)
    response = manager_client.post(
        f"/api/v1/sales/{sale.number}/void/", {}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "shift_closed"


def test_void_after_a_refund_is_refused(shift, cashier, manager_client, beans):
    sale = factories.sale(cashier, (beans, 2))
    refund(manager_client, sale, [{"line": sale.lines.get().pk, "quantity": 1}])
    response = manager_client.post(
        f"/api/v1/sales/{sale.number}/void/", {}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "sale_has_refunds"


def test_cash_refund_needs_an_open_shift(cashier, manager_client, beans):
    shift = factories.open_shift(cashier)
    sale = factories.sale(cashier, (beans, 1))
    from pos.shifts import close_shift

    close_shift(shift=shift, counted_cash="110.83", user=cashier)
    response = refund(manager_client, sale, [{"line": sale.lines.get().pk, "quantity": 1}])
    assert response.status_code == 409 and response.json()["code"] == "no_open_shift"


def test_other_cashier_cannot_refund_my_sale(shift, cashier, beans):
    sale = factories.sale(cashier, (beans, 1))
    other = client_for(make_user("other", "Cashiers"))
    assert refund(other, sale, [{"line": sale.lines.get().pk, "quantity": 1}]).status_code == 404


# --------------------------------------------------------------------------- refunds and voids
# belong to the right shift


def test_card_refund_with_no_open_shift_is_refused(cashier, manager_client, beans):
    from pos.shifts import close_shift

    shift = factories.open_shift(cashier)
    sale = factories.sale(cashier, (beans, 1), payments=[("card", "10.83")])
    close_shift(shift=shift, counted_cash="100.00", user=cashier)
    response = refund(manager_client, sale, [{"line": sale.lines.get().pk, "quantity": 1}])
    assert response.status_code == 409 and response.json()["code"] == "no_open_shift"
    assert "open shift" in response.json()["detail"]
    beans.refresh_from_db()
    assert not Refund.objects.exists() and beans.quantity_on_hand == 19


def test_void_from_another_register_belongs_to_the_sales_shift(cashier, manager, beans):
    from pos.models import Register
    from pos.shifts import shift_report

    shift = factories.open_shift(cashier)
    sale = factories.sale(cashier, (beans, 2))
    other_register = Register.objects.create(name="Back office till")
    manager_shift = factories.open_shift(manager, register=other_register)
    response = client_for(manager).post(
        f"/api/v1/sales/{sale.number}/void/", {}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    void = Refund.objects.get()
    assert (void.shift, void.register, void.approved_by) == (shift, sale.register, manager)
    report = shift_report(shift)
    assert report["refunds_count"] == 1 and report["net"]["amount"] == "0.00"
    assert report["expected_cash"]["amount"] == "100.00"  # the sale's cash went back out
    assert shift_report(manager_shift)["refunds_count"] == 0


def test_void_checks_the_sales_shift_inside_the_transaction(cashier, manager, beans):
    from pos.refunds import void_sale
    from pos.shifts import close_shift
    from pos_site.errors import ConflictError

    shift = factories.open_shift(cashier)
    sale = factories.sale(cashier, (beans, 1))
    stale = Sale.objects.select_related("shift").get(pk=sale.pk)
    assert stale.shift.status == "open"
    close_shift(shift=shift, counted_cash="110.83", user=cashier)  # closes meanwhile
    with pytest.raises(ConflictError) as error:
        void_sale(sale=stale, user=manager)
    assert error.value.code == "shift_closed"
    assert not Refund.objects.exists()
    assert Sale.objects.get(pk=sale.pk).status == Sale.Status.COMPLETED


# --------------------------------------------------------------------------- the card gateway
# is called last; a failure after it is recorded, never lost


def test_gateway_refusing_the_refund_changes_nothing(
    shift, cashier, manager_client, beans, monkeypatch
):
    from pos.payments import PaymentDeclined, SimulatedGateway

    def decline(self, reference, amount, currency):
        raise PaymentDeclined("The bank refused the refund; try again later.", "refund_declined")

    monkeypatch.setattr(SimulatedGateway, "refund", decline)
    sale = factories.sale(cashier, (beans, 2), payments=[("card", "21.65")])
    response = refund(manager_client, sale, [{"line": sale.lines.get().pk, "quantity": 2}])
    assert response.status_code == 400 and response.json()["code"] == "refund_declined"
    assert "refused the refund" in response.json()["detail"]
    beans.refresh_from_db()
    assert beans.quantity_on_hand == 18
    assert not Refund.objects.exists() and not StockMovement.objects.filter(kind="refund").exists()


def _count_gateway_refunds(monkeypatch) -> list:
    from pos.payments import SimulatedGateway

    calls = []
    original = SimulatedGateway.refund

    def counting(self, reference, amount, currency):
        calls.append(original(self, reference, amount, currency))
        return calls[-1]

    monkeypatch.setattr(SimulatedGateway, "refund", counting)
    return calls


def test_db_failure_after_the_gateway_refund_is_written_again(
    shift, cashier, manager_client, beans, monkeypatch
):
    from django.db import OperationalError

    from pos import refunds

    calls = _count_gateway_refunds(monkeypatch)
    original = refunds._save_card_reference
    failures = []

    def fail_once(row, reference):
        if not failures:
            failures.append(reference)
            raise OperationalError("connection lost")
        original(row, reference)

    monkeypatch.setattr(refunds, "_save_card_reference", fail_once)
    sale = factories.sale(cashier, (beans, 2), payments=[("card", "21.65")])
    response = refund(manager_client, sale, [{"line": sale.lines.get().pk, "quantity": 1}])
    assert response.status_code == 201, response.content
    assert len(calls) == 1  # the customer's card was refunded once
    row = RefundPayment.objects.get()
    assert row.reference == calls[0] == failures[0] and str(row.amount.amount) == "10.83"
    beans.refresh_from_db()
    assert beans.quantity_on_hand == 19 and Refund.objects.count() == 1


def test_unrecordable_card_refund_is_logged_and_reported(
    shift, cashier, manager_client, beans, monkeypatch, caplog
):
    from django.db import OperationalError

    from pos import refunds

    calls = _count_gateway_refunds(monkeypatch)

    def always_fail(row, reference):
        raise OperationalError("database is gone")

    monkeypatch.setattr(refunds, "_save_card_reference", always_fail)
    sale = factories.sale(cashier, (beans, 2), payments=[("card", "21.65")])
    response = refund(manager_client, sale, [{"line": sale.lines.get().pk, "quantity": 1}])
    assert response.status_code == 400 and response.json()["code"] == "refund_not_recorded"
    assert calls[0] in response.json()["detail"] and len(calls) == 1
    critical = [r for r in caplog.records if r.levelname == "CRITICAL"]
    assert critical and calls[0] in critical[0].getMessage()
    assert sale.number in critical[0].getMessage()
    assert not Refund.objects.exists()
