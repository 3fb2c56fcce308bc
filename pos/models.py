from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from djmoney.models.fields import MoneyField


class Register(models.Model):
    """A till: a place where a cashier rings up sales."""

    name = models.CharField(max_length=60, unique=True)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("use_register", "Can sell on the register page"),
            ("apply_discount", "Can give line and cart discounts"),
            ("refund_sale", "Can refund a sale"),
            ("void_sale", "Can void a sale"),
        ]

    def __str__(self) -> str:
        return self.name


def _money(**kwargs) -> MoneyField:
    return MoneyField(
        max_digits=14,
        decimal_places=2,
        default_currency=settings.POS_DEFAULT_CURRENCY,
        **kwargs,
    )


class Cart(models.Model):
    """A sale being rung up. Lives on the server so a reload or a crashed browser loses nothing."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PARKED = "parked", "Parked"
        CHECKED_OUT = "checked_out", "Checked out"

    class DiscountKind(models.TextChoices):
        NONE = "", "No discount"
        AMOUNT = "amount", "Amount"
        PERCENT = "percent", "Percent"

    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="carts"
    )
    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="carts")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    discount_kind = models.CharField(
        max_length=8, choices=DiscountKind.choices, default=DiscountKind.NONE, blank=True
    )
    discount_value = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cashier", "register"],
                condition=models.Q(status="open"),
                name="one_open_cart_per_cashier_and_register",
            ),
            models.CheckConstraint(
                condition=models.Q(discount_value__gte=0), name="cart_discount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Cart {self.pk} ({self.get_status_display()})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="one_line_per_product"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=9999),
                name="cartline_quantity_1_to_9999",
            ),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0), name="cartline_discount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class Counter(models.Model):
    """Gap-free document numbers (sales, refunds), incremented inside the writing transaction."""

    name = models.CharField(max_length=20, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Shift(models.Model):
    """A cashier's session at a register, from opening float to counted cash."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="shifts")
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shifts"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opening_float = _money()
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counted_cash = _money(null=True, blank=True)
    expected_cash = _money(null=True, blank=True)
    z_report = models.JSONField(
        null=True, blank=True, help_text="The closing figures, frozen when the shift closed."
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["register"],
                condition=models.Q(status="open"),
                name="one_open_shift_per_register",
                violation_error_message="This register already has an open shift.",
            ),
            models.UniqueConstraint(
                fields=["cashier"],
                condition=models.Q(status="open"),
                name="one_open_shift_per_cashier",
                violation_error_message="You already have a shift open on another register.",
            ),
        ]

    def __str__(self) -> str:
        return f"Shift {self.pk} · {self.register} · {self.opened_at:%Y-%m-%d %H:%M}"


