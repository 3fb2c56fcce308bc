"""A manager refunds a sale of an earlier shift from the admin (the sale's page → Refund)."""

from __future__ import annotations

import re
import uuid

import pytest

from pos.models import Refund, RefundPayment, StockMovement
from pos.refunds import void_sale
from pos.shifts import close_shift
from tests import factories
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def earlier(cashier):
    """A sale of a closed shift; a colleague has the register's drawer open now."""
    shift = factories.open_shift(cashier)
    beans = factories.product("Beans", "10.00", stock=20)
    mugs = factories.product("Mug", "6.00", stock=10)
    sale = factories.sale(cashier, (beans, 3), (mugs, 1), payments=[("card", "38.98")])
    close_shift(shift=shift, counted_cash="100.00", user=cashier)
    now = factories.open_shift(make_user("colleague", "Cashiers"))
    return {"sale": sale, "beans": beans, "mugs": mugs, "closed": shift, "open": now}


def url(sale) -> str:
    return f"/admin/sales/{sale.pk}/refund/"


def form_data(sale, shift, quantities: dict, *, key=None, goods=None, **extra) -> dict:
    data = {
        "idempotency_key": str(key or uuid.uuid4()),
        "tender": "original",
        "shift": shift.pk if shift else "",
        "reason": "came back broken",
        **extra,
    }
    for line in sale.lines.all():
        data[f"qty_{line.pk}"] = quantities.get(line.name, 0)
        data[f"goods_{line.pk}"] = (goods or {}).get(line.name, "restock")
    return data


def test_manager_refunds_a_sale_of_an_earlier_shift(manager_client, manager, earlier):
    sale, beans = earlier["sale"], earlier["beans"]
    inspect = manager_client.get(f"/admin/pos/sale/inspect/{sale.pk}/").content.decode()
    assert f'href="{url(sale)}"' in inspect
    page = manager_client.get(url(sale))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Beans" in html and 'name="idempotency_key"' in html
    assert f"shift #{earlier['open'].pk}" in html  # the open shift of the sale's register
    data = form_data(sale, earlier["open"], {"Beans": 2, "Mug": 1}, goods={"Mug": "write_off"})
    response = manager_client.post(url(sale), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    refund = Refund.objects.get()
    assert response["Location"] == f"/admin/pos/refund/inspect/{refund.pk}/"
    assert (refund.shift, refund.approved_by, refund.cashier) == (earlier["open"], manager, manager)
    assert refund.reason == "came back broken"
    assert RefundPayment.objects.get().method == "card"  # the original tender
    beans.refresh_from_db()
    earlier["mugs"].refresh_from_db()
    assert beans.quantity_on_hand == 19 and earlier["mugs"].quantity_on_hand == 9
    done = manager_client.get(response["Location"]).content.decode()
    assert refund.number in done and f"/receipts/{refund.number}/" in done
    assert "Refunded" in done


def test_double_submit_makes_one_refund(manager_client, earlier):
    sale = earlier["sale"]
    data = form_data(sale, earlier["open"], {"Beans": 1}, key=uuid.uuid4())
    first = manager_client.post(url(sale), data)
    second = manager_client.post(url(sale), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] and Refund.objects.count() == 1


def test_cash_refund_goes_out_of_the_chosen_drawer(manager_client, earlier):
    sale = earlier["sale"]
    data = form_data(sale, earlier["open"], {"Beans": 1}, tender="cash")
    assert manager_client.post(url(sale), data).status_code == 302
    assert RefundPayment.objects.get().method == "cash"
    assert Refund.objects.get().shift == earlier["open"]


@pytest.mark.parametrize(
    ("quantities", "message"),
    [
        ({"Beans": 4}, "Only 3 × Beans can still be refunded"),
        ({}, "Choose at least one line to refund."),
        ({"Beans": -1}, "correct the highlighted fields"),
    ],
)
def test_bad_input_changes_nothing(manager_client, earlier, quantities, message):
    sale = earlier["sale"]
    response = manager_client.post(url(sale), form_data(sale, earlier["open"], quantities))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Refund.objects.exists()
    assert not StockMovement.objects.filter(kind="refund").exists()


def test_voided_sale_cannot_be_refunded(manager_client, manager, cashier, earlier):
    sale = factories.sale(cashier, (earlier["beans"], 1), register=None)  # colleague's drawer
    void_sale(sale=sale, user=manager)
    assert "disabled" in manager_client.get(url(sale)).content.decode()
    response = manager_client.post(url(sale), form_data(sale, earlier["open"], {"Beans": 1}))
    assert response.status_code == 200
    assert "was voided; nothing is left to refund" in response.content.decode()
    assert Refund.objects.count() == 1  # the void only


def test_no_open_shift_anywhere_is_refused(manager_client, earlier):
    close_shift(shift=earlier["open"], counted_cash="100.00", user=earlier["open"].cashier)
    sale = earlier["sale"]
    response = manager_client.post(url(sale), form_data(sale, None, {"Beans": 1}))
    assert response.status_code == 200
    assert "No register has an open shift" in response.content.decode()
    assert not Refund.objects.exists()


def test_closed_shift_cannot_be_chosen(manager_client, earlier):
    sale = earlier["sale"]
    response = manager_client.post(url(sale), form_data(sale, earlier["closed"], {"Beans": 1}))
    assert response.status_code == 200
    assert "That shift is no longer open" in response.content.decode()
    assert not Refund.objects.exists()


def test_cashiers_and_merchandisers_are_refused(cashier_client, merchandiser_client, earlier):
    sale = earlier["sale"]
    for client in (cashier_client, merchandiser_client):
        assert client.get(url(sale)).status_code == 403
        response = client.post(url(sale), form_data(sale, earlier["open"], {"Beans": 1}))
        assert response.status_code == 403
    assert not Refund.objects.exists()


def test_unknown_sale_is_a_404(manager_client, db):
    assert manager_client.get("/admin/sales/999999/refund/").status_code == 404


def test_with_no_open_shift_the_form_says_so_and_cannot_be_sent(manager_client, cashier):
    from pos.models import Shift

    factories.open_shift(cashier)
    sale = factories.sale(cashier, (factories.product("Tea", "4.00", stock=5), 1))
    Shift.objects.update(status=Shift.Status.CLOSED)
    page = manager_client.get(f"/admin/sales/{sale.pk}/refund/")
    text = page.content.decode()
    assert page.status_code == 200 and "No register has an open shift" in text
    assert re.search(r'<button type="submit" class="button" disabled>Refund</button>', text)
