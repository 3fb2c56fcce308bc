"""Realistic sales history in bulk, for trying the reports and benchmarking them.

Every sale is priced by `pos.pricing.price_cart` with the store's rules, so the rows keep the
checkout's invariants: total = lines − discounts (+ tax when prices exclude it), line taxes add
up to the tax bands, payments add up to the amount paid, every stock change is a movement and
quantity on hand equals the sum of a product's movements. Rows are written with multi-row
INSERTs in dependency order (no ORM objects), which is what makes a million lines take minutes.

Shape of the history: more sales on Fridays and Saturdays, a summer dip and a December peak,
a slow growth over the years, morning, lunch and evening rushes, and a few popular products
(Zipf-like popularity). About 1.5 % of sales get a refund later, 0.3 % are voided.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from analytics import summary
from analytics.filters import store_timezone
from catalog.models import Category, Product, TaxRate
from pos import pricing
from pos.inventory import sync_low_stock_alerts
from pos.models import (
    Counter,
    Payment,
    Refund,
    RefundLine,
    RefundPayment,
    Register,
    Sale,
    SaleLine,
    SaleTax,
    StockMovement,
)
from pos.roles import CASHIERS, MANAGERS
from pos.selectors import pricing_rules
from store.selectors import current_store_settings

WEEKDAY_WEIGHT = [0.85, 0.9, 0.95, 1.0, 1.25, 1.45, 0.7]  # Monday … Sunday
LINE_COUNTS = [1, 2, 3, 4, 5, 6, 8]
LINE_WEIGHTS = [30, 25, 18, 12, 8, 5, 2]
REFUND_REASONS = ["Damaged", "Wrong item", "Changed mind", "Expired", "Price complaint"]
VOID_REASONS = ["Customer left", "Rung up twice", "Payment failed"]
CATEGORIES = ["Coffee", "Tea", "Snacks", "Bakery", "Dairy", "Drinks", "Household", "Gifts"]
BATCH = 5000


def _adapter(model_field: models.Field) -> Callable:
    if isinstance(model_field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(model_field, models.UUIDField) and not connection.features.has_native_uuid_field:
        return lambda value: value.hex
    if isinstance(model_field, models.DecimalField):
        return lambda value: None if value is None else str(value)
    return lambda value: value


class Inserter:
    """Multi-row INSERTs of raw column values, ids chosen by the caller."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        fields = model._meta.concrete_fields
        self.columns = [f.column for f in fields]
        self.adapters = [_adapter(f) for f in fields]
        quote = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # model names  # noqa: S608  # nosec B608
            f"({', '.join(quote(c) for c in self.columns)}) "
            f"VALUES ({', '.join(['%s'] * len(self.columns))})"
        )
        self.rows: list[tuple] = []
        self.count = 0
        self.next_id = (model.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1

    def take_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, values: dict) -> None:
        self.rows.append(
            tuple(adapt(values[c]) for c, adapt in zip(self.columns, self.adapters, strict=True))
        )

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows = []


def money(name: str, amount: Decimal, currency: str) -> dict:
    return {name: amount, f"{name}_currency": currency}


