"""Refunds and sales of the same product at the same moment on PostgreSQL: never more refunded
than sold, never oversold, and the stock always equals the sum of its movements."""

import uuid

import pytest
from django.db import connection
from django.db.models import Sum

from catalog.models import Product
from pos import services
from pos.models import Refund, RefundLine, Register, StockMovement
from pos.refunds import RefundLineRequest, refund_sale
from pos_site.errors import ServiceError
from tests import factories
from tests.conftest import make_user
from tests.integration.test_checkout_concurrency import cash, run_in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-level concurrency is tested on PostgreSQL"
    ),
]


def test_refunds_and_sales_of_the_same_product_at_once():
    beans = factories.product("Beans", "5.00", stock=10, threshold=0)
    seller = make_user("seller", "Cashiers")
    factories.open_shift(seller)
    sold = factories.sale(seller, (beans, 6))  # 4 left on the shelf
    line = sold.lines.get()
    manager = make_user("boss", "Managers")
    carts = []
    for n in range(6):
        user = make_user(f"cashier{n}", "Cashiers")
        register = Register.objects.create(name=f"Till {n}")
        factories.open_shift(user, register)
        cart, _ = services.open_cart(user=user, register=register)
        services.add_to_cart(cart=cart, product_id=beans.pk, quantity=2)
        carts.append((cart, user))

    def sell(cart, user):
        return lambda: services.checkout_cart(
            cart=cart, payments=cash(), idempotency_key=uuid.uuid4(), user=user
        )

    def give_back():
        return refund_sale(
            sale=sold,
            lines=[RefundLineRequest(line.pk, 1, True)],
            idempotency_key=uuid.uuid4(),
            user=manager,
        )

    jobs = [sell(cart, user) for cart, user in carts] + [give_back for _ in range(8)]
    results = run_in_threads(jobs)
    sales, refunds = results[:6], results[6:]
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, ServiceError) for e in errors), errors
    assert {e.code for e in errors} <= {"insufficient_stock", "refund_too_large"}
    refunded = [r for r in refunds if not isinstance(r, Exception)]
    assert len(refunded) == 6  # exactly what was sold, never more
    assert RefundLine.objects.filter(sale_line=line).aggregate(q=Sum("quantity"))["q"] == 6
    refund_total = Refund.objects.filter(sale=sold).aggregate(s=Sum("total"))["s"]
    assert refund_total == sold.total.amount
    made = [r for r in sales if not isinstance(r, Exception)]
    assert 2 <= len(made) <= 5  # 4 on the shelf + up to 6 back, 2 per sale
    beans.refresh_from_db()
    assert beans.quantity_on_hand == 4 + 6 - 2 * len(made) >= 0
    moved = StockMovement.objects.filter(product=beans).aggregate(s=Sum("quantity"))["s"]
    assert moved == Product.objects.get(pk=beans.pk).quantity_on_hand
