"""Report figures, computed in the database (Sum, Count, Trunc…), never by looping over rows.

Conventions shared by every report:
- Sales are counted when they happen (`Sale.created_at`), refunds and voids when they happen
  (`Refund.created_at`), so a refund of last month's sale lowers this month's net.
- Figures come from sale lines, so the product and category filters apply to every amount.
  A line's "paid" amount is what the customer paid for it: its total, plus its tax when prices
  exclude tax. Net = paid − refunded; tax = line tax − refunded tax.
- Time buckets and dates are the shop's local time (`TIME_ZONE`).
- Amounts are `Decimal` rounded to the cent, never `float`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractIsoWeekDay,
    TruncDate,
    TruncDay,
    TruncHour,
    TruncMonth,
    TruncWeek,
)
from django.utils import timezone

from catalog.models import Product
from pos.models import Payment, Refund, RefundLine, RefundPayment, SaleLine, StockMovement

from . import summary
from .filters import ReportFilter, store_timezone, store_today
from .models import DailyProductSales, HourlyCategorySales, HourlySales

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=20, decimal_places=2)
TRUNC = {"hour": TruncHour, "day": TruncDay, "week": TruncWeek, "month": TruncMonth}
DATE_TRUNC = {"week": TruncWeek, "month": TruncMonth}


def cents(value: Decimal | int | None) -> Decimal:
    """A database sum as an exact cent amount (SQLite hands sums back as floats)."""
    return Decimal(str(value or 0)).quantize(CENT, ROUND_HALF_UP)


def _sum(expression) -> Coalesce:
    return Coalesce(Sum(expression, output_field=MONEY), Value(ZERO), output_field=MONEY)


# --------------------------------------------------------------------------- base querysets


def _paid():
    """What the customer paid for a sale line (tax added when shelf prices exclude it)."""
    return Case(
        When(sale__prices_include_tax=True, then=F("total")),
        default=ExpressionWrapper(F("total") + F("tax"), output_field=MONEY),
        output_field=MONEY,
    )


def _net_of_tax():
    """A sale line's revenue before tax (for margins)."""
    return Case(
        When(
            sale__prices_include_tax=True,
            then=ExpressionWrapper(F("total") - F("tax"), output_field=MONEY),
        ),
        default=F("total"),
        output_field=MONEY,
    )


SHORT_PERIOD_DAYS = 7
LINE_FIELDS = {  # filter → its field on a sale line
    "product": "product",
    "category": "product__category",
    "cashier": "sale__cashier",
    "register": "sale__register",
}


def sale_lines(*, flt: ReportFilter) -> QuerySet[SaleLine]:
    """Lines of the sales made in the period that match every filter.

    A short period (the live part of a report: today, and yesterday until 1 a.m.) is read from
    its sales, the other filters checked on them ("+ 0": no index). SQLite keeps no planner
    statistics, so it otherwise drove from the filter's index and, at a million lines, walked
    every line of the busiest category to find today's (0.33 s instead of 2 ms).
    """
    lines = SaleLine.objects.filter(
        sale__created_at__gte=flt.start_at, sale__created_at__lt=flt.end_at
    )
    short = flt.days <= SHORT_PERIOD_DAYS
    for name, field in LINE_FIELDS.items():
        value = getattr(flt, name)
        if value is None:
            continue
        if short:
            lines = lines.alias(**{f"{name}_unindexed": F(field) + 0})
            field = f"{name}_unindexed"
        lines = lines.filter(**{field: value.pk})
    if flt.payment_method:
        paid_so = Payment.objects.filter(sale=OuterRef("sale"), method=flt.payment_method)
        lines = lines.filter(Exists(paid_so))
    return lines


def refund_lines(*, flt: ReportFilter) -> QuerySet[RefundLine]:
    """Lines of the refunds and voids made in the period that match every filter.

    Cashier and register are those of the refund (who gave the money back, and where).
    """
    lines = RefundLine.objects.filter(
        refund__created_at__gte=flt.start_at, refund__created_at__lt=flt.end_at
    )
    if flt.product:
        lines = lines.filter(sale_line__product=flt.product)
    if flt.category:
        lines = lines.filter(sale_line__product__category=flt.category)
    if flt.cashier:
        lines = lines.filter(refund__cashier=flt.cashier)
    if flt.register:
        lines = lines.filter(refund__register=flt.register)
    if flt.payment_method:
        paid_so = RefundPayment.objects.filter(refund=OuterRef("refund"), method=flt.payment_method)
        lines = lines.filter(Exists(paid_so))
    return lines


