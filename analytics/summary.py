"""Summaries of closed days, so reports over years stay fast on a million sale lines.

- `HourlySales` (local day, hour, cashier, register) and `DailyProductSales` (local day,
  product) hold the sums of every sale made before `SummaryState.complete_until`.
- Sales are only ever written "now", so a closed day never changes: catching up is writing
  the days that closed since the last time, done by the first report read after a day closed
  (a few thousand rows), or all at once by `manage.py rebuild_sales_summaries`.
- A day is summarised only once it ended more than `SETTLE_MARGIN` ago: a sale's time is taken
  when its checkout starts but other transactions only see it once committed, so a sale
  stamped 23:59:59 may become visible just after midnight. Until then the day is read live.
- Reports read the summaries for settled days and the sale lines for the rest of the period
  (the last day or two), so figures are live and equal to the raw aggregate (tests prove it).
- Refunds are few; they are always read from the refund tables.
- Checkout is untouched: summarising costs a sale nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from pos.models import Payment, Sale, SaleLine

from .filters import store_timezone
from .models import DailyProductSales, HourlySales, SummaryState

METHODS = ("cash", "card", "other")
SETTLE_MARGIN = timedelta(hours=1)  # far longer than any checkout or refund transaction runs
# (they take milliseconds; the database's statement timeout is far shorter): a day that ended
# this long ago can no longer gain a sale, so its summary can never miss one
DAYS_PER_READ = 31  # a report read summarises at most a month: a long history is caught up
# progressively (or at once by rebuild_sales_summaries), never by one slow page


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=store_timezone())


def _state() -> SummaryState:
    state = SummaryState.objects.order_by("pk").first()
    zone = str(store_timezone())
    if state is None:
        return SummaryState.objects.create(time_zone=zone, complete_until=None)
    if state.time_zone != zone:  # days are local days: another zone means other days
        _clear()
        state.time_zone, state.complete_until = zone, None
        state.save()
    return state


def _clear() -> None:
    HourlySales.objects.all().delete()
    DailyProductSales.objects.all().delete()


def settled_until() -> date:
    """The first local day that may still gain sales: every day before it ended more than
    SETTLE_MARGIN ago (at 00:30 that is yesterday, at 01:00 and after, today)."""
    return (timezone.now() - SETTLE_MARGIN).astimezone(store_timezone()).date()


def summarised_until() -> date | None:
    """Bring the summaries closer to today; the first day not summarised (None: none usable).

    One query when up to date. Writes at most DAYS_PER_READ days. Never fails a report: if
    another request is summarising the same days at the same moment, this one reads the sale
    lines instead.
    """
    state = SummaryState.objects.order_by("pk").first()
    settled = settled_until()
    if (
        state
        and state.time_zone == str(store_timezone())
        and state.complete_until
        and state.complete_until >= settled  # (later only if written before the margin existed)
    ):
        return state.complete_until
    try:
        with transaction.atomic():
            return _catch_up(settled)
    except IntegrityError:
        return None


def _catch_up(settled: date) -> date | None:
    state = _state()
    state = SummaryState.objects.select_for_update().get(pk=state.pk)
    start = state.complete_until
    if start is not None and start >= settled:
        return start
    if start is None:
        first = Sale.objects.aggregate(first=Min("created_at"))["first"]
        if first is None:
            start = settled
        else:
            start = min(settled, first.astimezone(store_timezone()).date())
    until = min(settled, start + timedelta(days=DAYS_PER_READ))
    if start < until:
        summarise_days(start, until)
    state.complete_until = until
    state.save(update_fields=["complete_until"])
    return until


def rebuild() -> dict[str, int]:
    """Throw the summaries away and write them again from the sales (command, seeding)."""
    with transaction.atomic():
        _clear()
        SummaryState.objects.all().delete()
        while summarised_until() not in (settled_until(), None):
            pass
    return {
        "hourly_rows": HourlySales.objects.count(),
        "product_rows": DailyProductSales.objects.count(),
    }


def summarise_days(first: date, until: date) -> None:
    """Write the summaries of the local days first ≤ day < until (computed in the database)."""
    zone = store_timezone()
    start, end = local_midnight(first), local_midnight(until)
    sales = Sale.objects.filter(created_at__gte=start, created_at__lt=end)
    keys = {
        "day": TruncDate("created_at", tzinfo=zone),
        "hour": ExtractHour("created_at", tzinfo=zone),
    }
    hourly = (
        sales.annotate(**keys)
        .values("day", "hour", "cashier_id", "register_id")
        .annotate(
            sales=Count("id"),
            items=Sum("item_count"),
            gross=Sum("subtotal"),
            discounts=Sum("discount_total"),
            paid=Sum("total"),
            tax=Sum("tax_total"),
        )
        .order_by()
    )
    tenders = _tenders(start, end)
    HourlySales.objects.bulk_create(
        (_hourly_row(row, tenders) for row in hourly.iterator()), batch_size=2000
    )
    DailyProductSales.objects.bulk_create(
        (
            DailyProductSales(**{name.removeprefix("sum_"): value for name, value in row.items()})
            for row in _product_days(start, end).iterator()
        ),
        batch_size=2000,
    )


def _tenders(start: datetime, end: datetime) -> dict[tuple, dict]:
    zone = store_timezone()
    rows = (
        Payment.objects.filter(sale__created_at__gte=start, sale__created_at__lt=end)
        .annotate(
            day=TruncDate("sale__created_at", tzinfo=zone),
            hour=ExtractHour("sale__created_at", tzinfo=zone),
        )
        .values("day", "hour", "sale__cashier_id", "sale__register_id", "method")
        .annotate(amount=Sum("amount"), sales=Count("sale", distinct=True))
        .order_by()
    )
    tenders: dict[tuple, dict] = {}
    for row in rows:
        key = (row["day"], row["hour"], row["sale__cashier_id"], row["sale__register_id"])
        tenders.setdefault(key, {})[row["method"]] = row
    return tenders


def _hourly_row(row: dict, tenders: dict[tuple, dict]) -> HourlySales:
    from .selectors import cents

    key = (row["day"], row["hour"], row["cashier_id"], row["register_id"])
    by_method = tenders.get(key, {})
    extra = {}
    for method in METHODS:
        found = by_method.get(method)
        extra[method] = cents(found["amount"]) if found else cents(0)
        extra[f"{method}_sales"] = found["sales"] if found else 0
    return HourlySales(
        day=row["day"],
        hour=row["hour"],
        weekday=row["day"].isoweekday(),
        cashier_id=row["cashier_id"],
        register_id=row["register_id"],
        sales=row["sales"],
        items=row["items"],
        gross=cents(row["gross"]),
        discounts=cents(row["discounts"]),
        paid=cents(row["paid"]),
        tax=cents(row["tax"]),
        **extra,
    )


def _product_days(start: datetime, end: datetime):
    from .selectors import MONEY, _net_of_tax, _paid

    return (
        SaleLine.objects.filter(sale__created_at__gte=start, sale__created_at__lt=end)
        .annotate(day=TruncDate("sale__created_at", tzinfo=store_timezone()))
        .values("day", "product_id")
        .annotate(  # sum_ names: an annotation called "tax" would hide the column
            sum_lines=Count("id"),
            sum_quantity=Sum("quantity"),
            sum_gross=Sum("gross", output_field=MONEY),
            sum_discounts=Sum(F("discount") + F("cart_discount"), output_field=MONEY),
            sum_paid=Sum(_paid(), output_field=MONEY),
            sum_tax=Sum("tax", output_field=MONEY),
            sum_revenue=Sum(_net_of_tax(), output_field=MONEY),
        )
        .order_by()
    )


def split(first: date, last: date) -> tuple[tuple[date, date] | None, datetime | None]:
    """The part of [first, last] the summaries cover (days), and where live reading starts.

    Returns ((first, last_summarised_day) or None, live_from or None).
    """
    until = summarised_until()
    if until is None or until <= first:
        return None, local_midnight(first)
    covered_last = min(last, until - timedelta(days=1))
    live_from = local_midnight(until) if last >= until else None
    return (first, covered_last), live_from


def day_filter(days: tuple[date, date]) -> Q:
    return Q(day__gte=days[0], day__lte=days[1])
