"""Report figures against brute-force Python sums over random histories (Hypothesis)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from analytics import selectors
from analytics.filters import ReportFilter
from pos.models import Refund, Sale, SaleLine
from pos.refunds import RefundLineRequest, refund_sale
from store.selectors import current_store_settings
from tests import factories
from tests.conftest import make_user

ZONE = ZoneInfo("Europe/Paris")
FIRST = date(2026, 3, 27)  # the window spans the switch to summer time (Sunday 29 March)
DAYS = 4
MINUTES = (DAYS * 24 - 1) * 60  # that Sunday has 23 hours

sale_strategy = st.tuples(
    st.integers(min_value=0, max_value=2),  # product
    st.integers(min_value=1, max_value=7),  # quantity
    st.integers(min_value=0, max_value=MINUTES - 1),  # minute of the window, local
    st.integers(min_value=0, max_value=3),  # quantity refunded (capped to what was sold)
    st.integers(min_value=0, max_value=MINUTES - 1),  # when the refund happens
)


def local(minute: int) -> datetime:
    start = datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=ZONE)
    return (start.astimezone(ZoneInfo("UTC")) + timedelta(minutes=minute)).astimezone(ZONE)


@override_settings(TIME_ZONE="Europe/Paris")
class ReportsMatchBruteForce(HypothesisTestCase):
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        prices=st.lists(st.integers(min_value=1, max_value=99_999), min_size=3, max_size=3),
        rates=st.lists(st.sampled_from(["0", "5.5", "8.25", "20"]), min_size=3, max_size=3),
        include_tax=st.booleans(),
        sales=st.lists(sale_strategy, min_size=0, max_size=8),
    )
    def test_totals_and_days(self, prices, rates, include_tax, sales):
        store = current_store_settings()
        store.prices_include_tax = include_tax
        store.save()
        manager = make_user("hypo-manager", "Managers")
        factories.open_shift(manager)
        products = [
            factories.product(
                price=str(Decimal(cents) / 100),
                stock=1000,
                rate=factories.tax_rate(f"Rate {rate}", rate),
            )
            for cents, rate in zip(prices, rates, strict=True)
        ]
        for index, quantity, minute, back, back_minute in sales:
            sale = factories.sale(manager, (products[index], quantity))
            Sale.objects.filter(pk=sale.pk).update(created_at=local(minute))
            if back:
                line = sale.lines.get()
                refund = refund_sale(
                    sale=sale,
                    lines=[RefundLineRequest(line.pk, min(back, quantity), True)],
                    idempotency_key=uuid.uuid4(),
                    user=manager,
                ).refund
                Refund.objects.filter(pk=refund.pk).update(created_at=local(back_minute))

        flt = ReportFilter(start=FIRST, end=FIRST + timedelta(days=DAYS - 1), preset="custom")
        all_sales = list(Sale.objects.all())
        all_refunds = list(Refund.objects.all())
        totals = selectors.sales_totals(flt=flt)
        assert totals.paid == sum((s.total.amount for s in all_sales), Decimal(0))
        assert totals.refunds == sum((r.total.amount for r in all_refunds), Decimal(0))
        assert totals.sales == len(all_sales)
        assert totals.tax == sum((s.tax_total.amount for s in all_sales), Decimal(0)) - sum(
            (r.tax_total.amount for r in all_refunds), Decimal(0)
        )
        assert totals.gross == sum((s.subtotal.amount for s in all_sales), Decimal(0))

        by_day = {b.start.date(): b for b in selectors.sales_series(flt=flt, bucket="day")}
        assert len(by_day) == DAYS
        for day, bucket in by_day.items():
            assert bucket.paid == sum(
                (s.total.amount for s in all_sales if s.created_at.astimezone(ZONE).date() == day),
                Decimal(0),
            )
            assert bucket.refunds == sum(
                (
                    r.total.amount
                    for r in all_refunds
                    if r.created_at.astimezone(ZONE).date() == day
                ),
                Decimal(0),
            )

        hours = {}
        for sale in all_sales:
            moment = sale.created_at.astimezone(ZONE)
            key = (moment.isoweekday(), moment.hour)
            hours[key] = hours.get(key, Decimal(0)) + sale.total.amount
        cells = {(c.weekday, c.hour): c.paid for c in selectors.sales_heat_map(flt=flt)}
        assert cells == hours

        sold = {}
        for line in SaleLine.objects.all():
            sold[line.product_id] = sold.get(line.product_id, 0) + line.quantity
        assert {r.product_id: r.quantity for r in selectors.top_products(flt=flt)} == sold