# --------------------------------------------------------------------------- summaries or lines


# The closed-day summaries, smallest first, and what each can group or filter by besides the
# day and the tenders (which all know): "payments" is the cash/card/other split of the sales.
SUMMARIES = (
    (HourlySales, {"hour", "cashier", "register", "payments"}),
    (HourlyCategorySales, {"hour", "cashier", "register", "payments", "category"}),
    (DailyProductSales, {"product", "category"}),
)
FILTERED = ("product", "category", "cashier", "register")


def summary_for(flt: ReportFilter, *, by: Iterable[str] = ()) -> type | None:
    """The smallest closed-day summary (analytics.summary) that answers a report grouped `by`
    these under this filter; None when only the sale lines can (a product filter on a report
    by cashier, register or hour, say, or a period cut short, the dashboard's "so far today")."""
    if flt.until:
        return None
    needs = set(by) | {name for name in FILTERED if getattr(flt, name)}
    return next((model for model, known in SUMMARIES if needs <= known), None)


def parts(flt: ReportFilter) -> tuple[Q | None, ReportFilter | None]:
    """Split a period: a filter on summary days (closed days) and a live filter (the rest)."""
    covered, live_from = summary.split(flt.start, flt.end)
    days = summary.day_filter(covered) if covered else None
    live = replace(flt, start=live_from.date()) if live_from else None
    return days, live


def summary_rows(model: type, days: Q, flt: ReportFilter) -> QuerySet:
    """The rows of a summary (from `summary_for`) on closed days that match the filter."""
    rows = model.objects.filter(days)
    for name in FILTERED:
        if getattr(flt, name):
            rows = rows.filter(**{_path(model, name): getattr(flt, name)})
    if flt.payment_method:
        rows = rows.filter(tenders__in=summary.masks_with(flt.payment_method))
    return rows


def _path(model: type, name: str) -> str:
    """A dimension's field on a summary (the per-product one reaches category by product)."""
    return f"product__{name}" if model is DailyProductSales and name == "category" else name


SUMMED = {"gross", "discounts", "paid", "tax", "items", "sales", "qty", "revenue", "cost"}
SUMMED |= {"has_cost", "amount", "lines"}


def _add(rows: dict, key, values: dict) -> None:
    """Add a part's figures to the merged row of `key` (summaries + live lines)."""
    entry = rows.setdefault(key, {})
    for name, value in values.items():
        if name in SUMMED:
            entry[name] = (entry.get(name) or 0) + (value or 0)
        else:
            entry.setdefault(name, value)


# --------------------------------------------------------------------------- overview


@dataclass(frozen=True)
class Totals:
    gross: Decimal
    discounts: Decimal
    paid: Decimal
    sales_tax: Decimal
    refunds: Decimal
    refund_tax: Decimal
    sales: int
    refund_count: int
    items: int

    @property
    def net(self) -> Decimal:
        return self.paid - self.refunds

    @property
    def tax(self) -> Decimal:
        return self.sales_tax - self.refund_tax

    @property
    def average_basket(self) -> Decimal:
        return (self.paid / self.sales).quantize(CENT, ROUND_HALF_UP) if self.sales else ZERO

    @property
    def items_per_basket(self) -> Decimal:
        return (
            (Decimal(self.items) / self.sales).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if self.sales
            else ZERO
        )


SOLD_SUMMARY = {
    "gross": Sum("gross"),
    "discounts": Sum("discounts"),
    "paid": Sum("paid"),
    "tax": Sum("tax"),
    "items": Sum("items"),
    "sales": Sum("sales"),
}


def _sold_lines() -> dict:
    return {
        "gross": _sum("gross"),
        "discounts": _sum(F("discount") + F("cart_discount")),
        "paid": _sum(_paid()),
        "tax": _sum("tax"),
        "items": Coalesce(Sum("quantity"), 0),
        "sales": Count("sale", distinct=True),
    }


