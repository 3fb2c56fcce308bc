"""Each report as plain data (metrics, charts, tables) built from the selectors.

The page, the CSV, the XLSX and the PDF all render the same `Report`, so an export is exactly
what is on screen with the same filters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from store.selectors import current_store_settings, format_amount

from . import selectors
from .filters import ReportFilter, store_timezone

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
HEAT_LEVELS = 5


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text, code (a SKU: one unbroken word), money, int, decimal, percent


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list]
    empty: str = "Nothing in this period."
    levels: list[list[int]] | None = None  # heat map shading, one level (0–5) per cell
    note: str = ""


@dataclass(frozen=True)
class Series:
    label: str
    values: list[Decimal]


@dataclass(frozen=True)
class Chart:
    kind: str  # bar, line, doughnut
    title: str
    labels: list[str]
    series: list[Series]
    money: bool = True

    def payload(self, currency: str) -> dict:
        """What the page's script draws: amounts as strings, never floats."""
        return {
            "kind": self.kind,
            "title": self.title,
            "labels": self.labels,
            "currency": currency if self.money else "",
            "series": [
                {"label": item.label, "values": [str(value) for value in item.values]}
                for item in self.series
            ],
        }


@dataclass(frozen=True)
class Metric:
    label: str
    value: Decimal | int
    kind: str = "money"
    previous: Decimal | int | None = None
    change: Decimal | None = None
    good_when_up: bool = True

    @property
    def trend(self) -> str:
        """up, down or flat: the page shows ▲/▼ and colours it good or bad."""
        if self.change is None or self.change == 0:
            return "flat"
        return "up" if self.change > 0 else "down"

    @property
    def is_good(self) -> bool:
        return (self.trend == "up") == self.good_when_up


@dataclass
class Report:
    slug: str
    title: str
    flt: ReportFilter
    currency: str
    locale: str
    metrics: list[Metric] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self, value, kind: str) -> str:
        return cell_text(value, kind, self.currency, self.locale)