@dataclass
class Seeder:
    lines: int
    days: int
    seed: int = 1
    products: int = 400
    rng: random.Random = field(init=False)
    written_lines: int = 0
    voided: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # demo data, not secrets  # noqa: S311  # nosec B311
        self.store = current_store_settings()
        self.rules = pricing_rules(self.store)
        self.currency = self.store.currency
        self.zone = store_timezone()
        self.now = timezone.now()

    # ------------------------------------------------------------------ reference data

    def prepare(self) -> None:
        self.catalog = self._catalog()
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(self.catalog))]
        self.rng.shuffle(weights)
        self.popularity = weights
        self.cashiers = self._users(CASHIERS, "seed-cashier", 6)
        self.managers = self._users(MANAGERS, "seed-manager", 2)
        self.registers = self._registers(3)
        self.tables = {
            model: Inserter(model)
            for model in (
                Sale,
                SaleLine,
                SaleTax,
                Payment,
                Refund,
                RefundLine,
                RefundPayment,
                StockMovement,
            )
        }
        self.sale_no = Counter.objects.get_or_create(name="sale")[0].value
        self.refund_no = Counter.objects.get_or_create(name="refund")[0].value
        self.stock = {p.pk: p.quantity_on_hand for p in self.catalog}
        self.pending_refunds: dict[date, list[tuple]] = {}

    def _catalog(self) -> list[Product]:
        existing = Product.objects.filter(is_active=True).select_related("tax_rate").count()
        missing = max(0, self.products - existing)
        if missing:
            self._create_products(missing)
        return list(Product.objects.filter(is_active=True).select_related("tax_rate"))

    def _create_products(self, count: int) -> None:
        rates = [
            TaxRate.objects.get_or_create(name="Standard", defaults={"rate": Decimal("8.25")})[0],
            TaxRate.objects.get_or_create(name="Reduced", defaults={"rate": Decimal("5.00")})[0],
        ]
        categories = [Category.objects.get_or_create(name=name)[0] for name in CATEGORIES]
        start = Product.objects.count()
        products = []
        for n in range(start, start + count):
            price = Decimal(self.rng.choice([99, 149, 199, 250, 349, 499, 799, 1299, 2499])) / 100
            has_cost = self.rng.random() < 0.85
            products.append(
                Product(
                    name=f"Seeded product {n + 1}",
                    slug=f"seeded-product-{n + 1}",
                    sku=f"SEED-{n + 1:05d}",
                    price=price,
                    price_currency=self.currency,
                    cost_price=(price * Decimal("0.55")).quantize(Decimal("0.01"))
                    if has_cost
                    else None,
                    cost_price_currency=self.currency,
                    tax_rate=self.rng.choice(rates),
                    category=self.rng.choice(categories),
                    quantity_on_hand=0,
                    low_stock_threshold=self.rng.choice([5, 10, 20]),
                )
            )
        Product.objects.bulk_create(products, batch_size=1000)

    def _users(self, role: str, prefix: str, count: int) -> list:
        users = []
        group = Group.objects.get(name=role)
        for n in range(1, count + 1):
            user, created = get_user_model().objects.get_or_create(username=f"{prefix}-{n}")
            if created:
                user.set_unusable_password()
                user.save()
                user.groups.add(group)
            users.append(user)
        return users

    def _registers(self, count: int) -> list[Register]:
        for n in range(1, count + 1):
            Register.objects.get_or_create(name=f"Register {n}")
        return list(Register.objects.order_by("pk")[:count])

    # ------------------------------------------------------------------ history

    def run(self, progress: Callable[[str], None] = lambda text: None) -> dict:
        self.prepare()
        today = timezone.now().astimezone(self.zone).date()
        first = today - timedelta(days=self.days - 1)
        weights = [self._day_weight(first + timedelta(days=n), n) for n in range(self.days)]
        weights[-1] *= self._elapsed_today()
        total = sum(weights)
        self._opening(first)
        done = 0.0
        for n, weight in enumerate(weights):
            day = first + timedelta(days=n)
            # Each day's share of the lines, rounded so that the shares add up to exactly --lines.
            quota = round((done + weight) * self.lines / total) - round(done * self.lines / total)
            done += weight
            with transaction.atomic():
                self._day(day, quota)
                self._flush()
            if n % 30 == 0:
                progress(f"{day}: {self.written_lines:,} lines")
        with transaction.atomic():
            self._finish()
        counts = {model.__name__: table.count for model, table in self.tables.items()}
        refresh_planner_statistics()
        progress("summarising closed days for the reports")
        counts.update(summary.rebuild())
        refresh_planner_statistics()
        return counts

    def _day_weight(self, day: date, index: int) -> float:
        season = 1 + 0.15 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)
        december = 1.35 if day.month == 12 and day.day < 25 else 1.0
        growth = 1 + 0.25 * index / max(self.days, 1)
        closed = day.month == 12 and day.day == 25
        return 0.0 if closed else WEEKDAY_WEIGHT[day.weekday()] * season * december * growth

    def _moment(self, day: date) -> datetime:
        """A time of day shaped like a shop's: rushes at 8–9, 12–13 and 17–18, open 7–21.

        Today, only moments already past (today's share of the lines is cut to match).
        """
        hour = self.rng.choices(range(7, 21), weights=[3, 8, 7, 5, 6, 9, 8, 5, 4, 5, 8, 7, 4, 2])[0]
        local = datetime(day.year, day.month, day.day, hour, tzinfo=self.zone) + timedelta(
            seconds=self.rng.randrange(3600)
        )
        moment = local.astimezone(UTC)
        if moment > self.now:
            opening = datetime(day.year, day.month, day.day, 7, tzinfo=self.zone)
            span = max(int((self.now - opening).total_seconds()), 1)
            moment = opening.astimezone(UTC) + timedelta(seconds=self.rng.randrange(span))
        return min(moment, self.now)

    def _opening(self, first: date) -> None:
        at = datetime(first.year, first.month, first.day, 6, tzinfo=self.zone)
        for product in self.catalog:
            if self.stock[product.pk] < 50:
                self._move(product.pk, "opening", 200 - self.stock[product.pk], at, reason="seed")

    def _elapsed_today(self) -> float:
        """The share of today's opening hours (7–21) already gone: today's sales so far."""
        local = self.now.astimezone(self.zone)
        return min(max((local.hour + local.minute / 60 - 7) / 14, 0.0), 1.0)

    def _day(self, day: date, quota: int) -> None:
        sizes = []
        while sum(sizes) < quota:
            sizes.append(min(self.rng.choices(LINE_COUNTS, LINE_WEIGHTS)[0], quota - sum(sizes)))
        moments = sorted(self._moment(day) for _ in sizes)
        events = [(moment, "sale", size) for moment, size in zip(moments, sizes, strict=True)]
        events += [(item[0], "refund", item) for item in self.pending_refunds.pop(day, [])]
        for moment, kind, item in sorted(events, key=lambda event: event[0]):
            if kind == "refund":
                self._refund(*item[1:], at=moment)
            else:
                self._sale(moment, item)

    # ------------------------------------------------------------------ one sale

    def _sale(self, at: datetime, count: int) -> None:
        count = min(count, len(self.catalog))
        chosen: dict[int, Product] = {}
        while len(chosen) < count:
            product = self.rng.choices(self.catalog, self.popularity)[0]
            chosen[product.pk] = product
        inputs = [
            pricing.LineInput(
                key=product.pk,
                unit_price=product.price.amount,
                quantity=self.rng.choices([1, 2, 3, 4], [70, 20, 7, 3])[0],
                tax_rate=product.tax_rate.rate,
            )
            for product in chosen.values()
        ]
        discount = (
            pricing.CartDiscount("percent", Decimal(10)) if self.rng.random() < 0.04 else None
        )
        priced = pricing.price_cart(inputs, self.rules, discount)
        method = self.rng.choices(["card", "cash", "other"], [55, 40, 5])[0]
        settlement = self._settle(priced.total, method)
        sale_id = self._write_sale(priced, settlement, at, chosen)
        self.written_lines += len(priced.lines)
        roll = self.rng.random()
        if roll < 0.003:
            self._schedule(at + timedelta(minutes=self.rng.randrange(2, 30)), sale_id, priced, True)
        elif roll < 0.018:
            later = at + timedelta(days=self.rng.randrange(0, 14), hours=self.rng.randrange(0, 3))
            self._schedule(later, sale_id, priced, False)

    def _settle(self, total: Decimal, method: str) -> pricing.Settlement:
        if method == "cash":
            due = pricing.cash_due(total, self.rules)
            note = next((n for n in (5, 10, 20, 50, 100) if n >= due), due)
            tendered = due if self.rng.random() < 0.3 else Decimal(note)
            return pricing.settle_tenders(
                total, [pricing.TenderInput("cash", tendered)], self.rules
            )
        return pricing.settle_tenders(total, [pricing.TenderInput(method, total)], self.rules)

    def _write_sale(self, priced, settlement, at: datetime, chosen: dict[int, Product]) -> int:
        cur = self.currency
        sales = self.tables[Sale]
        sale_id = sales.take_id()
        self.sale_no += 1
        index = self.rng.randrange(len(self.registers))
        register = self.registers[index]
        local = at.astimezone(self.zone)
        # One cashier per register and shift (before/after 14:00), rotating day by day.
        shift = local.toordinal() + 2 * index + (local.hour >= 14)
        cashier = self.cashiers[shift % len(self.cashiers)]
        sales.add(
            {
                "id": sale_id,
                "number": f"S-{self.sale_no:06d}",
                "idempotency_key": uuid.UUID(int=self.rng.getrandbits(128), version=4),
                "cart_id": None,
                "cashier_id": cashier.pk,
                "register_id": register.pk,
                "shift_id": None,
                "status": Sale.Status.COMPLETED,
                "prices_include_tax": priced.prices_include_tax,
                **money("subtotal", priced.subtotal, cur),
                **money("line_discounts", priced.line_discounts, cur),
                **money("cart_discount", priced.cart_discount, cur),
                **money("discount_total", priced.discount_total, cur),
                **money("tax_total", priced.tax_total, cur),
                **money("total", priced.total, cur),
                **money("cash_rounding", settlement.cash_rounding, cur),
                **money("amount_paid", settlement.amount_paid, cur),
                **money("change_given", settlement.change, cur),
                "item_count": sum(line.quantity for line in priced.lines),
                "created_at": at,
            }
        )
        self._sale_rows(sale_id, priced, settlement, at, chosen, cashier)
        return sale_id

    def _sale_rows(self, sale_id, priced, settlement, at, chosen, cashier) -> None:
        cur = self.currency
        lines = self.tables[SaleLine]
        for position, line in enumerate(priced.lines, start=1):
            product = chosen[line.key]
            lines.add(
                {
                    "id": lines.take_id(),
                    "sale_id": sale_id,
                    "product_id": product.pk,
                    "position": position,
                    "name": product.name,
                    "sku": product.sku,
                    "quantity": line.quantity,
                    **money("unit_price", line.unit_price, cur),
                    "tax_rate": line.tax_rate,
                    "tax_rate_name": product.tax_rate.name,
                    **money("gross", line.gross, cur),
                    **money("discount", line.discount, cur),
                    **money("cart_discount", line.cart_discount, cur),
                    **money("total", line.total, cur),
                    **money("tax", line.tax, cur),
                }
            )
            self._take_stock(product, line.quantity, at, sale_id=sale_id, user=cashier.pk)
        taxes = self.tables[SaleTax]
        for band in priced.tax_bands:
            taxes.add(
                {
                    "id": taxes.take_id(),
                    "sale_id": sale_id,
                    "rate": band.rate,
                    **money("taxable", band.taxable, cur),
                    **money("tax", band.tax, cur),
                }
            )
        payments = self.tables[Payment]
        for position, tender in enumerate(settlement.tenders, start=1):
            card = tender.method == "card"
            payments.add(
                {
                    "id": payments.take_id(),
                    "sale_id": sale_id,
                    "position": position,
                    "method": tender.method,
                    **money("tendered", tender.tendered, cur),
                    **money("amount", tender.applied, cur),
                    **money("change", tender.change, cur),
                    "reference": f"seed_{sale_id}" if card else "",
                    "card_brand": "Visa" if card else "",
                    "card_last4": "4242" if card else "",
                    "card_exp_month": 12 if card else None,
                    "card_exp_year": 2030 if card else None,
                    "gateway": "seed" if card else "",
                    "gateway_token": f"seedtok_{sale_id}" if card else "",
                }
            )
        self._last_payments = [(t.method, t.applied) for t in settlement.tenders]

    def _take_stock(self, product, quantity: int, at: datetime, **links) -> None:
        if self.stock[product.pk] < quantity:  # a delivery arrived just in time
            delivery = 100 + 50 * self.rng.randrange(0, 4)
            self._move(product.pk, "restock", delivery, at - timedelta(seconds=1), reason="seed")
        self._move(product.pk, "sale", -quantity, at, **links)

    def _move(self, product_id: int, kind: str, quantity: int, at: datetime, **extra) -> None:
        self.stock[product_id] += quantity
        movements = self.tables[StockMovement]
        movements.add(
            {
                "id": movements.take_id(),
                "product_id": product_id,
                "kind": kind,
                "quantity": quantity,
                "resulting_quantity": self.stock[product_id],
                "user_id": extra.get("user"),
                "reason": extra.get("reason", ""),
                "reference": extra.get("reference", ""),
                "sale_id": extra.get("sale_id"),
                "refund_id": extra.get("refund_id"),
                "created_at": at,
            }
        )

    # ------------------------------------------------------------------ refunds and voids

    def _schedule(self, at: datetime, sale_id: int, priced, void: bool) -> None:
        line_ids = self.tables[SaleLine].next_id - len(priced.lines)
        lines = [(line_ids + index, line) for index, line in enumerate(priced.lines)]
        payment = (self.tables[Payment].next_id - 1, *self._last_payments[-1])
        if at > self.now:
            return  # would be in the future
        day = at.astimezone(self.zone).date()
        self.pending_refunds.setdefault(day, []).append(
            (at, sale_id, priced.prices_include_tax, lines, payment, void)
        )

    def _refund(self, sale_id, include_tax, lines, payment, void, *, at: datetime) -> None:
        if not void:
            lines = [self.rng.choice(lines)]
        items = []
        for line_id, line in lines:
            quantity = line.quantity if void else 1
            paid = line.total + (Decimal(0) if include_tax else line.tax)
            amount = pricing.refund_share(paid, line.quantity, 0, quantity, self.currency)
            tax = pricing.refund_share(line.tax, line.quantity, 0, quantity, self.currency)
            items.append((line_id, line, quantity, amount, tax))
        total = sum((item[3] for item in items), Decimal(0))
        self._write_refund(sale_id, items, payment, void, at, total)

    def _write_refund(self, sale_id, items, payment, void, at, total) -> None:
        cur = self.currency
        refunds = self.tables[Refund]
        refund_id = refunds.take_id()
        self.refund_no += 1
        manager = self.rng.choice(self.managers)
        refunds.add(
            {
                "id": refund_id,
                "number": f"R-{self.refund_no:06d}",
                "kind": Refund.Kind.VOID if void else Refund.Kind.REFUND,
                "idempotency_key": uuid.UUID(int=self.rng.getrandbits(128), version=4),
                "request_fingerprint": f"seed-{refund_id}",
                "sale_id": sale_id,
                "shift_id": None,
                "register_id": self.rng.choice(self.registers).pk,
                "cashier_id": manager.pk,
                "approved_by_id": manager.pk,
                "reason": self.rng.choice(VOID_REASONS if void else REFUND_REASONS),
                **money("total", total, cur),
                **money("tax_total", sum((item[4] for item in items), Decimal(0)), cur),
                "created_at": at,
            }
        )
        refund_lines = self.tables[RefundLine]
        for line_id, line, quantity, amount, tax in items:
            restock = void or self.rng.random() < 0.8
            refund_lines.add(
                {
                    "id": refund_lines.take_id(),
                    "refund_id": refund_id,
                    "sale_line_id": line_id,
                    "quantity": quantity,
                    "restock": restock,
                    **money("amount", amount, cur),
                    **money("tax", tax, cur),
                }
            )
            if restock:
                number = f"R-{self.refund_no:06d}"
                self._move(line.key, "refund", quantity, at, refund_id=refund_id, reference=number)
        payment_id, method, applied = payment
        # As pos.refunds allocates: back on the tender, the drawer pays what cash rounding kept.
        plan = [(payment_id, method, min(total, applied))]
        if total > applied:
            plan.append((None, "cash", total - applied))
        refund_payments = self.tables[RefundPayment]
        for paid_with, how, amount in plan:
            refund_payments.add(
                {
                    "id": refund_payments.take_id(),
                    "refund_id": refund_id,
                    "payment_id": paid_with,
                    "method": how,
                    **money("amount", amount, cur),
                    "reference": "",
                }
            )
        if void:
            self.voided.append(sale_id)

    # ------------------------------------------------------------------ bookkeeping

    def _flush(self) -> None:
        for table in self.tables.values():
            table.flush()
        if self.voided:
            Sale.objects.filter(pk__in=self.voided).update(status=Sale.Status.VOIDED)
            self.voided = []

    def _finish(self) -> None:
        self._flush()
        Counter.objects.filter(name="sale").update(value=self.sale_no)
        Counter.objects.filter(name="refund").update(value=self.refund_no)
        for product in self.catalog:
            Product.objects.filter(pk=product.pk).update(quantity_on_hand=self.stock[product.pk])
        # Alerts as checkout leaves them: raised at or below the threshold, cleared above it.
        sync_low_stock_alerts(
            {p.pk: (self.stock[p.pk], p.low_stock_threshold) for p in self.catalog}
        )
        models_ = list(self.tables)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models_):
                cursor.execute(statement)


def refresh_planner_statistics() -> None:
    """ANALYZE after a bulk load, on PostgreSQL.

    Until autovacuum catches up (minutes later), the planner believes the tables hold the few
    rows they had before: it then reads a two-year range of stock movements with a bitmap scan
    and sorts 300,000 rows for a 500-row page (433 ms) instead of walking the time index
    backwards (0.8 ms). SQLite keeps no statistics unless asked; its plans were chosen without.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
