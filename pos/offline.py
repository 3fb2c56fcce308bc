"""Sales rung up while the register was offline, accepted exactly once when they sync.

The register prices an offline sale with `static/pos/pricing.js` (the port of `pos/pricing.py`
checked against shared vectors), takes cash or another non-card tender, prints a receipt with a
provisional number and queues the sale in the browser under a UUID it generated. When the
server is reachable the queue is sent here, in order, one sale per request:

- **Exactly once.** The UUID is the sale's idempotency key: a retry, a second tab or a second
  device sending it again gets the same sale back (200). The same UUID with different content is
  refused (409), never merged. Concurrent duplicates race on the unique key; the loser's
  transaction rolls back and it answers with the winner's sale.
- **Re-priced here.** The sale is recorded at the prices the customer was charged (the unit
  prices, discounts and tax rates the register used), computed again by `pos/pricing.py`; the
  register's own total must agree to the cent. The same cart at today's catalog prices is
  computed too, and any difference is flagged for a manager.
- **The goods are gone.** Stock is taken even below zero (a low-stock alert is raised) and a
  product deactivated meanwhile is still recorded; both flag the sale for review.
- **No card offline.** Card payments need the gateway online, and the configured gateway has
  no store-and-forward; a card tender is refused with the reason.

Bad input answers 400/403/404/409 and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from djmoney.money import Money

from catalog.models import Product
from pos_site.errors import ConflictError, NotFoundError, PermissionDeniedError, ServiceError
from store.selectors import current_store_settings

from . import pricing
from .inventory import lock_products, sync_low_stock_alerts
from .models import OfflineSale, Payment, Register, Sale
from .payments import payment_gateway
from .selectors import hold_open_shift, open_shift_of, pricing_rules
from .services import SoldProduct, _take_stock, record_sale

MAX_LINES = 200


@dataclass(frozen=True)
class OfflineLine:
    product_id: int
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal
    discount: Decimal = Decimal(0)


@dataclass(frozen=True)
class OfflineTender:
    method: str
    amount: Decimal
    reference: str = ""


@dataclass(frozen=True)
class OfflineSaleRequest:
    """One queued sale as the register sent it."""

    client_id: uuid.UUID
    provisional_number: str
    register_id: int
    sold_at: datetime | None
    lines: Sequence[OfflineLine]
    cart_discount: pricing.CartDiscount | None
    payments: Sequence[OfflineTender]
    client_total: Decimal

    def fingerprint(self) -> str:
        """A digest of everything the register decided, to tell a replay from a reused key."""
        content = {
            "provisional_number": self.provisional_number,
            "register": self.register_id,
            "lines": [
                [
                    line.product_id,
                    line.quantity,
                    str(line.unit_price),
                    str(line.tax_rate),
                    str(line.discount),
                ]
                for line in self.lines
            ],
            "cart_discount": None
            if self.cart_discount is None
            else [self.cart_discount.kind, str(self.cart_discount.value)],
            "payments": [[p.method, str(p.amount), p.reference] for p in self.payments],
            "total": str(self.client_total),
        }
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class OfflineSaleResult:
    sale: Sale
    offline: OfflineSale
    created: bool


def gateway_stores_and_forwards() -> bool:
    """Whether the configured card gateway can take a card offline and charge it later."""
    return bool(getattr(payment_gateway(), "supports_store_and_forward", False))


def record_offline_sale(
    *, request: OfflineSaleRequest, user: AbstractBaseUser
) -> OfflineSaleResult:
    """Record a sale made offline, exactly once per client UUID (see the module docstring)."""
    fingerprint = request.fingerprint()
    existing = _existing(request.client_id, fingerprint)
    if existing is not None:
        return OfflineSaleResult(existing.sale, existing, created=False)
    _check_request(request, user)
    register = Register.objects.filter(pk=request.register_id).first()
    if register is None:
        raise NotFoundError("This register does not exist.", "unknown_register")
    products = _products(request.lines)
    rules = pricing_rules(current_store_settings())
    charged = _price(request, rules, products, catalog=False)
    try:
        catalog = _price(request, rules, products, catalog=True)
    except pricing.PricingError:  # the catalog changed so much the cart cannot be priced
        catalog = None
    try:
        settlement = pricing.settle_tenders(
            charged.total,
            [pricing.TenderInput(method=p.method, amount=p.amount) for p in request.payments],
            rules,
        )
    except pricing.PricingError as error:
        raise ServiceError(error.message, error.code) from None
    try:
        with transaction.atomic():
            offline = _write(
                request, user, register, products, rules, charged, catalog, settlement, fingerprint
            )
    except IntegrityError:
        existing = _existing(request.client_id, fingerprint)  # a duplicate won the race
        if existing is None:
            raise
        return OfflineSaleResult(existing.sale, existing, created=False)
    return OfflineSaleResult(offline.sale, offline, created=True)


def _existing(client_id: uuid.UUID, fingerprint: str) -> OfflineSale | None:
    sale = Sale.objects.filter(idempotency_key=client_id).first()
    if sale is None:
        return None
    offline = OfflineSale.objects.filter(sale=sale).select_related("sale").first()
    if offline is None or offline.fingerprint != fingerprint:
        raise ConflictError(
            "This sale's id was already used for a different sale; it was not recorded again.",
            "idempotency_key_reused",
        )
    return offline


def _check_request(request: OfflineSaleRequest, user: AbstractBaseUser) -> None:
    if not request.lines:
        raise ServiceError("An offline sale needs at least one line.", "cart_empty")
    if len(request.lines) > MAX_LINES:
        raise ServiceError(f"An offline sale has at most {MAX_LINES} lines.", "too_many_lines")
    if len({line.product_id for line in request.lines}) != len(request.lines):
        raise ServiceError("Each product may appear on one line only.", "duplicate_line")
    if any(p.method == Payment.Method.CARD for p in request.payments) and (
        not gateway_stores_and_forwards()
    ):
        raise ServiceError(
            "Card payments cannot be taken offline: the card gateway must approve them while "
            "the register is online. Take cash or another payment.",
            "card_offline",
        )
    discounted = request.cart_discount is not None or any(line.discount for line in request.lines)
    if discounted and not user.has_perm("pos.apply_discount"):
        raise PermissionDeniedError(
            "Your role cannot give discounts; ask a manager.", "discount_not_allowed"
        )


def _products(lines: Sequence[OfflineLine]) -> dict[int, Product]:
    ids = [line.product_id for line in lines]
    products = Product.objects.select_related("tax_rate").in_bulk(ids)
    missing = [pk for pk in ids if pk not in products]
    if missing:
        raise NotFoundError(f"Product {missing[0]} does not exist.", "unknown_product")
    return products


def _price(
    request: OfflineSaleRequest,
    rules: pricing.PricingRules,
    products: dict[int, Product],
    *,
    catalog: bool,
) -> pricing.PricedCart:
    """The cart at the prices charged offline, or at today's catalog prices."""
    inputs = []
    for index, line in enumerate(request.lines):
        product = products[line.product_id]
        price = product.price.amount if catalog else line.unit_price
        discount = min(line.discount, price * line.quantity) if catalog else line.discount
        inputs.append(
            pricing.LineInput(
                key=index,
                unit_price=price,
                quantity=line.quantity,
                tax_rate=product.tax_rate.rate if catalog else line.tax_rate,
                discount=discount,
            )
        )
    cart_discount = request.cart_discount
    if catalog and cart_discount is not None and cart_discount.kind == "amount":
        available = sum((i.unit_price * i.quantity - i.discount for i in inputs), Decimal(0))
        cart_discount = pricing.CartDiscount("amount", min(cart_discount.value, available))
    try:
        return pricing.price_cart(inputs, rules, cart_discount)
    except pricing.PricingError as error:
        if catalog:  # the catalog cannot make a sale that was valid offline unpriceable
            raise
        raise ServiceError(error.message, error.code) from None


