"""Z report of a shift with 10,000 sales (issue #6: closing must be instant).

    python -m bench shift_close
    DATABASE_URL=postgres://… python -m bench shift_close

Sales, payments and tax lines are bulk-inserted (the shape checkout writes); then the X report
is computed repeatedly and the shift closed (Z report) ten times, reopened in between.
"""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

SALES = 10_000
Z_RUNS = 10


def _fill(shift, user) -> None:
    from djmoney.money import Money

    from pos.models import Payment, Sale, SaleTax

    usd = lambda amount: Money(Decimal(amount), "USD")  # noqa: E731
    sales = Sale.objects.bulk_create(
        [
            Sale(
                number=f"B-{n:06d}",
                idempotency_key=uuid.uuid4(),
                cashier=user,
                register=shift.register,
                shift=shift,
                prices_include_tax=False,
                subtotal=usd("10.00"),
                line_discounts=usd("0.00"),
                cart_discount=usd("0.00"),
                discount_total=usd("0.00"),
                tax_total=usd("0.83"),
                total=usd("10.83"),
                cash_rounding=usd("0.00"),
                amount_paid=usd("10.83"),
                change_given=usd("0.00"),
                item_count=1,
            )
            for n in range(SALES)
        ],
        batch_size=2000,
    )
    SaleTax.objects.bulk_create(
        [
            SaleTax(sale=s, rate=Decimal("8.25"), taxable=usd("10.00"), tax=usd("0.83"))
            for s in sales
        ],
        batch_size=2000,
    )
    Payment.objects.bulk_create(
        [
            Payment(
                sale=s,
                position=1,
                method="cash" if i % 2 else "card",
                tendered=usd("10.83"),
                amount=usd("10.83"),
                change=usd("0.00"),
            )
            for i, s in enumerate(sales)
        ],
        batch_size=2000,
    )


def run() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import common
    from pos.models import Register, Shift
    from pos.shifts import close_shift, open_shift, shift_report

    user = get_user_model().objects.create_superuser("bench-z", "z@example.com", "x" * 12)
    shift = open_shift(
        user=user, register=Register.objects.order_by("pk").first(), opening_float="100"
    )
    start = time.perf_counter()
    _fill(shift, user)
    print(f"inserted {SALES:,} sales in {time.perf_counter() - start:.1f} s")
    x_report = common.timed(lambda: shift_report(shift), runs=30, warmup=3)
    with CaptureQueriesContext(connection) as queries:
        shift_report(shift)
    x_report["queries"] = len(queries.captured_queries)
    # The close is timed Z_RUNS times: after each, the same shift is set open again (the sales
    # stay on it), so the median is not one sample of a noisy machine.
    samples = []
    for _ in range(Z_RUNS):
        Shift.objects.filter(pk=shift.pk).update(status=Shift.Status.OPEN, closed_at=None)
        shift.refresh_from_db()
        start = time.perf_counter()
        report = close_shift(shift=shift, counted_cash="54250.00", user=user)
        samples.append((time.perf_counter() - start) * 1000)
        assert report["sales_count"] == SALES
    z_report = common.summary(samples)
    common.report(
        "shift_close",
        {"X report, 10k sales": x_report, "close shift (Z)": z_report},
        sales=SALES,
        expected_cash=report["expected_cash"]["amount"],
    )
