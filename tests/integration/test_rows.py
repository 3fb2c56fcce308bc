"""`pos_site.rows.insert_objects`: the checkout's writer must store exactly what `save()` would."""

from __future__ import annotations

import uuid

from django.db import connection
from django.forms.models import model_to_dict
from djmoney.money import Money

from pos.models import StockMovement
from pos_site.rows import insert_objects
from tests import factories


def movement(product, cashier, quantity: int) -> StockMovement:
    return StockMovement(
        product=product,
        kind=StockMovement.Kind.ADJUSTMENT,
        quantity=quantity,
        resulting_quantity=100 + quantity,
        user=cashier,
        reason="correction",
        reference=f"ref {quantity}",
    )


def comparable(row: StockMovement) -> dict:
    return {k: v for k, v in model_to_dict(row).items() if k not in {"id", "created_at"}}


def test_rows_read_back_as_save_writes_them(cashier):
    product = factories.product(stock=100)
    saved = movement(product, cashier, -3)
    saved.save()
    inserted = movement(product, cashier, -3)
    insert_objects([inserted])

    assert inserted.pk is not None and not inserted._state.adding
    fresh = StockMovement.objects.get(pk=inserted.pk)
    assert comparable(fresh) == comparable(StockMovement.objects.get(pk=saved.pk))
    assert fresh.created_at is not None  # auto_now_add filled by the field, as save() does


def test_primary_keys_come_back_in_order_across_batches(cashier, monkeypatch):
    product = factories.product(stock=100)
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: 2)
    rows = [movement(product, cashier, -n) for n in range(1, 6)]  # 3 statements
    insert_objects(rows)

    stored = dict(
        StockMovement.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "quantity")
    )
    assert [stored[r.pk] for r in rows] == [-1, -2, -3, -4, -5]


def test_money_fields_store_amount_and_currency(cashier):
    from pos.models import Register, Sale

    amounts = ("subtotal", "line_discounts", "cart_discount", "discount_total", "tax_total")
    amounts += ("total", "cash_rounding", "amount_paid", "change_given")
    sale = Sale(
        cashier=cashier,
        register=Register.objects.order_by("pk").first(),
        number="S-TEST-1",
        idempotency_key=uuid.uuid4(),
        prices_include_tax=False,
        item_count=1,
        **{name: Money("0.00", "EUR") for name in amounts},
    )
    sale.total = Money("12.30", "EUR")
    insert_objects([sale])
    stored = Sale.objects.get(pk=sale.pk)
    assert stored.total == Money("12.30", "EUR")
    assert stored.status == Sale.Status.COMPLETED  # field defaults as save() writes them


def test_nothing_to_insert_sends_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_objects([])
