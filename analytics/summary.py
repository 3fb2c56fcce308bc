"""Summaries of closed days, so reports over years stay fast on a million sale lines.

- `HourlySales` (local day, hour, cashier, register, tenders), `HourlyCategorySales` (the same
  and category) and `DailyProductSales` (local day, product, tenders) hold the sums of every
  sale made before `SummaryState.complete_until`. "Tenders" is the set of payment methods of a
  sale (a bit mask): a payment-method filter keeps the sales holding that method.
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
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    PositiveSmallIntegerField,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from pos.models import Payment, Sale, SaleLine

from .filters import store_timezone
from .models import DailyProductSales, HourlyCategorySales, HourlySales, SummaryState

TENDER_BITS = {"cash": 1, "card": 2, "other": 4}  # Payment.Method values
SETTLE_MARGIN = timedelta(hours=1)  # far longer than any checkout or refund transaction runs
# (they take milliseconds, and gunicorn ends a request after 30 s): a day that ended this long
# ago can no longer gain a sale, so its summary can never miss one
DAYS_PER_READ = 3  # a report read summarises at most 3 days (at 1,000,000 lines over two years:
# 0.6 s on SQLite, 0.4 s on PostgreSQL; a week took 1.2 s): a long history is caught up
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
    for model in (HourlySales, HourlyCategorySales, DailyProductSales):
        model.objects.all().delete()


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
        "category_rows": HourlyCategorySales.objects.count(),
        "product_rows": DailyProductSales.objects.count(),
    }


def summarise_days(first: date, until: date) -> None:
    """Write the summaries of the local days first ≤ day < until (computed in the database)."""
    # Plain reads, not .iterator(): PostgreSQL plans a server-side cursor for its first rows
    # and chose walking every sale line by product (3.5 s for a week instead of 40 ms).
    start, end = local_midnight(first), local_midnight(until)
    payments = _payments(start, end)
    HourlySales.objects.bulk_create(
        (_hourly_row(row, payments) for row in _hourly(start, end)), batch_size=2000
    )
    HourlyCategorySales.objects.bulk_create(
        (_category_row(row) for row in _category_hours(start, end)), batch_size=2000
    )
    DailyProductSales.objects.bulk_create(
        (
            DailyProductSales(**{name.removeprefix("sum_"): value for name, value in row.items()})
            for row in _product_days(start, end)
        ),
        batch_size=2000,
    )


def tenders_of(sale: str) -> Subquery:
    """The payment methods of a sale as a bit mask (TENDER_BITS); `sale` names the sale's id
    in the outer query ("pk" on sales, "sale" on lines and payments). One lookup of the
    sale's payments (a sale without payment has none: 0)."""
    bits = [
        Max(Case(When(method=method, then=bit), default=0)) for method, bit in TENDER_BITS.items()
    ]
    mask = ExpressionWrapper(sum(bits[1:], bits[0]), output_field=PositiveSmallIntegerField())
    payments = Payment.objects.filter(sale=OuterRef(sale)).order_by().values("sale")
    return Coalesce(Subquery(payments.annotate(mask=mask).values("mask")), 0)


def masks_with(method: str) -> list[int]:
    """Every tenders mask that holds `method` (a payment-method filter on the summaries)."""
    return [mask for mask in range(2 ** len(TENDER_BITS)) if mask & TENDER_BITS[method]]


def _local_hour(created_at: str) -> dict:
    zone = store_timezone()
    return {"day": TruncDate(created_at, tzinfo=zone), "hour": ExtractHour(created_at, tzinfo=zone)}


