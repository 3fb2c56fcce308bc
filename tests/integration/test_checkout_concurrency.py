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
    for item, start in ((product, 10), (other, 100)):
        moved = StockMovement.objects.filter(product=item).aggregate(s=Sum("quantity"))["s"]
        assert start + moved == Product.objects.get(pk=item.pk).quantity_on_hand
    assert sorted(Sale.objects.values_list("number", flat=True)) == [
        "S-000001",
        "S-000002",
        "S-000003",
    ]


def test_double_click_with_the_same_key_makes_one_sale():
    product = factories.product("Beans", "5.00", stock=10)
    user = make_user("clicker", "Cashiers")
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
