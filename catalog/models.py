from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.text import slugify
from djmoney.models.fields import MoneyField
from wagtail.fields import RichTextField
from wagtail.models import RevisionMixin
from wagtail.search import index

from .validators import validate_barcode

NAME_MAX_LENGTH = 200


class Category(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    ordering = models.IntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["ordering", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "A category cannot be inside itself."})
            ancestor = ancestor.parent

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:120] or "category"
        super().save(*args, **kwargs)


class TaxRate(models.Model):
    name = models.CharField(max_length=50, unique=True)
    rate = models.DecimalField(
        "rate (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Percentage, e.g. 8.25 for 8.25 %.",
    )

    class Meta:
        ordering = ["rate", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate__gte=0, rate__lte=100),
                name="taxrate_rate_between_0_and_100",
                violation_error_message="A tax rate is between 0 and 100 %.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.rate.normalize():f} %)"


class Product(RevisionMixin, index.Indexed, models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=220, unique=True, blank=True)
    sku = models.CharField("SKU", max_length=64, help_text="Your own unique product code.")
    barcode = models.CharField(
        max_length=13,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_barcode],
        help_text="EAN-13, EAN-8 or UPC-A, as printed under the bars.",
    )
    description = RichTextField(blank=True, features=["bold", "italic", "link", "ul", "ol"])
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    price = MoneyField(
        max_digits=12,
        decimal_places=2,
        default_currency=settings.POS_DEFAULT_CURRENCY,
        help_text="Shelf price.",
    )
    cost_price = MoneyField(
        max_digits=12,
        decimal_places=2,
        default_currency=settings.POS_DEFAULT_CURRENCY,
        null=True,
        blank=True,
        help_text="What the shop pays the supplier (for margin reports). Optional.",
    )
    tax_rate = models.ForeignKey(TaxRate, on_delete=models.PROTECT, related_name="products")
    quantity_on_hand = models.IntegerField(default=0)
    low_stock_threshold = models.PositiveIntegerField(
        default=5, help_text="Warn when stock falls to this number or below."
    )
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive products are hidden from the register."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("sku"),
        index.SearchField("barcode"),
        index.FilterField("is_active"),
        index.FilterField("category"),
    ]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("sku"),
                name="product_sku_unique_ci",
                violation_error_message="Another product already has this SKU.",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="product_price_not_negative",
                violation_error_message="The price cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(cost_price__isnull=True) | models.Q(cost_price__gte=0),
                name="product_cost_price_not_negative",
                violation_error_message="The cost price cannot be negative.",
            ),
        ]
        indexes = [
            models.Index(fields=["is_active", "name"], name="product_active_name"),
            models.Index(fields=["category", "is_active"], name="product_category_active"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_low_stock(self) -> bool:
        return self.quantity_on_hand <= self.low_stock_threshold

    def clean(self) -> None:
        from .services import product_validation_errors

        errors = product_validation_errors(self)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        if not self.barcode:
            self.barcode = None  # NULL, not "", so that many products may have no barcode
        if not self.slug:
            self.slug = unique_product_slug(self.name, self.sku)
        super().save(*args, **kwargs)


def unique_product_slug(name: str, sku: str) -> str:
    base = slugify(name)[:180] or "product"
    slug = base
    if Product.objects.filter(slug=slug).exists():
        slug = f"{base}-{slugify(sku)[:30]}"
    return slug
