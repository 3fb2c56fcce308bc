from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.text import slugify
from djmoney.models.fields import MoneyField
from wagtail.fields import RichTextField
from wagtail.models import RevisionMixin

from .validators import validate_barcode

NAME_MAX_LENGTH = 200


class Category(RevisionMixin, models.Model):
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
            self.slug = unique_slug(Category, self.name, max_length=120, fallback="category")
        super().save(*args, **kwargs)


def unique_slug(model, name: str, *, max_length: int, fallback: str, hint: str = "") -> str:
    """`slugify(name)`, made unique in `model` with `-<hint>` or a number (one query)."""
    base = slugify(name)[: max_length - 12] or fallback
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidates = [base]
    if hint:
        candidates.append(f"{base}-{slugify(hint)[:10]}")
    candidates += [f"{base}-{n}" for n in range(2, len(taken) + 3)]
    return next(slug for slug in candidates if slug not in taken)


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


class Product(RevisionMixin, models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    slug = models.SlugField(
        max_length=220,
        unique=True,
        blank=True,
        error_messages={"unique": "Another product already has this slug."},
        help_text="Used in web addresses; filled in from the name when left empty.",
    )
    sku = models.CharField("SKU", max_length=64, help_text="Your own unique product code.")
    barcode = models.CharField(
        max_length=13,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_barcode],
        error_messages={"unique": "Another product already has this barcode."},
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

    # Not a Wagtail-search `index.Indexed` model on purpose: the admin listing, the chooser
    # and the API all search with the ORM (`catalog.selectors.search_products`), so they
    # agree, find SKU prefixes, and need no index kept in step with bulk CSV imports.

    class Meta:
        ordering = ["name", "id"]  # id breaks ties, so pages never repeat or skip a product
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
            # The back office lists every product by name: without this, the first page of
            # 100,000 products would sort them all.
            models.Index(fields=["name", "id"], name="product_name_id"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_low_stock(self) -> bool:
        return self.quantity_on_hand <= self.low_stock_threshold

    def clean_fields(self, exclude=None) -> None:
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            # clean() reports too many decimals with the store currency's own rule (JPY has
            # none, BHD three); drop the field's generic "no more than 2 decimal places" twin.
            errors = {
                field: [
                    e
                    for e in messages
                    if not (field in MONEY_FIELDS and e.code == "max_decimal_places")
                ]
                for field, messages in error.error_dict.items()
            }
            errors = {field: messages for field, messages in errors.items() if messages}
            if errors:
                raise ValidationError(errors) from None

    def clean(self) -> None:
        from .services import product_validation_errors

        errors = product_validation_errors(self)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values):
        product = super().from_db(db, field_names, values)
        product._stored_quantity = product.__dict__.get("quantity_on_hand")
        return product

    def save(self, *args, **kwargs) -> None:
        if not self.barcode:
            self.barcode = None  # NULL, not "", so that many products may have no barcode
        if not self.slug:
            self.slug = unique_product_slug(self.name, self.sku)
        # For post_save listeners (inventory): the stock before this save, None when new.
        self.previous_quantity_on_hand = (
            None if self._state.adding else getattr(self, "_stored_quantity", None)
        )
        existing = not self._state.adding and not kwargs.get("force_insert")
        if existing:
            # Stock on an existing product moves only through the inventory services
            # (conditional UPDATEs that write a stock movement). A save never writes it: a
            # stale instance, a form or a reverted revision would otherwise put back an old
            # figure with no movement, and stock would no longer be the sum of movements.
            kwargs["update_fields"] = self._fields_to_save(kwargs.get("update_fields"))
            # In step with the database (a sale may have moved it since this was loaded), for
            # the post_save listeners (low-stock alerts), the revision and the caller.
            stored = type(self).objects.filter(pk=self.pk).values_list("quantity_on_hand")
            self.quantity_on_hand = next(iter(stored), (self.quantity_on_hand,))[0]
        super().save(*args, **kwargs)
        self._stored_quantity = self.quantity_on_hand

    def _fields_to_save(self, update_fields) -> list[str]:
        """`update_fields` (every loaded field when None) without `quantity_on_hand`."""
        if update_fields is None:
            deferred = self.get_deferred_fields()
            update_fields = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname not in deferred
            ]
        return [name for name in update_fields if name != "quantity_on_hand"]


MONEY_FIELDS = ("price", "cost_price")


def sku_equals(sku: str) -> Exact:
    """`LOWER(sku) = LOWER(%s)`: the form the unique index on LOWER(sku) serves on both
    SQLite and PostgreSQL (`sku__iexact` is a LIKE/UPPER() that never uses it)."""
    return Exact(Lower("sku"), Lower(Value(sku)))


def unique_product_slug(name: str, sku: str) -> str:
    return unique_slug(Product, name, max_length=220, fallback="product", hint=sku)


class ProductImport(models.Model):
    """A CSV file uploaded for import, kept between the dry-run preview and "Confirm import".

    Kept in the database (not in a temporary file or the session) so that the confirmation
    works whichever server process answers it, and as a record of who imported what.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"