def cell_text(value, kind: str, currency: str, locale: str) -> str:
    """How a cell reads on screen, in the CSV and in the PDF."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        return format_amount(Decimal(value), currency, locale)
    if kind == "percent":
        return f"{format_decimal(value, format='#,##0.0', locale=locale)} %"
    if kind in ("int", "decimal"):
        return format_decimal(value, locale=locale)
    return str(value)


def change_text(metric: Metric) -> str:
    if metric.change is None:
        return "no earlier figures"
    arrow = {"up": "▲", "down": "▼", "flat": "="}[metric.trend]
    return f"{arrow} {abs(metric.change)} %"


# --------------------------------------------------------------------------- builders


def _report(slug: str, title: str, flt: ReportFilter) -> Report:
    store = current_store_settings()
    return Report(slug=slug, title=title, flt=flt, currency=store.currency, locale=store.locale)


def _metric(label: str, now, before, kind: str = "money", good_when_up: bool = True) -> Metric:
    return Metric(
        label=label,
        value=now,
        kind=kind,
        previous=before,
        change=selectors.change_percent(Decimal(now), Decimal(before)),
        good_when_up=good_when_up,
    )


def bucket_label(start: datetime, bucket: str, locale: str) -> str:
    local = start.astimezone(store_timezone())
    if bucket == "hour":
        return format_datetime(local, "EEE d MMM, HH:00", locale=locale)
    if bucket == "day":
        return format_date(local, "EEE d MMM yyyy", locale=locale)
    if bucket == "week":
        return "Week of " + format_date(local, "d MMM yyyy", locale=locale)
    return format_date(local, "MMMM yyyy", locale=locale)


def overview_report(flt: ReportFilter) -> Report:
    report = _report("sales-overview", "Sales overview", flt)
    now = selectors.sales_totals(flt=flt)
    before = selectors.sales_totals(flt=flt.previous())
    report.metrics = [
        _metric("Gross sales", now.gross, before.gross),
        _metric("Discounts", now.discounts, before.discounts, good_when_up=False),
        _metric("Refunds", now.refunds, before.refunds, good_when_up=False),
        _metric("Net sales (tax incl.)", now.net, before.net),
        _metric("Tax", now.tax, before.tax),
        _metric("Sales", now.sales, before.sales, kind="int"),
        _metric("Average basket", now.average_basket, before.average_basket),
        _metric("Items per basket", now.items_per_basket, before.items_per_basket, "decimal"),
    ]
    series = selectors.sales_series(flt=flt)
    labels = [bucket_label(item.start, flt.bucket, report.locale) for item in series]
    report.charts = [
        Chart(
            kind="bar" if len(series) <= 62 else "line",
            title=f"Net sales (tax incl.) by {flt.bucket}",
            labels=labels,
            series=[Series("Net sales (tax incl.)", [item.net for item in series])],
        )
    ]
    report.tables = [
        Table(
            title=f"Net sales (tax incl.) by {flt.bucket}",
            columns=[
                Column(flt.bucket.capitalize()),
                Column("Sales", "int"),
                Column("Paid", "money"),
                Column("Refunds", "money"),
                Column("Net sales (tax incl.)", "money"),
            ],
            rows=[
                [label, item.sales, item.paid, item.refunds, item.net]
                for label, item in zip(labels, series, strict=True)
            ],
        )
    ]
    previous = flt.previous()
    report.notes = [
        f"Compared with {previous.start:%Y-%m-%d} to {previous.end:%Y-%m-%d}.",
        "Net sales (tax incl.) = what customers paid − refunds and voids made in the period, "
        "i.e. gross − discounts + tax (when shelf prices exclude it) − refunds.",
    ]
    return report


def top_products_report(flt: ReportFilter, order: str = "revenue") -> Report:
    report = _report("top-products", "Top products", flt)
    rows = selectors.top_products(flt=flt, order=order)
    key = (lambda row: row.quantity) if order == "quantity" else (lambda row: row.paid)
    report.charts = [
        Chart(
            kind="bar",
            title="Top products by " + ("quantity" if order == "quantity" else "revenue"),
            labels=[row.name for row in rows],
            series=[Series("Quantity" if order == "quantity" else "Paid", [key(r) for r in rows])],
            money=order != "quantity",
        )
    ]
    report.tables = [
        Table(
            title=report.charts[0].title,
            columns=[
                Column("Product"),
                Column("SKU", "code"),
                Column("Quantity", "int"),
                Column("Paid (tax incl.)", "money"),
                Column("Revenue before tax", "money"),
                Column("Cost", "money"),
                Column("Margin", "money"),
                Column("Margin %", "percent"),
            ],
            rows=[
                [r.name, r.sku, r.quantity, r.paid, r.revenue, r.cost, r.margin, r.margin_percent]
                for r in rows
            ],
        )
    ]
    report.notes = [
        "Cost and margin use each product's current cost price; “—” where none is recorded.",
        "Refunds are not deducted here; see the Refunds report.",
    ]
    return report


GROUP_TITLES = {
    "category": "Sales by category",
    "cashier": "Sales by cashier",
    "register": "Sales by register",
    "payment-method": "Sales by payment method",
}


def sales_by_report(flt: ReportFilter, dimension: str) -> Report:
    report = _report(f"sales-by-{dimension}", GROUP_TITLES[dimension], flt)
    if dimension == "payment-method":
        rows = selectors.sales_by_payment_method(flt=flt)
    else:
        rows = selectors.sales_by(flt=flt, dimension=dimension)
    head = {"payment-method": "Method"}.get(dimension, dimension.capitalize())
    report.charts = [
        Chart(
            kind="doughnut" if dimension in ("payment-method", "category") else "bar",
            title=f"Net sales by {head.lower()}",
            labels=[str(row.label) for row in rows],
            series=[Series("Net sales", [row.net for row in rows])],
        )
    ]
    total_net = sum((row.net for row in rows), selectors.ZERO)
    columns = [Column(head), Column("Lines" if dimension == "category" else "Sales", "int")]
    if dimension != "payment-method":
        columns.append(Column("Items", "int"))
    columns += [
        Column("Paid", "money"),
        Column("Refunds", "money"),
        Column("Net sales", "money"),
        Column("Share", "percent"),
    ]
    table_rows = []
    for row in rows:
        share = (
            (row.net * 100 / total_net).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if total_net
            else None
        )
        cells = [row.label, row.sales]
        if dimension != "payment-method":
            cells.append(row.quantity)
        table_rows.append([*cells, row.paid, row.refunds, row.net, share])
    report.tables = [Table(title=report.title, columns=columns, rows=table_rows)]
    if dimension == "payment-method" and (flt.product or flt.category):
        # Only a product or category filter picks sales by their lines: say what that means.
        report.notes = ["Payments are those of whole sales containing the filtered lines."]
    return report


def heat_map_report(flt: ReportFilter) -> Report:
    report = _report("sales-heat-map", "Sales by hour and weekday", flt)
    cells = {(cell.weekday, cell.hour): cell.paid for cell in selectors.sales_heat_map(flt=flt)}
    peak = max(cells.values(), default=selectors.ZERO)
    # Only the opening hours: from the first to the last hour that ever had a sale.
    opened = sorted({hour for _day, hour in cells}) or [0, 23]
    hours = range(opened[0], opened[-1] + 1)
    rows, levels = [], []
    for day, name in enumerate(WEEKDAYS, start=1):
        values = [cells.get((day, hour), selectors.ZERO) for hour in hours]
        rows.append([name, *values, sum(values, selectors.ZERO)])
        levels.append([0, *[_level(value, peak) for value in values], 0])
    report.tables = [
        Table(
            title="Paid per weekday and hour (local time)",
            columns=[
                Column("Weekday"),
                *[Column(f"{hour:02d}", "money") for hour in hours],
                Column("Total", "money"),
            ],
            rows=rows if cells else [],
            levels=levels,
            note="Darker cells sold more. Hours are the start of each hour, shop time.",
        )
    ]
    return report


def _level(value: Decimal, peak: Decimal) -> int:
    if value <= 0 or peak <= 0:
        return 0
    return max(1, int(value * HEAT_LEVELS / peak + Decimal("0.5")))


def refunds_report(flt: ReportFilter, limit: int = 200) -> Report:
    report = _report("refunds", "Refunds and voids", flt)
    totals = selectors.sales_totals(flt=flt)
    report.metrics = [
        Metric("Refunds and voids", totals.refund_count, "int"),
        Metric("Money given back", totals.refunds),
        Metric("Tax given back", totals.refund_tax),
    ]
    reasons = selectors.refunds_by_reason(flt=flt)
    report.charts = [
        Chart(
            kind="bar",
            title="Money given back by reason",
            labels=[f"{row.kind}: {row.reason}" for row in reasons],
            series=[Series("Given back", [row.amount for row in reasons])],
        )
    ]
    refunds = list(selectors.refunds_in_period(flt=flt)[:limit])
    report.tables = [
        Table(
            title="By reason and approver",
            columns=[
                Column("Kind"),
                Column("Reason"),
                Column("Approved by"),
                Column("Count", "int"),
                Column("Given back", "money"),
            ],
            rows=[[r.kind, r.reason, r.approver, r.count, r.amount] for r in reasons],
        ),
        Table(
            title="Refunds and voids",
            columns=[
                Column("Number"),
                Column("When"),
                Column("Kind"),
                Column("Sale"),
                Column("Cashier"),
                Column("Approved by"),
                Column("Reason"),
                Column("Given back", "money"),
            ],
            rows=[_refund_row(refund, report.locale) for refund in refunds],
            note=f"The {limit} most recent are listed." if len(refunds) == limit else "",
        ),
    ]
    return report


def _refund_row(refund, locale: str) -> list:
    return [
        refund.number,
        format_datetime(refund.created_at.astimezone(store_timezone()), "short", locale=locale),
        refund.get_kind_display(),
        refund.sale.number,
        refund.cashier.get_username(),
        refund.approved_by.get_username(),
        refund.reason,
        refund.total.amount,
    ]


INVENTORY_FILTERS_NOTE = (
    "Stock value, low stock and products not sold are as they stand now; the period, and the "
    "Movement filter, apply to the movement history only. Register and payment method do not "
    "apply to stock."
)


def applicable_filter(slug: str, flt: ReportFilter) -> ReportFilter:
    """The filter without what a report ignores, so neither the page nor its exports claim a
    filter that changed nothing: stock has no register nor payment method, and only the
    inventory's movement history has movement kinds."""
    if slug == "inventory":
        return replace(flt, register=None, payment_method="")
    return replace(flt, movement_kind="")


