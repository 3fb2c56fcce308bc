"""State changes of the point of sale: the cart, checkout and payments.

Every function checks its input and either does the whole job or raises a `ServiceError` with a
message a cashier can act on, leaving the database as it was.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from djmoney.money import Money

from catalog.models import Product
from pos_site.errors import ConflictError, NotFoundError, PermissionDeniedError, ServiceError
from pos_site.rows import insert_objects
from store.selectors import current_store_settings

from . import pricing
from .inventory import lock_products, sync_low_stock_alerts
from .models import (
    Cart,
    CartLine,
    Counter,
    Payment,
    Register,
    Sale,
    SaleLine,
    SaleTax,
    Shift,
    StockMovement,
)
from .payments import CardDetails, CardToken, Charge, PaymentDeclined, payment_gateway
from .selectors import (
    PricedCartView,
    cart_for_user,
    current_shift_for_register,
    default_register,
    hold_open_shift,
    price_lines,
    priced_cart,
)

logger = logging.getLogger(__name__)

MAX_QUANTITY = pricing.MAX_QUANTITY


# --------------------------------------------------------------------------- the cart


def open_cart(*, user: AbstractBaseUser, register: Register | None = None) -> tuple[Cart, bool]:
    """The user's open cart on the register (the default register when none is given).

    Returns (cart, created). The database allows one open cart per cashier and register.
    """
    register = register or default_register()
    if not register.is_active:
        raise ServiceError(
            f"{register.name} is closed; choose another register.", "register_closed"
        )
    cart = Cart.objects.filter(cashier=user, register=register, status=Cart.Status.OPEN).first()
    if cart is not None:
        return cart, False
    try:
        with transaction.atomic():
            return Cart.objects.create(cashier=user, register=register), True
    except IntegrityError:  # a second tab created it a moment ago
        return Cart.objects.get(cashier=user, register=register, status=Cart.Status.OPEN), False


def _editable(cart: Cart) -> None:
    if cart.status != Cart.Status.OPEN:
        raise ConflictError(
            "This cart is parked or already paid; resume it or start a new sale.", "cart_not_open"
        )


def _quantity(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ServiceError("The quantity must be a whole number.", "invalid_quantity")
    try:
        quantity = int(value)
    except ValueError:
        raise ServiceError("The quantity must be a whole number.", "invalid_quantity") from None
    if not 0 <= quantity <= MAX_QUANTITY:
        raise ServiceError(
            f"The quantity must be between 1 and {MAX_QUANTITY}.", "invalid_quantity"
        )
    return quantity


def _sellable_product(*, product_id: object = None, barcode: str | None = None) -> Product:
    products = Product.objects.select_related("tax_rate")
    if barcode is not None:
        code = str(barcode).strip()
        product = products.filter(barcode=code).first() if code.isdigit() else None
        if product is None:
            raise NotFoundError(f"No product has the barcode {code[:32]}.", "unknown_barcode")
    else:
        try:
            product = products.filter(pk=int(product_id)).first()
        except (TypeError, ValueError):
            product = None
        if product is None:
            raise NotFoundError("This product does not exist.", "unknown_product")
    if not product.is_active:
        raise ServiceError(f"{product.name} is no longer sold.", "inactive_product")
    return product


def _check_stock(product: Product, wanted: int) -> None:
    if wanted > product.quantity_on_hand and not current_store_settings().allow_negative_stock:
        left = max(product.quantity_on_hand, 0)
        raise ConflictError(f"Only {left} × {product.name} left in stock.", "insufficient_stock")


def add_to_cart(
    *,
    cart: Cart,
    product_id: object = None,
    barcode: str | None = None,
    quantity: object = 1,
) -> CartLine:
    """Add a product by id or barcode; adding a product already in the cart adds to its line."""
    _editable(cart)
    quantity = _quantity(quantity)
    if quantity == 0:
        raise ServiceError("The quantity must be between 1 and 9999.", "invalid_quantity")
    product = _sellable_product(product_id=product_id, barcode=barcode)
    line = CartLine.objects.filter(cart=cart, product=product).first()
    new_quantity = quantity + (line.quantity if line else 0)
    if new_quantity > MAX_QUANTITY:
        raise ServiceError(
            f"A line can hold at most {MAX_QUANTITY} of a product.", "invalid_quantity"
        )
    _check_stock(product, new_quantity)
    if line is None:
        try:
            with transaction.atomic():
                line = CartLine.objects.create(cart=cart, product=product, quantity=quantity)
        except IntegrityError:  # the same scan arrived twice at once: add to that line
            line = CartLine.objects.get(cart=cart, product=product)
            CartLine.objects.filter(pk=line.pk).update(quantity=F("quantity") + quantity)
    else:
        CartLine.objects.filter(pk=line.pk).update(quantity=F("quantity") + quantity)
    return line


def _line(cart: Cart, line_id: object) -> CartLine:
    try:
        line = cart.lines.select_related("product").filter(pk=int(line_id)).first()
    except (TypeError, ValueError):
        line = None
    if line is None:
        raise NotFoundError("This line is not in the cart.", "line_not_found")
    return line


def set_line_quantity(*, cart: Cart, line_id: object, quantity: object) -> CartLine | None:
    """Set a line's quantity; 0 removes the line (returns None then)."""
    _editable(cart)
    quantity = _quantity(quantity)
    line = _line(cart, line_id)
    if quantity == 0:
        line.delete()
        return None
    if quantity > line.quantity:
        _check_stock(line.product, quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


def remove_line(*, cart: Cart, line_id: object) -> None:
    _editable(cart)
    _line(cart, line_id).delete()


def _amount(value: object, what: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(f"The {what} must be a number such as 2.50.", "invalid_amount") from None
    if not amount.is_finite() or amount < 0:
        raise ServiceError(f"The {what} cannot be negative.", "invalid_amount")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ServiceError(f"The {what} has too many decimals.", "invalid_amount")
    return amount


def _require_discount_permission(user: AbstractBaseUser) -> None:
    if not user.has_perm("pos.apply_discount"):
        raise PermissionDeniedError(
            "Your role cannot give discounts; ask a manager.", "discount_not_allowed"
        )


def set_line_discount(
    *, cart: Cart, line_id: object, amount: object, user: AbstractBaseUser
) -> CartLine:
    """Give a money discount on one line (0 removes it). Needs `pos.apply_discount`."""
    _editable(cart)
    _require_discount_permission(user)
    line = _line(cart, line_id)
    discount = _amount(amount, "discount")
    gross = line.product.price.amount * line.quantity
    if discount > gross:
        raise ServiceError(
            f"The discount {discount} is more than the line value {gross}.", "discount_too_large"
        )
    line.discount = discount
    line.save(update_fields=["discount"])
    return line


def set_cart_discount(
    *, cart: Cart, kind: str, value: object, user: AbstractBaseUser
) -> PricedCartView:
    """Give a discount on the whole cart, as an amount or a percent (0 removes it)."""
    _editable(cart)
    _require_discount_permission(user)
    if kind not in (Cart.DiscountKind.AMOUNT, Cart.DiscountKind.PERCENT):
        raise ServiceError('The discount kind is "amount" or "percent".', "invalid_discount")
    amount = _amount(value, "discount")
    if kind == Cart.DiscountKind.PERCENT and amount > 100:
        raise ServiceError("A percent discount is at most 100.", "discount_too_large")
    previous = (cart.discount_kind, cart.discount_value)
    cart.discount_kind, cart.discount_value = (kind, amount) if amount > 0 else ("", Decimal(0))
    view = priced_cart(cart)
    if (
        kind == Cart.DiscountKind.AMOUNT
        and amount > view.priced.subtotal - view.priced.line_discounts
    ):
        cart.discount_kind, cart.discount_value = previous
        raise ServiceError(
            f"The discount {amount} is more than the cart value "
            f"{view.priced.subtotal - view.priced.line_discounts}.",
            "discount_too_large",
        )
    cart.save(update_fields=["discount_kind", "discount_value", "updated_at"])
    return view


def clear_cart(*, cart: Cart) -> None:
    _editable(cart)
    with transaction.atomic():
        cart.lines.all().delete()
        cart.discount_kind, cart.discount_value = "", Decimal(0)
        cart.save(update_fields=["discount_kind", "discount_value", "updated_at"])


def park_cart(*, cart: Cart) -> Cart:
    """Set the cart aside (a customer forgot something); the cashier gets a fresh cart."""
    _editable(cart)
    if not cart.lines.exists():
        raise ServiceError("An empty cart cannot be parked.", "cart_empty")
    cart.status = Cart.Status.PARKED
    cart.save(update_fields=["status", "updated_at"])
    return cart


@transaction.atomic
def resume_cart(*, cart: Cart) -> Cart:
    """Bring a parked cart back. The current open cart is parked (or dropped when empty)."""
    if cart.status != Cart.Status.PARKED:
        raise ConflictError("Only a parked cart can be resumed.", "cart_not_parked")
    current = (
        Cart.objects.select_for_update()
        .filter(cashier=cart.cashier, register=cart.register, status=Cart.Status.OPEN)
        .first()
    )
    if current is not None:
        if current.lines.exists():
            current.status = Cart.Status.PARKED
            current.save(update_fields=["status", "updated_at"])
        else:
            current.delete()
    cart.status = Cart.Status.OPEN
    cart.save(update_fields=["status", "updated_at"])
    return cart


# --------------------------------------------------------------------------- checkout


@dataclass(frozen=True)
class PaymentRequest:
    """One tender as the client asked for it. Card details live only in memory."""

    method: str
    amount: Decimal
    card: CardDetails | None = None
    reference: str = ""


@dataclass(frozen=True)
class CheckoutResult:
    sale: Sale
    created: bool


@dataclass
class _CardCharge:
    request_index: int
    token: CardToken
    charge: Charge


def _parse_key(idempotency_key: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(idempotency_key))
    except (ValueError, AttributeError, TypeError):
        raise ServiceError(
            "The idempotency_key must be a UUID generated by the register.", "invalid_key"
        ) from None


def _existing_sale(key: uuid.UUID, cart: Cart) -> Sale | None:
    sale = Sale.objects.filter(idempotency_key=key).first()
    if sale is not None and sale.cart_id != cart.pk:
        raise ConflictError(
            "This idempotency key was already used for another sale.", "idempotency_key_reused"
        )
    return sale


def _next_number(prefix: str, name: str) -> str:
    """Gap-free numbering: the UPDATE locks the counter row until this transaction ends.

    One statement (UPDATE … RETURNING, on PostgreSQL and SQLite ≥ 3.35) instead of an update
    and a read, because it runs inside every checkout's write lock.
    """
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET value = value + 1 WHERE name = %s RETURNING value",  # noqa: S608  # nosec B608
            [name],
        )
        row = cursor.fetchone()
    if row is None:
        Counter.objects.create(name=name, value=1)
        row = (1,)
    return f"{prefix}-{row[0]:06d}"


def _decrement_stock(
    lines: list[CartLine], allow_negative: bool
) -> tuple[dict[int, int], dict[int, int]]:
    """Take the cart's quantities out of stock in one conditional UPDATE.

    Returns ({product_id: quantity sold}, {product_id: quantity left}). Products are locked in
    id order first, so two checkouts of overlapping carts queue up instead of deadlocking.
    Hand-written SQL because this one statement is the hot spot of every checkout: the ORM's
    CASE expression through django-money cost more than the rest of the stock work together,
    and RETURNING gives the new quantities without a second query.
    """
    wanted: dict[int, int] = {}
    for line in lines:
        wanted[line.product_id] = wanted.get(line.product_id, 0) + line.quantity
    ids = sorted(wanted)
    lock_products(ids)
    after = _take_stock(wanted, allow_negative)
    if len(after) != len(ids):
        left = dict(Product.objects.filter(pk__in=ids).values_list("pk", "quantity_on_hand"))
        names = {line.product_id: line.product.name for line in lines}
        pk = next((pk for pk in ids if left[pk] < wanted[pk]), ids[0])
        raise ConflictError(
            f"Only {max(left[pk], 0)} × {names[pk]} left in stock.", "insufficient_stock"
        )
    return wanted, after


def _take_stock(wanted: dict[int, int], allow_negative: bool) -> dict[int, int]:
    """UPDATE … SET quantity = quantity - n [WHERE quantity >= n] RETURNING the new quantities."""
    table = connection.ops.quote_name(Product._meta.db_table)
    case = "CASE id " + " ".join("WHEN %s THEN %s" for _ in wanted) + " END"
    pairs = [value for item in sorted(wanted.items()) for value in item]
    ids = sorted(wanted)
    sql = (
        f"UPDATE {table} SET quantity_on_hand = quantity_on_hand - {case} "  # noqa: S608  # nosec B608
        f"WHERE id IN ({', '.join(['%s'] * len(ids))})"
    )
    params = [*pairs, *ids]
    if not allow_negative:
        sql += f" AND quantity_on_hand >= {case}"
        params += pairs
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING id, quantity_on_hand", params)
        return dict(cursor.fetchall())


def _settle(view: PricedCartView, payments: Sequence[PaymentRequest]) -> pricing.Settlement:
    tenders = [pricing.TenderInput(method=p.method, amount=p.amount) for p in payments]
    try:
        return pricing.settle_tenders(view.priced.total, tenders, view.rules)
    except pricing.PricingError as error:
        raise ServiceError(error.message, error.code) from None


def _charge_cards(
    payments: Sequence[PaymentRequest], settlement: pricing.Settlement, currency: str, key: str
) -> list[_CardCharge]:
    gateway = payment_gateway()
    charges: list[_CardCharge] = []
    try:
        for index, payment in enumerate(payments):
            if payment.method != Payment.Method.CARD:
                continue
            if payment.card is None:
                raise ServiceError("Card details are missing for the card payment.", "card_missing")
            token = gateway.tokenize(payment.card)
            amount = settlement.tenders[index].applied
            charge = gateway.charge(token, amount, currency, f"{key}:{index}")
            charges.append(_CardCharge(index, token, charge))
    except ServiceError:
        _refund_charges(charges)
        raise
    return charges


def _refund_charges(charges: list[_CardCharge]) -> None:
    """Give back card money taken for a sale that could not be written (compensation)."""
    gateway = payment_gateway()
    for item in charges:
        try:
            gateway.refund(item.charge.reference, item.charge.amount, item.charge.currency)
        except Exception:  # the sale is already failing; a manager must settle this by hand
            logger.exception("Could not refund card charge %s", item.charge.reference)


def checkout_cart(
    *,
    cart: Cart,
    payments: Sequence[PaymentRequest],
    idempotency_key: object,
    user: AbstractBaseUser,
) -> CheckoutResult:
    """Turn the cart into a sale, all or nothing.

    Cards are charged first (outside the database transaction, so no row stays locked while a
    bank answers). Then one transaction re-prices the cart, takes the stock with a conditional
    update, numbers the sale and writes the sale, its lines, taxes, payments and stock movements.
    If that fails the card charges are refunded. The same idempotency key returns the same sale.
    The number of queries does not depend on the number of lines.
    """
    key = _parse_key(idempotency_key)
    existing = _existing_sale(key, cart)
    if existing is not None:
        return CheckoutResult(existing, created=False)
    _editable(cart)
    shift = current_shift_for_register(cart.register)
    store = current_store_settings()
    view = price_lines(cart, _sellable_lines(cart), store)
    settlement = _settle(view, payments)
    charges = _charge_cards(payments, settlement, view.rules.currency, str(key))
    try:
        with transaction.atomic():
            sale = _write_sale(shift, cart, view, settlement, payments, charges, key, user, store)
    except IntegrityError:
        _refund_charges(charges)
        existing = _existing_sale(key, cart)  # a double-click won the race: same sale
        if existing is None:
            raise
        return CheckoutResult(existing, created=False)
    except Exception:
        _refund_charges(charges)
        raise
    return CheckoutResult(sale, created=True)


def _sellable_lines(cart: Cart) -> list[CartLine]:
    from .selectors import cart_lines

    lines = cart_lines(cart)
    if not lines:
        raise ServiceError("The cart is empty: scan or pick a product first.", "cart_empty")
    for line in lines:
        if not line.product.is_active:
            raise ServiceError(
                f"{line.product.name} is no longer sold; remove it from the cart.",
                "inactive_product",
            )
    return lines


def _write_sale(
    shift: Shift,
    cart: Cart,
    view: PricedCartView,
    settlement: pricing.Settlement,
    payments: Sequence[PaymentRequest],
    charges: list[_CardCharge],
    key: uuid.UUID,
    user: AbstractBaseUser,
    store,
) -> Sale:
    closed = Cart.objects.filter(pk=cart.pk, status=Cart.Status.OPEN).update(
        status=Cart.Status.CHECKED_OUT
    )
    if not closed:
        raise ConflictError("This cart was already paid or parked.", "cart_not_open")
    hold_open_shift(shift)
    wanted, after = _decrement_stock(view.lines, store.allow_negative_stock)

    lines_by_pk = {line.pk: line for line in view.lines}
    sale = record_sale(
        key=key,
        cart=cart,
        user=user,
        register=cart.register,
        shift=shift,
        priced=view.priced,
        settlement=settlement,
        sold={pk: SoldProduct.of(line.product) for pk, line in lines_by_pk.items()},
        payments=payments,
        charges=charges,
        wanted=wanted,
        after=after,
    )
    # A sale only lowers stock, so only products now at or below their threshold can need an
    # alert; the common sale (nothing runs low) costs no alert query.
    thresholds = {line.product_id: line.product.low_stock_threshold for line in view.lines}
    sync_low_stock_alerts(
        {pk: (after[pk], thresholds[pk]) for pk in wanted if after[pk] <= thresholds[pk]}
    )
    return sale


@dataclass(frozen=True)
class SoldProduct:
    """What a sale line freezes of its product."""

    product_id: int
    name: str
    sku: str
    tax_rate_name: str

    @classmethod
    def of(cls, product: Product) -> SoldProduct:
        return cls(product.pk, product.name, product.sku, product.tax_rate.name)


def record_sale(
    *,
    key: uuid.UUID,
    cart: Cart | None,
    user: AbstractBaseUser,
    register,
    shift: Shift | None,
    priced: pricing.PricedCart,
    settlement: pricing.Settlement,
    sold: dict[object, SoldProduct],
    payments: Sequence[PaymentRequest],
    charges: list[_CardCharge],
    wanted: dict[int, int],
    after: dict[int, int],
    reason: str = "",
) -> Sale:
    """Write a priced, settled sale: the sale, its lines (keyed by `sold`), taxes, payments and
    stock movements, in a handful of statements. Checkout and offline sales both use it; the
    caller has taken the stock (`wanted` → `after`) and holds the transaction."""
    currency = priced.currency

    def money(amount: Decimal) -> Money:
        return Money(amount, currency)

    sale = Sale(
        number=_next_number("S", "sale"),
        idempotency_key=key,
        cart=cart,
        cashier=user,
        register=register,
        shift=shift,
        prices_include_tax=priced.prices_include_tax,
        subtotal=money(priced.subtotal),
        line_discounts=money(priced.line_discounts),
        cart_discount=money(priced.cart_discount),
        discount_total=money(priced.discount_total),
        tax_total=money(priced.tax_total),
        total=money(priced.total),
        cash_rounding=money(settlement.cash_rounding),
        amount_paid=money(settlement.amount_paid),
        change_given=money(settlement.change),
        item_count=sum(line.quantity for line in priced.lines),
    )
    insert_objects([sale])
    sale_lines = [
        SaleLine(
            sale=sale,
            product_id=sold[line.key].product_id,
            position=position,
            name=sold[line.key].name,
            sku=sold[line.key].sku,
            quantity=line.quantity,
            unit_price=money(line.unit_price),
            tax_rate=line.tax_rate,
            tax_rate_name=sold[line.key].tax_rate_name,
            gross=money(line.gross),
            discount=money(line.discount),
            cart_discount=money(line.cart_discount),
            total=money(line.total),
            tax=money(line.tax),
        )
        for position, line in enumerate(priced.lines, start=1)
    ]
    taxes = [
        SaleTax(sale=sale, rate=band.rate, taxable=money(band.taxable), tax=money(band.tax))
        for band in priced.tax_bands
    ]
    charge_by_index = {item.request_index: item for item in charges}
    gateway_name = payment_gateway().name if charges else ""
    sale_payments = [
        _payment_row(sale, index, request, applied, charge_by_index.get(index), money, gateway_name)
        for index, (request, applied) in enumerate(zip(payments, settlement.tenders, strict=True))
    ]
    movements = [
        StockMovement(
            product_id=pk,
            kind=StockMovement.Kind.SALE,
            quantity=-qty,
            resulting_quantity=after[pk],
            user=user,
            reason=reason,
            reference=sale.number,
            sale=sale,
        )
        for pk, qty in sorted(wanted.items())
    ]
    for rows in (sale_lines, taxes, sale_payments, movements):
        insert_objects(rows)
    _remember_rows(sale, lines=sale_lines, taxes=taxes, payments=sale_payments)
    return sale


def _remember_rows(sale: Sale, **rows: list) -> None:
    """Fill the sale's related managers with the rows just written, as `prefetch_related` would,
    so the receipt and the API answer without reading back what this transaction wrote."""
    cache = getattr(sale, "_prefetched_objects_cache", {})
    for name, objects in rows.items():
        queryset = getattr(sale, name).all()
        queryset._result_cache = objects
        queryset._prefetch_done = True
        cache[name] = queryset
    sale._prefetched_objects_cache = cache


def _payment_row(sale, index, request, applied, card_charge, money, gateway_name) -> Payment:
    payment = Payment(
        sale=sale,
        position=index + 1,
        method=request.method,
        tendered=money(applied.tendered),
        amount=money(applied.applied),
        change=money(applied.change),
        reference=request.reference[:100],
    )
    if card_charge is not None:
        token = card_charge.token
        payment.reference = card_charge.charge.reference
        payment.card_brand = token.brand
        payment.card_last4 = token.last4
        payment.card_exp_month = token.exp_month
        payment.card_exp_year = token.exp_year
        payment.gateway = gateway_name
        payment.gateway_token = token.token
    return payment


__all__ = [
    "CheckoutResult",
    "PaymentDeclined",
    "PaymentRequest",
    "add_to_cart",
    "cart_for_user",
    "checkout_cart",
    "clear_cart",
    "open_cart",
    "park_cart",
    "remove_line",
    "resume_cart",
    "set_cart_discount",
    "set_line_discount",
    "set_line_quantity",
]