def _review_reasons(
    request: OfflineSaleRequest,
    products: dict[int, Product],
    charged: pricing.PricedCart,
    catalog: pricing.PricedCart | None,
    negative: list[Product],
    shift_open: bool,
) -> list[str]:
    reasons = []
    if charged.total != request.client_total:
        reasons.append(f"The register computed {request.client_total}, the server {charged.total}.")
    for line in request.lines:
        product = products[line.product_id]
        if line.unit_price != product.price.amount:
            reasons.append(
                f"{product.name}: sold at {line.unit_price}, catalog price {product.price.amount}."
            )
        if line.tax_rate != product.tax_rate.rate:
            reasons.append(
                f"{product.name}: taxed at {line.tax_rate} %, "
                f"catalog rate {product.tax_rate.rate} %."
            )
        if not product.is_active:
            reasons.append(f"{product.name} is no longer sold.")
    if catalog is None:
        reasons.append("The cart cannot be priced at today's catalog prices.")
    elif charged.total != catalog.total:
        reasons.append(f"Charged {charged.total}; at catalog prices {catalog.total}.")
    for product in negative:
        reasons.append(f"{product.name}: stock went below zero.")
    if not shift_open:
        reasons.append("No shift was open on the register when the sale arrived.")
    return reasons


def _write(
    request: OfflineSaleRequest,
    user: AbstractBaseUser,
    register: Register,
    products: dict[int, Product],
    rules: pricing.PricingRules,
    charged: pricing.PricedCart,
    catalog: pricing.PricedCart | None,
    settlement: pricing.Settlement,
    fingerprint: str,
) -> OfflineSale:
    shift = open_shift_of(register)
    if shift is not None:
        try:
            hold_open_shift(shift)
        except ConflictError:  # closed a moment ago: the sale is recorded outside any shift
            shift = None

    wanted: dict[int, int] = {}
    for line in request.lines:
        wanted[line.product_id] = wanted.get(line.product_id, 0) + line.quantity
    lock_products(wanted)
    after = _take_stock(wanted, allow_negative=True)  # the goods already left the shop
    negative = [products[pk] for pk in sorted(after) if after[pk] < 0]

    def money(amount: Decimal) -> Money:
        return Money(amount, rules.currency)

    sale = record_sale(
        key=request.client_id,
        cart=None,
        user=user,
        register=register,
        shift=shift,
        priced=charged,
        settlement=settlement,
        sold={
            index: SoldProduct.of(products[line.product_id])
            for index, line in enumerate(request.lines)
        },
        payments=request.payments,
        charges=[],
        wanted=wanted,
        after=after,
        reason="Offline sale",
    )
    sync_low_stock_alerts({pk: (after[pk], products[pk].low_stock_threshold) for pk in wanted})
    reasons = _review_reasons(request, products, charged, catalog, negative, shift is not None)
    offline = OfflineSale.objects.create(
        sale=sale,
        client_id=request.client_id,
        provisional_number=request.provisional_number,
        fingerprint=fingerprint,
        sold_at=request.sold_at,
        client_total=money(request.client_total),
        catalog_total=money(charged.total if catalog is None else catalog.total),
        price_difference=money(Decimal(0) if catalog is None else charged.total - catalog.total),
        needs_review=bool(reasons),
        review_reasons=reasons,
        negative_stock=bool(negative),
    )
    return offline
