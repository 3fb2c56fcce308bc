"""Store-wide settings every other app reads: currency, locale, tax mode, shop details."""

from __future__ import annotations

from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

CASH_ROUNDING_CHOICES = [
    (Decimal("0.01"), "No rounding (0.01)"),
    (Decimal("0.05"), "To 0.05"),
    (Decimal("0.10"), "To 0.10"),
    (Decimal("0.50"), "To 0.50"),
    (Decimal("1.00"), "To 1.00"),
]


def validate_locale(value: str) -> None:
    try:
        Locale.parse(value)
    except (ValueError, UnknownLocaleError):
        raise ValidationError(
            f"“{value}” is not a known locale; use e.g. en_US, fr_FR or de_CH."
        ) from None


# Every money column (prices, sale lines, payments) keeps 2 decimals.
MAX_CURRENCY_PLACES = 2


def validate_currency(value: str) -> None:
    if value not in list_currencies():
        raise ValidationError(f"“{value}” is not an ISO 4217 currency code such as USD or EUR.")
    from pos.pricing import currency_places

    places = currency_places(value)
    if places > MAX_CURRENCY_PLACES:
        raise ValidationError(
            f"{value} has {places} decimals (e.g. 1.{'2345'[:places]}), but amounts are stored "
            f"with at most {MAX_CURRENCY_PLACES}: choose a currency with 0 to "
            f"{MAX_CURRENCY_PLACES} decimals."
        )


@register_setting(icon="site")
class StoreSettings(BaseSiteSetting):
    # Shop details, printed on every receipt.
    store_name = models.CharField(max_length=100, default="Corner Shop")
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    tax_number = models.CharField("tax / VAT number", max_length=40, blank=True)
    website = models.URLField(blank=True)

    # Money rules, applied by pos/pricing.py.
    currency = models.CharField(
        max_length=3,
        default=settings.POS_DEFAULT_CURRENCY,
        validators=[validate_currency],
        help_text="ISO 4217 code. Every price in the catalog is in this currency.",
    )
    locale = models.CharField(
        max_length=20,
        default=settings.POS_DEFAULT_LOCALE,
        validators=[validate_locale],
        help_text="How amounts and dates are written, e.g. en_US, fr_FR, de_CH.",
    )
    prices_include_tax = models.BooleanField(
        default=False,
        help_text="On: shelf prices include tax (VAT style). Off: tax is added at the till.",
    )
    tax_per_line = models.BooleanField(
        default=True,
        help_text="On: tax is rounded on each line. "
        "Off: tax is computed once per rate on the whole sale.",
    )
    cash_rounding = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        choices=CASH_ROUNDING_CHOICES,
        default=Decimal("0.01"),
        help_text="Cash payments are rounded to this step (card payments never are).",
    )
    allow_negative_stock = models.BooleanField(
        default=False,
        help_text="On: sell even when the system shows no stock left (stock goes below zero).",
    )

    panels = []
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("store_name"),
                    FieldPanel("address"),
                    MultiFieldPanel(
                        [FieldPanel("phone"), FieldPanel("tax_number"), FieldPanel("website")],
                        heading="Contact",
                    ),
                ],
                heading="Shop details",
            ),
            ObjectList(
                [
                    FieldPanel("currency"),
                    FieldPanel("locale"),
                    FieldPanel("prices_include_tax"),
                    FieldPanel("tax_per_line"),
                    FieldPanel("cash_rounding"),
                    FieldPanel("allow_negative_stock"),
                ],
                heading="Money and stock",
            ),
        ]
    )

    class Meta:
        verbose_name = "store settings"
        verbose_name_plural = "store settings"

    def __str__(self) -> str:
        return self.store_name

    def clean(self) -> None:
        super().clean()
        if self.pk:
            previous = type(self).objects.filter(pk=self.pk).values_list("currency", flat=True)
            if previous and previous[0] != self.currency and _catalog_has_prices():
                raise ValidationError(
                    {
                        "currency": "The catalog already has prices in "
                        f"{previous[0]}; the currency cannot change while products exist."
                    }
                )


def _catalog_has_prices() -> bool:
    from django.apps import apps

    return apps.get_model("catalog", "Product").objects.exists()