def inventory_report(flt: ReportFilter) -> Report:
    report = _report("inventory", "Inventory", flt)
    report.notes.append(INVENTORY_FILTERS_NOTE)
    value = selectors.stock_value(flt=flt)
    report.metrics = [
        Metric("Stock value at cost", value.at_cost),
        Metric("Stock value at price", value.at_price),
        Metric("Units in stock", value.units, "int"),
        Metric("Low-stock products", selectors.low_stock(flt=flt, limit=10_000).count(), "int"),
    ]
    if value.without_cost:
        report.notes.append(
            f"{value.without_cost} product(s) in stock have no cost price: "
            "their stock counts at price but not at cost."
        )
    report.tables = [
        Table(
            title="Low stock",
            columns=[
                Column("Product"),
                Column("SKU", "code"),
                Column("Category"),
                Column("In stock", "int"),
                Column("Threshold", "int"),
            ],
            rows=[
                [p.name, p.sku, _category(p), p.quantity_on_hand, p.low_stock_threshold]
                for p in selectors.low_stock(flt=flt)
            ],
            empty="No product is at or below its threshold.",
        ),
        Table(
            title=f"Not sold in the last {flt.days_unsold} days",
            columns=[
                Column("Product"),
                Column("SKU", "code"),
                Column("Category"),
                Column("In stock", "int"),
                Column("Last sold"),
            ],
            rows=[
                [p.name, p.sku, _category(p), p.quantity_on_hand, _date(p.last_sold, report)]
                for p in selectors.not_sold_since(flt=flt, days=flt.days_unsold)
            ],
            empty="Every product in stock sold recently.",
        ),
        Table(
            title="Stock movements in the period",
            columns=[
                Column("When"),
                Column("Product"),
                Column("Kind"),
                Column("Change", "int"),
                Column("After", "int"),
                Column("User"),
                Column("Reference"),
            ],
            rows=[_movement_row(m, report) for m in selectors.stock_movements(flt=flt)],
            note="The 500 most recent movements are listed.",
        ),
    ]
    return report


