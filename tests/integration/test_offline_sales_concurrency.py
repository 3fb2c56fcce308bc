"""Offline sales synced at once from several tabs or devices, on PostgreSQL: recorded once."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection, connections

from catalog.models import Product
from pos import offline
from pos.models import OfflineSale, Register, Sale, StockMovement
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


def request_for(product, quantity, client_id, number):
    total = (product.price.amount * quantity * Decimal("1.0825")).quantize(Decimal("0.01"))
    return offline.OfflineSaleRequest(
        client_id=client_id,
        provisional_number=number,
        register_id=Register.objects.order_by("pk").first().pk,
        sold_at=None,
        lines=[
            offline.OfflineLine(
                product_id=product.pk,
                quantity=quantity,
                unit_price=product.price.amount,
                tax_rate=product.tax_rate.rate,
            )
        ],
        cart_discount=None,
        payments=[offline.OfflineTender(method="cash", amount=Decimal("1000.00"))],
        client_total=total,
    )


def test_concurrent_duplicates_of_one_queue_record_each_sale_once():
    users = [make_user(f"device{n}", "Cashiers") for n in range(3)]
    factories.open_shift(users[0])
    beans = factories.product("Beans", "10.00", stock=4, threshold=0)
    queue = [request_for(beans, 2, uuid.uuid4(), f"OFF-1-{n:04d}") for n in range(1, 4)]
    # Three devices send the same three sales at the same moment, twice each.
    jobs = [
        (lambda sale=sale, user=user: offline.record_offline_sale(request=sale, user=user))
        for sale in queue
        for user in users
        for _ in range(2)
    ]
    results = run_in_threads(jobs)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert sum(r.created for r in results) == 3
    numbers = {r.sale.number for r in results}
    assert len(numbers) == 3
    assert Sale.objects.count() == OfflineSale.objects.count() == 3
    # 4 in stock, 3 × 2 sold offline: recorded anyway, stock below zero, ledger intact.
    assert Product.objects.get(pk=beans.pk).quantity_on_hand == -2
    assert StockMovement.objects.filter(product=beans, sale__isnull=False).count() == 3
    assert OfflineSale.objects.filter(negative_stock=True).exists()
