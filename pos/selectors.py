"""Reads of the point of sale: carts with their prices, sales."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet, Sum

from pos_site.errors import ConflictError, NotFoundError, ServiceError
from store.models import StoreSettings
from store.selectors import current_store_settings

from . import pricing
from .models import Cart, CartLine, RefundLine, Register, Sale, Shift


def pricing_rules(store: StoreSettings) -> pricing.PricingRules:
    rounding = store.cash_rounding
    return pricing.PricingRules(
        currency=store.currency,
        prices_include_tax=store.prices_include_tax,
        tax_per_line=store.tax_per_line,
        cash_rounding=rounding if rounding and rounding > Decimal("0.01") else None,
    )


def default_register() -> Register:
    register = Register.objects.filter(is_active=True).order_by("pk").first()
    if register is None:
        raise NotFoundError(
            "No active register is set up; ask a manager to add one.", "no_register"
        )
    return register


def cart_for_user(cart_id: int, user: AbstractBaseUser, *, for_update: bool = False) -> Cart:
    """The user's own cart, or a 404: another cashier's cart is never shown or changed."""
    carts = Cart.objects.select_related("register")
    if for_update:
        carts = carts.select_for_update()
    cart = carts.filter(pk=cart_id, cashier=user).first()
    if cart is None:
        raise NotFoundError(
            "This cart does not exist or belongs to someone else.", "cart_not_found"
        )
    return cart


def cart_lines(cart: Cart) -> list[CartLine]:
    return list(
        cart.lines.select_related("product", "product__tax_rate").order_by("created_at", "id")
    )


@dataclass(frozen=True)
class PricedCartView:
    """A cart with its lines and the pricing module's verdict, ready for the API or checkout."""

    cart: Cart
    lines: list[CartLine]
    priced: pricing.PricedCart
    rules: pricing.PricingRules
    store: StoreSettings

    @property
    def cash_due(self) -> Decimal:
        return pricing.cash_due(self.priced.total, self.rules)


def effective_cart_discount(cart: Cart, lines: list[CartLine]) -> pricing.CartDiscount | None:
    """The cart discount as it applies now.

    An amount discount given on a bigger cart is capped at what is left to discount after lines
    were removed, so the cart always stays priceable; the cap is shown, never hidden.
    """
    if not cart.discount_kind or cart.discount_value <= 0:
        return None
    value = cart.discount_value
    if cart.discount_kind == Cart.DiscountKind.AMOUNT:
        available = sum(
            (line.product.price.amount * line.quantity - line.discount for line in lines),
            Decimal("0"),
        )
        value = min(value, max(available, Decimal("0")))
    return pricing.CartDiscount(kind=cart.discount_kind, value=value)


def price_lines(cart: Cart, lines: list[CartLine], store: StoreSettings) -> PricedCartView:
    rules = pricing_rules(store)
    inputs = [
        pricing.LineInput(
            key=line.pk,
            unit_price=line.product.price.amount,
            quantity=line.quantity,
            tax_rate=line.product.tax_rate.rate,
            discount=min(line.discount, line.product.price.amount * line.quantity),
        )
        for line in lines
    ]
    try:
        priced = pricing.price_cart(inputs, rules, effective_cart_discount(cart, lines))
    except pricing.PricingError as error:
        raise ServiceError(error.message, error.code) from None
    return PricedCartView(cart=cart, lines=lines, priced=priced, rules=rules, store=store)


def priced_cart(cart: Cart, store: StoreSettings | None = None) -> PricedCartView:
    return price_lines(cart, cart_lines(cart), store or current_store_settings())


def parked_carts(user: AbstractBaseUser) -> QuerySet[Cart]:
    return Cart.objects.filter(cashier=user, status=Cart.Status.PARKED).order_by("-updated_at")


def sale_for_user(number: str, user: AbstractBaseUser) -> Sale:
    """A sale by number: managers see every sale, a cashier only their own."""
    sales = Sale.objects.select_related("cashier", "register").prefetch_related(
        "lines", "payments", "taxes"
    )
    if not user.has_perm("pos.view_sale"):
        sales = sales.filter(cashier=user)
    sale = sales.filter(number=number).first()
    if sale is None:
        raise NotFoundError(f"No sale numbered {number}.", "sale_not_found")
    return sale


def open_shift_of(register: Register) -> Shift | None:
    return Shift.objects.filter(register=register, status=Shift.Status.OPEN).first()


def current_shift_for_register(register: Register) -> Shift:
    """The open shift sales on this register belong to; refused when the drawer is not open."""
    shift = open_shift_of(register)
    if shift is None:
        raise ConflictError(
            f"No shift is open on {register.name}: open one with the opening float first.",
            "no_open_shift",
        )
    return shift


def hold_open_shift(shift: Shift) -> None:
    """Inside a write transaction: make sure the shift is still open and keep it so.

    The no-op UPDATE locks the shift row, so closing the shift waits for this sale (or refund)
    to commit and its Z report includes it; a sale arriving after the close is refused.
    """
    if not Shift.objects.filter(pk=shift.pk, status=Shift.Status.OPEN).update(status="open"):
        raise ConflictError("The shift was closed meanwhile; open a new shift.", "shift_closed")


# --------------------------------------------------------------------------- the register's
# recent sales and what is left to refund


@dataclass(frozen=True)
class ShiftSales:
    shift: Shift
    count: int
    sales: list[Sale]


def current_shift_sales(user: AbstractBaseUser, *, limit: int = 30, search: str = "") -> ShiftSales:
    """The sales of the user's own open shift, newest first, with payments and refunds.

    The same rule as receipts: a cashier sees (and reprints) the sales of their own open
    shift; older sales are a manager's business in the admin.
    """
    shift = (
        Shift.objects.select_related("register", "cashier")
        .filter(cashier=user, status=Shift.Status.OPEN)
        .first()
    )
    if shift is None:
        raise NotFoundError("You have no open shift.", "no_open_shift")
    sales = Sale.objects.filter(shift=shift)
    search = search.strip().upper()
    if search:
        digits = search.removeprefix("S-").lstrip("0")
        sales = sales.filter(number__endswith=digits) if digits.isdigit() else sales.none()
    count = sales.count()
    rows = list(
        sales.select_related("cashier", "register")
        .prefetch_related("payments", "refunds")
        .order_by("-created_at", "-pk")[:limit]
    )
    return ShiftSales(shift=shift, count=count, sales=rows)


def refunded_quantities(sale: Sale) -> dict[int, int]:
    """Quantity already refunded per sale line id (voids included)."""
    return {
        row["sale_line"]: row["quantity"]
        for row in RefundLine.objects.filter(sale_line__sale=sale)
        .values("sale_line")
        .annotate(quantity=Sum("quantity"))
    }