def _category(product) -> str:
    return product.category.name if product.category else "—"


def _date(value: date | datetime | None, report: Report) -> str:
    if value is None:
        return "never"
    if isinstance(value, datetime):
        value = value.astimezone(store_timezone()).date()
    return format_date(value, "medium", locale=report.locale)


def _movement_row(movement, report: Report) -> list:
    return [
        format_datetime(
            movement.created_at.astimezone(store_timezone()), "short", locale=report.locale
        ),
        movement.product.name,
        movement.get_kind_display(),
        movement.quantity,
        movement.resulting_quantity,
        movement.user.get_username() if movement.user else "—",
        movement.reference or movement.reason,
    ]


@dataclass(frozen=True)
class ReportSpec:
    slug: str
    title: str
    build: Callable[[ReportFilter], Report]
    description: str


REPORTS: dict[str, ReportSpec] = {
    spec.slug: spec
    for spec in [
        ReportSpec(
            "sales-overview",
            "Sales overview",
            lambda flt: overview_report(flt),
            "Gross, discounts, refunds, net and tax against the previous period.",
        ),
        ReportSpec(
            "top-products",
            "Top products",
            lambda flt: top_products_report(flt, flt.order),
            "Best sellers by revenue or quantity, with margins.",
        ),
        *[
            ReportSpec(
                f"sales-by-{dimension}",
                title,
                (lambda d: lambda flt: sales_by_report(flt, d))(dimension),
                f"{title}, refunds deducted.",
            )
            for dimension, title in GROUP_TITLES.items()
        ],
        ReportSpec(
            "sales-heat-map",
            "Sales by hour and weekday",
            lambda flt: heat_map_report(flt),
            "When the shop sells: a weekday × hour table.",
        ),
        ReportSpec(
            "refunds",
            "Refunds and voids",
            lambda flt: refunds_report(flt),
            "Money given back, with reasons and approvers.",
        ),
        ReportSpec(
            "inventory",
            "Inventory",
            lambda flt: inventory_report(flt),
            "Stock value, low stock, slow movers and movement history.",
        ),
    ]
}
