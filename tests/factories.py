"""Small builders for test data (plain functions; no factory library needed)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from djmoney.money import Money

from catalog.models import Category, Product, TaxRate
from catalog.validators import with_check_digit

_numbers = itertools.count(1)


def tax_rate(name: str = "Standard", rate: str = "8.25") -> TaxRate:
    return TaxRate.objects.get_or_create(name=name, defaults={"rate": Decimal(rate)})[0]


def category(name: str = "Coffee") -> Category:
    return Category.objects.get_or_create(name=name)[0]


def product(
    name: str | None = None,
    price: str = "10.00",
    stock: int = 50,
    *,
    rate: TaxRate | None = None,
    barcode: str | None = "auto",
    threshold: int = 5,
    active: bool = True,
    cost: str | None = None,
    currency: str = "USD",
) -> Product:
    n = next(_numbers)
    return Product.objects.create(
        name=name or f"Product {n}",
        sku=f"TST-{n:05d}",
        barcode=with_check_digit(f"{990000000000 + n:012d}") if barcode == "auto" else barcode,
        price=Money(Decimal(price), currency),
        cost_price=Money(Decimal(cost), currency) if cost else None,
        tax_rate=rate or tax_rate(),
        quantity_on_hand=stock,
        low_stock_threshold=threshold,
        category=category(),
        is_active=active,
    )


def open_shift(user, register=None, opening_float: str = "100.00"):
    """An open shift on the register (Register 1 by default), as a cashier would open it."""
    from pos.models import Register
    from pos.shifts import open_shift as open_shift_service

    register = register or Register.objects.order_by("pk").first()
    return open_shift_service(user=user, register=register, opening_float=opening_float)


VISA = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}


def sale(user, *items, payments=None, register=None):
    """A completed sale through the real services: items are (product, quantity) pairs.

    `payments` is a list of (method, amount) pairs; by default the exact amount in cash. An
    amount of None is the rest of the total (a split payment). The register must have an
    open shift.
    """
    import uuid

    from pos import services
    from pos.payments import CardDetails
    from pos.selectors import priced_cart

    cart, _ = services.open_cart(user=user, register=register)
    for item, quantity in items:
        services.add_to_cart(cart=cart, product_id=item.pk, quantity=quantity)
    if payments is None:
        payments = [("cash", priced_cart(cart).cash_due)]
    if any(amount is None for _, amount in payments):
        rest = priced_cart(cart).priced.total - sum(
            Decimal(str(a)) for _, a in payments if a is not None
        )
        payments = [(method, rest if amount is None else amount) for method, amount in payments]
    requests = [
        services.PaymentRequest(
            method=method,
            amount=Decimal(str(amount)),
            card=CardDetails(**VISA) if method == "card" else None,
        )
        for method, amount in payments
    ]
    return services.checkout_cart(
        cart=cart, payments=requests, idempotency_key=uuid.uuid4(), user=user
    ).sale
