"""Many registers at once on PostgreSQL: never oversell, never sell twice."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum

from catalog.models import Product
from pos import services
from pos.models import Register, Sale, StockMovement
from pos_site.errors import ServiceError
from tests import factories
from tests.conftest import make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-level concurrency is tested on PostgreSQL"
    ),
]


def run_in_threads(jobs):
    results: list = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def worker(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:  # recorded and asserted by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def cash(amount="1000.00"):
    return [services.PaymentRequest(method="cash", amount=Decimal(amount))]


def test_registers_competing_for_the_last_units_never_oversell():
    product = factories.product("Last beans", "5.00", stock=10)
    other = factories.product("Cups", "1.00", stock=100)
    carts = []
    for n in range(8):
        user = make_user(f"cashier{n}", "Cashiers")
        register = Register.objects.create(name=f"Till {n}")
        factories.open_shift(user, register)
        cart, _ = services.open_cart(user=user, register=register)
        services.add_to_cart(cart=cart, product_id=other.pk, quantity=1)
        services.add_to_cart(cart=cart, product_id=product.pk, quantity=3)
        carts.append((cart, user))

    def job(cart, user):
        return lambda: services.checkout_cart(
            cart=cart, payments=cash(), idempotency_key=uuid.uuid4(), user=user
        )

    results = run_in_threads([job(cart, user) for cart, user in carts])
    sold = [r for r in results if isinstance(r, services.CheckoutResult)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(sold) == 3 and len(refused) == 5, results
    assert all(r.code == "insufficient_stock" for r in refused)
    product.refresh_from_db()
    other.refresh_from_db()
    assert product.quantity_on_hand == 1 and other.quantity_on_hand == 97
    for item in (product, other):  # opening stock + sales = stock on hand
        moved = StockMovement.objects.filter(product=item).aggregate(s=Sum("quantity"))["s"]
        assert moved == Product.objects.get(pk=item.pk).quantity_on_hand
    assert sorted(Sale.objects.values_list("number", flat=True)) == [
        "S-000001",
        "S-000002",
        "S-000003",
    ]


def test_double_click_with_the_same_key_makes_one_sale():
    product = factories.product("Beans", "5.00", stock=10)
    user = make_user("clicker", "Cashiers")
    factories.open_shift(user)
    cart, _ = services.open_cart(user=user)
    services.add_to_cart(cart=cart, product_id=product.pk, quantity=2)
    key = uuid.uuid4()

    def job():
        return services.checkout_cart(cart=cart, payments=cash(), idempotency_key=key, user=user)

    results = run_in_threads([job, job, job])
    numbers = {r.sale.number for r in results if isinstance(r, services.CheckoutResult)}
    errors = [r for r in results if not isinstance(r, services.CheckoutResult)]
    # the losers either see the same sale or are told the cart was already paid
    assert numbers == {"S-000001"}
    assert all(isinstance(e, ServiceError) and e.code == "cart_not_open" for e in errors)
    assert Sale.objects.count() == 1
    product.refresh_from_db()
    assert product.quantity_on_hand == 8


def test_concurrent_refunds_of_one_line_never_exceed_it():
    from pos import refunds

    product = factories.product("Beans", "5.00", stock=10)
    cashier = make_user("seller", "Cashiers")
    factories.open_shift(cashier)
    sale = factories.sale(cashier, (product, 3))
    line = sale.lines.get()
    managers = [make_user(f"manager{n}", "Managers") for n in range(4)]

    def job(manager):
        return lambda: refunds.refund_sale(
            sale=sale,
            lines=[refunds.RefundLineRequest(line.pk, 2, True)],
            idempotency_key=uuid.uuid4(),
            user=manager,
        )

    results = run_in_threads([job(m) for m in managers])
    done = [r for r in results if isinstance(r, refunds.RefundResult)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(done) == 1 and len(refused) == 3, results
    assert all(r.code == "refund_too_large" for r in refused)
    product.refresh_from_db()
    assert product.quantity_on_hand == 9  # 10 - 3 sold + 2 back
    moved = StockMovement.objects.filter(product=product).aggregate(s=Sum("quantity"))["s"]
    assert moved == 9
