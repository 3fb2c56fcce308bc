"""Receipt templates: the layout choices a merchandiser makes in the Wagtail admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import PreviewableMixin

from .placeholders import allowed_list, validate_placeholders

RICH_TEXT_FEATURES = ["bold", "italic"]


class ReceiptTemplate(PreviewableMixin, models.Model):
    """How receipts look. Exactly one template is the default and is used for every receipt."""

    class Paper(models.TextChoices):
        MM58 = "58mm", "58 mm thermal roll"
        MM80 = "80mm", "80 mm thermal roll"
        A4 = "a4", "A4 sheet"

    class Code(models.TextChoices):
        NONE = "", "None"
        CODE128 = "code128", "Barcode (Code 128)"
        QR = "qr", "QR code"

    class FontSize(models.IntegerChoices):
        SMALL = 8, "Small (8 pt)"
        NORMAL = 9, "Normal (9 pt)"
        LARGE = 10, "Large (10 pt)"
        X_LARGE = 12, "Extra large (12 pt)"

    name = models.CharField(max_length=80, unique=True)
    is_default = models.BooleanField(
        "default template",
        default=False,
        help_text="Used for every receipt. Making this the default un-sets the previous one.",
    )
    paper = models.CharField(max_length=8, choices=Paper.choices, default=Paper.MM80)
    font_size = models.PositiveSmallIntegerField(choices=FontSize.choices, default=FontSize.NORMAL)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Printed above the shop's name; a wide, high-contrast logo prints best.",
    )
    header = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="Printed under the shop's details. Bold, italic and line breaks (Shift+Enter).",
    )
    footer = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="Printed at the very end, e.g. the returns policy.",
    )
    thank_you_message = models.CharField(
        max_length=200,
        blank=True,
        default="Thank you for shopping at {store_name}!",
        help_text="Placeholders: " + allowed_list() + ".",
    )
    show_tax_breakdown = models.BooleanField("tax breakdown per rate", default=True)
    show_cashier = models.BooleanField("cashier's name", default=True)
    show_register = models.BooleanField("register", default=True)
    show_payment_details = models.BooleanField(
        "payment details",
        default=True,
        help_text="Card brand and last four digits, authorization reference, cash tendered.",
    )
    show_sku = models.BooleanField("item SKUs", default=False)
    code = models.CharField(
        "sale number code",
        max_length=8,
        choices=Code.choices,
        default=Code.CODE128,
        blank=True,
        help_text="A scannable code of the sale number, for returns.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("is_default")]),
        FieldRowPanel([FieldPanel("paper"), FieldPanel("font_size")]),
        FieldPanel("logo"),
        FieldPanel("header"),
        FieldPanel("thank_you_message"),
        FieldPanel("footer"),
        MultiFieldPanel(
            [
                FieldPanel("show_tax_breakdown"),
                FieldPanel("show_cashier"),
                FieldPanel("show_register"),
                FieldPanel("show_payment_details"),
                FieldPanel("show_sku"),
                FieldPanel("code"),
            ],
            heading="What the receipt shows",
        ),
    ]

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_receipt_template",
                violation_error_message="Only one receipt template can be the default.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (default)" if self.is_default else self.name

    def clean(self) -> None:
        super().clean()
        try:
            validate_placeholders(self.thank_you_message)
        except ValidationError as error:
            raise ValidationError({"thank_you_message": error}) from None
        if self.pk and not self.is_default:
            was_default = type(self).objects.filter(pk=self.pk, is_default=True).exists()
            if was_default:
                raise ValidationError(
                    {
                        "is_default": "There must always be a default template: make another "
                        "template the default instead."
                    }
                )

    def validate_constraints(self, exclude=None) -> None:
        # save() hands the default flag over; the unique index is the database's safety net and
        # must not make "make this the default" fail validation while the old default exists.
        super().validate_constraints(exclude={*(exclude or ()), "is_default"})

    def save(self, *args, **kwargs) -> None:
        # Hand the default flag over in the same transaction, so the partial unique index
        # never sees two defaults and readers never see none.
        with transaction.atomic():
            if self.is_default:
                type(self).objects.filter(is_default=True).exclude(pk=self.pk).update(
                    is_default=False
                )
            elif not type(self).objects.filter(is_default=True).exclude(pk=self.pk).exists():
                self.is_default = True  # the first template is the default
            super().save(*args, **kwargs)

    # ------------------------------------------------------------------ live preview

    @property
    def preview_modes(self):
        return [("", "Receipt"), ("pdf", "PDF"), ("text", "Plain text")]

    @property
    def preview_sizes(self):
        return [
            {"name": "roll", "icon": "mobile-alt", "device_width": 420, "label": "Receipt roll"},
            {"name": "sheet", "icon": "desktop", "device_width": 900, "label": "A4 sheet"},
        ]

    def serve_preview(self, request, mode_name):
        from . import views

        return views.preview_response(request, self, mode_name)