class CashMovement(models.Model):
    """Cash paid into or out of the drawer during a shift (change float top-up, supplier paid…)."""

    class Kind(models.TextChoices):
        PAY_IN = "pay_in", "Paid in"
        PAY_OUT = "pay_out", "Paid out"

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="cash_movements")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = _money()
    reason = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Sale(models.Model):
    """A completed sale. Everything a receipt or a report needs is frozen here at sale time."""

    class Status(models.TextChoices):
        COMPLETED = "completed", "Completed"
        VOIDED = "voided", "Voided"

    number = models.CharField(max_length=20, unique=True)
    idempotency_key = models.UUIDField(unique=True)
    cart = models.OneToOneField(
        Cart, null=True, blank=True, on_delete=models.SET_NULL, related_name="sale"
    )
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales"
    )
    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="sales")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="sales"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPLETED)
    prices_include_tax = models.BooleanField()
    subtotal = _money()
    line_discounts = _money()
    cart_discount = _money()
    discount_total = _money()
    tax_total = _money()
    total = _money()
    cash_rounding = _money()
    amount_paid = _money()
    change_given = _money()
    item_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class SaleLine(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    unit_price = _money()
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tax_rate_name = models.CharField(max_length=50)
    gross = _money()
    discount = _money()
    cart_discount = _money()
    total = _money()
    tax = _money()

    class Meta:
        ordering = ["sale", "position"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class SaleTax(models.Model):
    """One line of a sale's tax breakdown (per rate)."""

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="taxes")
    rate = models.DecimalField(max_digits=5, decimal_places=2)
    taxable = _money()
    tax = _money()

    class Meta:
        ordering = ["sale", "rate"]

    def __str__(self) -> str:
        return f"{self.rate} %: {self.tax}"


class Payment(models.Model):
    """One tender of a sale. For cards only the gateway's token and display data are kept."""

    class Method(models.TextChoices):
        CASH = "cash", "Cash"
        CARD = "card", "Card"
        OTHER = "other", "Other"

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="payments")
    position = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=8, choices=Method.choices)
    tendered = _money()
    amount = _money(help_text="What counts toward the sale.")
    change = _money()
    reference = models.CharField(max_length=100, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    gateway = models.CharField(max_length=40, blank=True)
    gateway_token = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["sale", "position"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"

    @property
    def card_display(self) -> str:
        return f"{self.card_brand} •••• {self.card_last4}" if self.card_last4 else ""


class StockMovement(models.Model):
    """Every change of stock. quantity_on_hand always equals the sum of a product's movements."""

    class Kind(models.TextChoices):
        SALE = "sale", "Sale"
        REFUND = "refund", "Refund"
        RESTOCK = "restock", "Restock"
        ADJUSTMENT = "adjustment", "Adjustment"
        COUNT = "count", "Stock count"
        OPENING = "opening", "Opening balance"

    # CASCADE: a product that was never sold nor put in a cart may be deleted, and its own
    # movements (opening stock, deliveries, counts) go with it. One that was sold is kept by
    # its sale lines (PROTECT), movements included.
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="stock_movements"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    quantity = models.IntegerField(help_text="Signed change: negative when stock leaves.")
    resulting_quantity = models.IntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    sale = models.ForeignKey(
        Sale, null=True, blank=True, on_delete=models.PROTECT, related_name="stock_movements"
    )
    refund = models.ForeignKey(
        "Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="stock_movements"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "created_at"], name="movement_product_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} {self.product_id}"


class Refund(models.Model):
    """Money (and perhaps goods) going back to a customer: a refund of some lines, or a void."""

    class Kind(models.TextChoices):
        REFUND = "refund", "Refund"
        VOID = "void", "Void"

    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.REFUND)
    idempotency_key = models.UUIDField(unique=True)
    request_fingerprint = models.CharField(
        max_length=64, help_text="What was asked, to spot reuse."
    )
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="refunds")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="refunds")
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="refunds"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="refunds_approved"
    )
    reason = models.CharField(max_length=200, blank=True)
    total = _money(help_text="Money returned to the customer.")
    tax_total = _money()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class RefundLine(models.Model):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    sale_line = models.ForeignKey(SaleLine, on_delete=models.PROTECT, related_name="refund_lines")
    quantity = models.PositiveIntegerField()
    restock = models.BooleanField(help_text="Goods back on the shelf (else written off).")
    amount = _money(help_text="Money returned for this line, tax included.")
    tax = _money()

    class Meta:
        ordering = ["refund", "sale_line__position"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sale_line.name}"


class RefundPayment(models.Model):
    """How a refund's money went back: on the original tender (card via the gateway) or cash."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="payments")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    method = models.CharField(max_length=8, choices=Payment.Method.choices)
    amount = _money()
    reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["refund", "id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"


class LowStockAlert(models.Model):
    """Raised once when a product falls to or below its threshold; cleared when restocked."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="low_stock_alerts"
    )
    quantity = models.IntegerField(help_text="Stock when the alert was raised.")
    threshold = models.PositiveIntegerField()
    raised_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(cleared_at__isnull=True),
                name="one_open_low_stock_alert_per_product",
            )
        ]

    def __str__(self) -> str:
        return f"Low stock: {self.product_id} ({self.quantity} ≤ {self.threshold})"


class OfflineSale(models.Model):
    """A sale rung up while the register was offline, as it arrived when the network came back.

    The sale itself is an ordinary `Sale` (numbered on arrival, its `idempotency_key` is the
    client's UUID); this row keeps what only an offline sale has: the provisional number printed
    on the customer's receipt, the register's own clock and totals, and why a manager should look
    at it (prices that differ from the catalog, stock that went negative, a product no longer
    sold, no open shift when it arrived).
    """

    sale = models.OneToOneField(Sale, on_delete=models.CASCADE, related_name="offline")
    client_id = models.UUIDField(unique=True, help_text="The register's UUID for the sale.")
    provisional_number = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=64, help_text="What was sent, to spot key reuse.")
    sold_at = models.DateTimeField(null=True, blank=True, help_text="The register's clock.")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    client_total = _money(help_text="The total the register computed offline.")
    catalog_total = _money(help_text="The same cart at the catalog's prices when it arrived.")
    price_difference = _money(help_text="Charged total minus the catalog total (signed).")
    needs_review = models.BooleanField(default=False, db_index=True)
    review_reasons = models.JSONField(default=list, blank=True)
    negative_stock = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.provisional_number} → {self.sale_id}"
