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