def sales_totals(*, flt: ReportFilter) -> Totals:
    """The overview's figures for one period: a few queries whatever the range."""
    sold: dict = {}
    model = summary_for(flt)
    if model:
        days, live = parts(flt)
        if days is not None:
            _add(sold, 0, summary_rows(model, days, flt).aggregate(**SOLD_SUMMARY))
        if live is not None:
            _add(sold, 0, sale_lines(flt=live).aggregate(**_sold_lines()))
        sold = sold.get(0, {})
    else:
        sold = sale_lines(flt=flt).aggregate(**_sold_lines())
    back = refund_lines(flt=flt).aggregate(
        amount=_sum("amount"), tax=_sum("tax"), count=Count("refund", distinct=True)
    )
    return Totals(
        gross=cents(sold.get("gross")),
        discounts=cents(sold.get("discounts")),
        paid=cents(sold.get("paid")),
        sales_tax=cents(sold.get("tax")),
        refunds=cents(back["amount"]),
        refund_tax=cents(back["tax"]),
        sales=int(sold.get("sales") or 0),
        refund_count=back["count"],
        items=int(sold.get("items") or 0),
    )


def change_percent(current: Decimal, previous: Decimal) -> Decimal | None:
    """+12.5 for a 12.5 % rise; None when there is nothing to compare with."""
    if not previous:
        return None
    return ((current - previous) * 100 / abs(previous)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Bucket:
    start: datetime
    paid: Decimal
    refunds: Decimal
    sales: int

    @property
    def net(self) -> Decimal:
        return self.paid - self.refunds


def bucket_starts(*, flt: ReportFilter, bucket: str) -> list[datetime]:
    """Every bucket of the period, so days without a sale show as zero, not as a gap."""
    zone = store_timezone()
    start = flt.start_at
    if bucket == "week":
        start -= timedelta(days=start.weekday())
    if bucket == "month":
        start = start.replace(day=1)
    starts = []
    current = start
    while current < flt.end_at:
        starts.append(current)
        current = _next_bucket(current, bucket).replace(tzinfo=zone)
    return starts


def _next_bucket(moment: datetime, bucket: str) -> datetime:
    naive = moment.replace(tzinfo=None)
    if bucket == "hour":
        return naive + timedelta(hours=1)
    if bucket == "day":
        return naive + timedelta(days=1)
    if bucket == "week":
        return naive + timedelta(days=7)
    return (naive.replace(day=1) + timedelta(days=32)).replace(day=1)


def sales_series(*, flt: ReportFilter, bucket: str | None = None) -> list[Bucket]:
    """Net sales per hour, day, week or month of the period (grouped queries, no row loop)."""
    bucket = bucket or flt.bucket
    zone = store_timezone()
    paid: dict = {}
    model = summary_for(flt, by=["hour"] if bucket == "hour" else [])
    if model:
        days, live = parts(flt)
        if days is not None:
            for row in _summary_series(summary_rows(model, days, flt), bucket):
                _add(paid, _local_key(row.pop("at"), row.pop("hour", 0)), row)
    else:
        live = flt
    if live is not None:
        sold = (
            sale_lines(flt=live)
            .annotate(at=TRUNC[bucket]("sale__created_at", tzinfo=zone))
            .values("at")
            .annotate(paid=_sum(_paid()), sales=Count("sale", distinct=True))
            .order_by()
        )
        for row in sold:
            _add(paid, _local_key(row.pop("at")), row)
    back = (
        refund_lines(flt=flt)
        .annotate(at=TRUNC[bucket]("refund__created_at", tzinfo=zone))
        .values("at")
        .annotate(amount=_sum("amount"))
        .order_by()
    )
    refunded = {_local_key(row["at"]): row["amount"] for row in back}
    return [
        Bucket(
            start=start,
            paid=cents(paid.get(_local_key(start), {}).get("paid")),
            refunds=cents(refunded.get(_local_key(start))),
            sales=int(paid.get(_local_key(start), {}).get("sales", 0)),
        )
        for start in bucket_starts(flt=flt, bucket=bucket)
    ]


def _summary_series(rows: QuerySet, bucket: str) -> list[dict]:
    if bucket == "hour":
        fields = ["day", "hour"]
    elif bucket == "day":
        fields = ["day"]
    else:
        rows = rows.annotate(period=DATE_TRUNC[bucket]("day"))
        fields = ["period"]
    grouped = rows.values(*fields).annotate(paid=Sum("paid"), sales=Sum("sales")).order_by()
    return [
        {
            "at": row.get("period", row.get("day")),
            "hour": row.get("hour", 0),
            "paid": row["paid"],
            "sales": row["sales"],
        }
        for row in grouped
    ]


def _local_key(moment: datetime | date, hour: int = 0) -> tuple:
    """Buckets compared by their local wall-clock start (DST-proof, backend-proof)."""
    if isinstance(moment, datetime):
        if timezone.is_aware(moment):
            moment = moment.astimezone(store_timezone())
        return (moment.year, moment.month, moment.day, moment.hour)
    return (moment.year, moment.month, moment.day, hour)


# --------------------------------------------------------------------------- breakdowns


@dataclass(frozen=True)
class ProductRow:
    product_id: int
    name: str
    sku: str
    quantity: int
    paid: Decimal
    revenue: Decimal  # before tax
    cost: Decimal | None  # None when the product has no cost price

    @property
    def margin(self) -> Decimal | None:
        return None if self.cost is None else self.revenue - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        if self.margin is None or not self.revenue:
            return None
        return (self.margin * 100 / self.revenue).quantize(Decimal("0.1"), ROUND_HALF_UP)


def top_products(*, flt: ReportFilter, order: str = "revenue", limit: int = 20) -> list[ProductRow]:
    """Best sellers by revenue or by quantity. Margin uses today's cost price of the product.

    With summaries: the top `limit` of the closed days, plus the closed-day figures of the
    products sold live, merged — enough to find the true top `limit` of the whole period.
    Grouped by product id only; names and cost prices are read for the winners.
    """
    ordering = ("-qty" if order == "quantity" else "-paid", "product_id")
    rows: dict = {}
    model = summary_for(flt, by=["product"])
    if model:
        days, live = parts(flt)
        live_rows = list(_product_sums(sale_lines(flt=live), lines=True)) if live else []
        if days is not None:
            # One query whatever the data: the closed-day figures of every product sold live
            # (listed first), then the best of the others.
            summed = _product_sums(summary_rows(model, days, flt), lines=False)
            sold_live = [row["product_id"] for row in live_rows]
            if sold_live:
                live_first = Case(When(product_id__in=sold_live, then=0), default=1)
                summed = summed.annotate(live_first=live_first).order_by("live_first", *ordering)
            else:
                summed = summed.order_by(*ordering)
            for row in summed[: limit + len(sold_live)]:
                row.pop("live_first", None)
                _add(rows, row["product_id"], row)
        for row in live_rows:
            _add(rows, row["product_id"], row)
    else:
        for row in _product_sums(sale_lines(flt=flt), lines=True).order_by(*ordering)[:limit]:
            _add(rows, row["product_id"], row)
    measure = "qty" if order == "quantity" else "paid"
    ranked = sorted(rows.values(), key=lambda r: (-r[measure], r["product_id"]))[:limit]
    products = Product.objects.in_bulk([row["product_id"] for row in ranked])
    return [_product_row(row, products[row["product_id"]]) for row in ranked]


def _product_sums(queryset, *, lines: bool):
    """Per product id: quantity, paid and revenue before tax (sale lines or summaries)."""
    if lines:
        figures = {"qty": Sum("quantity"), "paid": _sum(_paid()), "revenue": _sum(_net_of_tax())}
    else:
        figures = {"qty": Sum("items"), "paid": _sum("paid"), "revenue": _sum("revenue")}
    return queryset.values("product_id").annotate(**figures)


def _product_row(row: dict, product: Product) -> ProductRow:
    cost = product.cost_price.amount * row["qty"] if product.cost_price is not None else None
    return ProductRow(
        product_id=product.pk,
        name=product.name,
        sku=product.sku,
        quantity=int(row["qty"]),
        paid=cents(row["paid"]),
        revenue=cents(row["revenue"]),
        cost=cents(cost) if cost is not None else None,
    )


@dataclass(frozen=True)
class GroupRow:
    key: object
    label: str
    sales: int
    quantity: int
    paid: Decimal
    refunds: Decimal

    @property
    def net(self) -> Decimal:
        return self.paid - self.refunds

    @property
    def average_basket(self) -> Decimal:
        return (self.paid / self.sales).quantize(CENT, ROUND_HALF_UP) if self.sales else ZERO


SALE_GROUPS = {
    # dimension: (sale line field, refund line field, label on the sale line, label's name)
    "category": (
        "product__category",
        "sale_line__product__category",
        "product__category__name",
        "name",
    ),
    "cashier": ("sale__cashier", "refund__cashier", "sale__cashier__username", "username"),
    "register": ("sale__register", "refund__register", "sale__register__name", "name"),
}
REFUND_LABELS = {
    "category": "sale_line__product__category__name",
    "cashier": "refund__cashier__username",
    "register": "refund__register__name",
}


def sales_by(*, flt: ReportFilter, dimension: str) -> list[GroupRow]:
    """Sales and refunds per category, cashier or register, biggest net first.

    For categories, "sales" counts sale lines (a sale may hold several categories).
    """
    sale_key, refund_key, label, label_name = SALE_GROUPS[dimension]
    by_category = dimension == "category"
    rows: dict = {}
    live = flt
    model = summary_for(flt, by=[dimension])
    if model:
        days, live = parts(flt)
        if days is not None:
            key = _path(model, dimension)
            summed = (
                summary_rows(model, days, flt)
                .values(key=F(key), label=F(f"{key}__{label_name}"))
                .annotate(
                    sales=Sum("lines" if by_category else "sales"),
                    qty=Sum("items"),
                    paid=_sum("paid"),
                )
                .order_by()
            )
            for row in summed:
                _add(rows, row["key"], row)
    if live is not None:
        count = Count("id") if by_category else Count("sale", distinct=True)
        sold = (
            sale_lines(flt=live)
            .values(key=F(sale_key), label=F(label))
            .annotate(sales=count, qty=Sum("quantity"), paid=_sum(_paid()))
            .order_by()
        )
        for row in sold:
            _add(rows, row["key"], row)
    back = (
        refund_lines(flt=flt)
        .values(key=F(refund_key), label=F(REFUND_LABELS[dimension]))
        .annotate(amount=_sum("amount"))
        .order_by()
    )
    return _merge_groups(rows.values(), back, empty_label=_empty_label(dimension))


def _empty_label(dimension: str) -> str:
    return "No category" if dimension == "category" else "—"


def _merge_groups(sold: Iterable[dict], back: Iterable[dict], *, empty_label: str) -> list:
    rows: dict[object, dict] = {}
    for row in sold:
        rows[row["key"]] = {**row, "amount": ZERO}
    for row in back:
        entry = rows.setdefault(
            row["key"], {"key": row["key"], "label": row["label"], "sales": 0, "qty": 0, "paid": 0}
        )
        entry["amount"] = row["amount"]
    result = [
        GroupRow(
            key=row["key"],
            label=row["label"] or empty_label,
            sales=row["sales"],
            quantity=row["qty"] or 0,
            paid=cents(row["paid"]),
            refunds=cents(row["amount"]),
        )
        for row in rows.values()
    ]
    return sorted(result, key=lambda row: (-row.net, str(row.label)))


def sales_by_payment_method(*, flt: ReportFilter) -> list[GroupRow]:
    """Money taken and given back per tender (cash, card, other).

    Tenders belong to whole sales: with a product or category filter, these are the tenders of
    the sales that contain a matching line.
    """
    labels = dict(Payment.Method.choices)
    rows: dict = {}
    live = flt
    model = summary_for(flt, by=["payments"])
    if model:
        days, live = parts(flt)
        if days is not None:
            summed = summary_rows(model, days, flt).aggregate(
                **{f"{m}_paid": _sum(m) for m in labels},
                **{f"{m}_sales": Coalesce(Sum(f"{m}_sales"), 0) for m in labels},
            )
            for method in labels:
                if summed[f"{method}_sales"]:
                    _add(
                        rows,
                        method,
                        {
                            "key": method,
                            "sales": summed[f"{method}_sales"],
                            "paid": summed[f"{method}_paid"],
                        },
                    )
    if live is not None:
        sales = sale_lines(flt=live).values("sale")
        taken = (
            Payment.objects.filter(sale__in=sales)
            .values(key=F("method"))
            .annotate(sales=Count("sale", distinct=True), paid=_sum("amount"))
            .order_by()
        )
        for row in taken:
            _add(rows, row["key"], row)
    given = (
        RefundPayment.objects.filter(refund__in=refund_lines(flt=flt).values("refund"))
        .values(key=F("method"))
        .annotate(amount=_sum("amount"))
        .order_by()
    )
    taken = [{**row, "label": labels[row["key"]], "qty": 0} for row in rows.values()]
    given = [{**row, "label": labels[row["key"]]} for row in given]
    return _merge_groups(taken, given, empty_label="—")


@dataclass(frozen=True)
class HeatCell:
    weekday: int  # 1 = Monday … 7 = Sunday
    hour: int
    paid: Decimal
    sales: int


def sales_heat_map(*, flt: ReportFilter) -> list[HeatCell]:
    """Sales per weekday and hour of the day (local time), only the cells that had sales."""
    zone = store_timezone()
    cells: dict = {}
    live = flt
    model = summary_for(flt, by=["hour"])
    if model:
        days, live = parts(flt)
        if days is not None:
            summed = (
                summary_rows(model, days, flt)
                .values("weekday", "hour")
                .annotate(paid=Sum("paid"), sales=Sum("sales"))
                .order_by()
            )
            for row in summed:
                _add(cells, (row["weekday"], row["hour"]), row)
    if live is not None:
        sold = (
            sale_lines(flt=live)
            .annotate(
                weekday=ExtractIsoWeekDay("sale__created_at", tzinfo=zone),
                hour=ExtractHour("sale__created_at", tzinfo=zone),
            )
            .values("weekday", "hour")
            .annotate(paid=_sum(_paid()), sales=Count("sale", distinct=True))
            .order_by()
        )
        for row in sold:
            _add(cells, (row["weekday"], row["hour"]), row)
    return [
        HeatCell(weekday, hour, cents(row["paid"]), int(row["sales"]))
        for (weekday, hour), row in sorted(cells.items())
    ]


# --------------------------------------------------------------------------- refunds


def refunds_in_period(*, flt: ReportFilter) -> QuerySet[Refund]:
    """Refunds and voids of the period matching the filters, newest first."""
    lines = refund_lines(flt=flt).filter(refund=OuterRef("pk"))
    return (
        Refund.objects.filter(Exists(lines))
        .select_related("sale", "cashier", "approved_by", "register")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class ReasonRow:
    kind: str
    reason: str
    approver: str
    count: int
    amount: Decimal


def refunds_by_reason(*, flt: ReportFilter) -> list[ReasonRow]:
    """How many refunds/voids per kind, reason and approver, and how much money went back."""
    rows = (
        refunds_in_period(flt=flt)
        .order_by()
        .values("kind", "reason", "approved_by__username")
        .annotate(count=Count("id"), amount=_sum("total"))
        .order_by("-amount", "kind", "reason")
    )
    return [
        ReasonRow(
            kind=Refund.Kind(row["kind"]).label,
            reason=row["reason"] or "(no reason given)",
            approver=row["approved_by__username"],
            count=row["count"],
            amount=cents(row["amount"]),
        )
        for row in rows
    ]


# --------------------------------------------------------------------------- inventory


@dataclass(frozen=True)
class StockValue:
    products: int
    units: int
    at_cost: Decimal
    at_price: Decimal
    without_cost: int  # products in stock whose cost price is unknown


def _products(*, flt: ReportFilter) -> QuerySet[Product]:
    products = Product.objects.filter(is_active=True)
    if flt.category:
        products = products.filter(category=flt.category)
    if flt.product:
        products = products.filter(pk=flt.product.pk)
    return products


def stock_value(*, flt: ReportFilter) -> StockValue:
    """What the stock on hand is worth, at cost and at shelf price (positive stock only)."""
    in_stock = _products(flt=flt).filter(quantity_on_hand__gt=0)
    row = in_stock.aggregate(
        products=Count("id"),
        units=Coalesce(Sum("quantity_on_hand"), 0),
        at_cost=_sum(
            ExpressionWrapper(F("quantity_on_hand") * F("cost_price"), output_field=MONEY)
        ),
        at_price=_sum(ExpressionWrapper(F("quantity_on_hand") * F("price"), output_field=MONEY)),
        without_cost=Count("id", filter=Q(cost_price__isnull=True)),
    )
    return StockValue(
        products=row["products"],
        units=row["units"],
        at_cost=cents(row["at_cost"]),
        at_price=cents(row["at_price"]),
        without_cost=row["without_cost"],
    )


LOW_STOCK = Q(quantity_on_hand__lte=F("low_stock_threshold"))
"""The one definition of low stock, for the Inventory report and the dashboard: an active
product whose stock is at or below its own low-stock threshold, as it stands now."""


def low_stock_count() -> int:
    """How many products are low on stock (the dashboard's figure; one COUNT)."""
    return Product.objects.filter(LOW_STOCK, is_active=True).count()


def low_stock(*, flt: ReportFilter, limit: int = 200) -> QuerySet[Product]:
    """Active products at or below their threshold (LOW_STOCK), emptiest first."""
    return (
        _products(flt=flt)
        .filter(LOW_STOCK)
        .select_related("category")
        .order_by("quantity_on_hand", "name")[:limit]
    )


def not_sold_since(*, flt: ReportFilter, days: int, limit: int = 200) -> QuerySet[Product]:
    """Active products with stock and no sale on any of the last `days` days, today included
    (most stock first), with the day each last sold (`last_sold`, None for never).

    Reads the per-product summaries for closed days and the sale lines for the rest. The
    products sold recently are one `IN (…)` set, not a per-product probe of their sale lines
    (which PostgreSQL answered in seconds on a million lines).
    """
    since = store_today() - timedelta(days=days - 1)
    until = summary.summarised_until()
    if until is None:  # summaries being written by another request: sale lines only
        live_from = since
        newest = (
            SaleLine.objects.filter(product=OuterRef("pk"))
            .order_by("-sale__created_at")
            .values("sale__created_at")[:1]
        )
        last_sold = TruncDate(Subquery(newest), tzinfo=store_timezone())
        sold_on_closed_days = Product.objects.none().values("pk")
    else:
        live_from = max(since, until)
        summed = DailyProductSales.objects.filter(product=OuterRef("pk"))
        last_sold = Subquery(summed.order_by("-day").values("day")[:1])
        sold_on_closed_days = DailyProductSales.objects.filter(day__gte=since).values("product_id")
    sold_live = SaleLine.objects.filter(
        sale__created_at__gte=summary.local_midnight(live_from)
    ).values("product_id")
    return (
        _products(flt=flt)
        .filter(quantity_on_hand__gt=0)
        .exclude(pk__in=sold_on_closed_days)
        .exclude(pk__in=sold_live)
        .annotate(last_sold=last_sold)
        .select_related("category")
        .order_by("-quantity_on_hand", "name")[:limit]
    )


def stock_movements(*, flt: ReportFilter, limit: int = 500) -> QuerySet[StockMovement]:
    """Stock movements of the period (product, category, user and kind filters), newest first."""
    movements = StockMovement.objects.filter(
        created_at__gte=flt.start_at, created_at__lt=flt.end_at
    )
    if flt.product:
        movements = movements.filter(product=flt.product)
    if flt.category:
        movements = movements.filter(product__category=flt.category)
    if flt.cashier:
        movements = movements.filter(user=flt.cashier)
    if flt.movement_kind:
        movements = movements.filter(kind=flt.movement_kind)
    # Newest first by time alone, so the created_at index can answer the LIMIT without sorting
    # every movement of the range (a tie-break on id cannot use that index).
    return movements.select_related("product", "user").order_by("-created_at")[:limit]