def _hourly(start: datetime, end: datetime):
    return (
        Sale.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(**_local_hour("created_at"), tenders=tenders_of("pk"))
        .values("day", "hour", "cashier_id", "register_id", "tenders")
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


def _payments(start: datetime, end: datetime) -> dict[tuple, dict]:
    """Per hourly key, the payments of its sales by method (one grouped query)."""
    rows = (
        Payment.objects.filter(sale__created_at__gte=start, sale__created_at__lt=end)
        .annotate(**_local_hour("sale__created_at"), tenders=tenders_of("sale"))
        .values("day", "hour", "sale__cashier_id", "sale__register_id", "tenders", "method")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    payments: dict[tuple, dict] = {}
    for row in rows:
        key = (row["day"], row["hour"], row["sale__cashier_id"], row["sale__register_id"])
        payments.setdefault((*key, row["tenders"]), {})[row["method"]] = row["amount"]
    return payments


def _by_method(tenders: int, sales: int, amounts: dict) -> dict:
    """cash/card/other amounts and sale counts of a row: all its sales share their tenders."""
    from .selectors import cents

    extra = {}
    for method, bit in TENDER_BITS.items():
        extra[method] = cents(amounts.get(method))
        extra[f"{method}_sales"] = sales if tenders & bit else 0
    return extra


def _hourly_row(row: dict, payments: dict[tuple, dict]) -> HourlySales:
    from .selectors import cents

    key = (row["day"], row["hour"], row["cashier_id"], row["register_id"], row["tenders"])
    return HourlySales(
        day=row["day"],
        hour=row["hour"],
        weekday=row["day"].isoweekday(),
        cashier_id=row["cashier_id"],
        register_id=row["register_id"],
        tenders=row["tenders"],
        sales=row["sales"],
        items=row["items"],
        gross=cents(row["gross"]),
        discounts=cents(row["discounts"]),
        paid=cents(row["paid"]),
        tax=cents(row["tax"]),
        **_by_method(row["tenders"], row["sales"], payments.get(key, {})),
    )


def _line_sums() -> dict:
    """The figures of a group of sale lines (sum_ names: an annotation called "tax" would hide
    the model's column)."""
    from .selectors import MONEY, _paid

    return {
        "sum_sales": Count("sale", distinct=True),
        "sum_lines": Count("id"),
        "sum_items": Sum("quantity"),
        "sum_gross": Sum("gross", output_field=MONEY),
        "sum_discounts": Sum(F("discount") + F("cart_discount"), output_field=MONEY),
        "sum_paid": Sum(_paid(), output_field=MONEY),
        "sum_tax": Sum("tax", output_field=MONEY),
    }


def _category_hours(start: datetime, end: datetime):
    """Sale lines per hourly key and category. A sale's payments are added once per category:
    by its first line of that category (no earlier line of the sale in the same category)."""
    from .selectors import MONEY, ZERO

    def category_key(path: str) -> Coalesce:  # 0 for lines without a category
        return Coalesce(path, Value(0))

    earlier = (
        SaleLine.objects.filter(sale=OuterRef("sale"), pk__lt=OuterRef("pk"))
        .annotate(category_key=category_key("product__category"))
        .filter(category_key=OuterRef("category_key"))
    )
    first_of_category = ~Exists(earlier)

    def payments_of_sale(method: str) -> Subquery:
        of_sale = Payment.objects.filter(sale=OuterRef("sale"), method=method)
        return Subquery(of_sale.values("sale").annotate(s=Sum("amount")).values("s"))

    payments = {
        f"sum_{method}": Sum(
            Case(When(first_of_category, then=payments_of_sale(method)), default=ZERO),
            output_field=MONEY,
        )
        for method in TENDER_BITS
    }
    return (
        SaleLine.objects.filter(sale__created_at__gte=start, sale__created_at__lt=end)
        .annotate(
            **_local_hour("sale__created_at"),
            tenders=tenders_of("sale"),
            category_key=category_key("product__category"),
        )
        .values("day", "hour", "sale__cashier_id", "sale__register_id", "tenders", "category_key")
        .annotate(
            **_line_sums(),
            **payments,
        )
        .order_by()
    )


def _category_row(row: dict) -> HourlyCategorySales:
    from .selectors import cents

    sums = {name[4:]: value for name, value in row.items() if name.startswith("sum_")}
    amounts = {method: sums.pop(method) for method in TENDER_BITS}
    return HourlyCategorySales(
        day=row["day"],
        hour=row["hour"],
        weekday=row["day"].isoweekday(),
        cashier_id=row["sale__cashier_id"],
        register_id=row["sale__register_id"],
        tenders=row["tenders"],
        category_id=row["category_key"] or None,
        sales=sums["sales"],
        lines=sums["lines"],
        items=sums["items"],
        **{name: cents(sums[name]) for name in ("gross", "discounts", "paid", "tax")},
        **_by_method(row["tenders"], sums["sales"], amounts),
    )


def _product_days(start: datetime, end: datetime):
    from .selectors import MONEY, _net_of_tax

    return (
        SaleLine.objects.filter(sale__created_at__gte=start, sale__created_at__lt=end)
        .annotate(
            day=TruncDate("sale__created_at", tzinfo=store_timezone()),
            tenders=tenders_of("sale"),
        )
        .values("day", "product_id", "tenders")
        .annotate(**_line_sums(), sum_revenue=Sum(_net_of_tax(), output_field=MONEY))
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
