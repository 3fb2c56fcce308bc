"""Business rules of the catalog: what a valid product is, shared by admin, import and API."""

from __future__ import annotations

from decimal import Decimal

from catalog.models import Product
from pos.pricing import currency_places
from store.selectors import current_store_settings


def _places(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def product_validation_errors(product: Product) -> dict[str, str]:
    """Every rule a product must keep, as {field: message}; empty when the product is valid.

    Field validators (lengths, barcode check digit) run in `full_clean()`; these are the
    rules that need the store settings or other rows.
    """
    store = current_store_settings()
    errors: dict[str, str] = {}
    for field in ("price", "cost_price"):
        money = getattr(product, field)
        if money is None:
            continue
        label = "price" if field == "price" else "cost price"
        if money.amount < 0:
            errors[field] = f"The {label} cannot be negative."
        elif _places(money.amount) > currency_places(store.currency):
            errors[field] = (
                f"The {label} has too many decimals for {store.currency} "
                f"(at most {currency_places(store.currency)})."
            )
        elif str(money.currency) != store.currency:
            errors[field] = f"The {label} must be in the store currency, {store.currency}."
    if product.quantity_on_hand is not None and product.quantity_on_hand < 0:
        if not store.allow_negative_stock:
            errors["quantity_on_hand"] = (
                "Stock cannot be below zero (the store does not allow negative stock)."
            )
    if product.sku:
        clash = Product.objects.filter(sku__iexact=product.sku.strip())
        if product.pk:
            clash = clash.exclude(pk=product.pk)
        if clash.exists():
            errors["sku"] = "Another product already has this SKU."
    return errors
