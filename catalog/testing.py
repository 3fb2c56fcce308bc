"""Builders for catalog test data (tests and benchmarks); plain functions, no factory library."""

from __future__ import annotations

import itertools
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.core.files.images import ImageFile
from djmoney.money import Money
from PIL import Image as PILImage
from wagtail.images import get_image_model

from catalog.models import Category, Product, TaxRate
from catalog.validators import with_check_digit

_numbers = itertools.count(1)


def make_tax_rate(name: str = "Standard", rate: str = "8.25") -> TaxRate:
    return TaxRate.objects.get_or_create(name=name, defaults={"rate": Decimal(rate)})[0]


def make_category(name: str = "Coffee", **extra) -> Category:
    return Category.objects.get_or_create(name=name, defaults=extra)[0]


def barcode_for(number: int, length: int = 13) -> str:
    """A valid barcode (right check digit) built from a number: EAN-13 by default."""
    return with_check_digit(f"{number:0{length - 1}d}"[-(length - 1) :])


def make_image(title: str = "Product photo", colour: str = "#c27c0e"):
    buffer = BytesIO()
    PILImage.new("RGB", (320, 240), colour).save(buffer, format="PNG")
    image = get_image_model()(title=title, file=ImageFile(buffer, name="photo.png"))
    image.save()
    return image


def make_product(**values) -> Product:
    """A valid, saved product; any field can be overridden (`price="2.50"` works too)."""
    n = next(_numbers)
    fields = {
        "name": f"Product {n}",
        "sku": f"SKU-{n:05d}",
        "barcode": barcode_for(770_000_000_000 + n),
        "price": "10.00",
        "tax_rate": None,
        "category": None,
        "quantity_on_hand": 50,
        "low_stock_threshold": 5,
    }
    fields.update(values)
    for money in ("price", "cost_price"):
        if isinstance(fields.get(money), (str, int, Decimal)):
            fields[money] = Money(Decimal(str(fields[money])), settings.POS_DEFAULT_CURRENCY)
    fields["tax_rate"] = fields["tax_rate"] or make_tax_rate()
    return Product.objects.create(**fields)
