"""Forms of the admin's stock screens: receive (one product or a delivery), adjust, count.

The forms only check the shape of the input; the pos.inventory services decide (permissions,
stock that cannot go below zero) and their refusals are shown on the form.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from catalog.models import Product

from .inventory import ADJUSTMENT_REASONS, MAX_MOVE

REASON_LABELS = {
    "damaged": "Damaged",
    "theft": "Theft or loss",
    "correction": "Correction (miscount, wrong delivery…)",
    "expired": "Expired",
    "other": "Other (say why in the note)",
}
BATCH_ROWS = 5
MAX_ROWS = 100


class ProductChoiceField(forms.ModelChoiceField):
    """Products by name, labelled with their SKU (names repeat across sizes, SKUs do not)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Product.objects.order_by("name", "pk"))
        kwargs.setdefault("empty_label", "Choose a product")
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Product) -> str:
        label = f"{obj.name} ({obj.sku})"
        return label if obj.is_active else f"{label}, inactive"


class ReceiveHeaderForm(forms.Form):
    reference = forms.CharField(
        label="Delivery note",
        max_length=100,
        required=False,
        help_text="The supplier's delivery note or invoice number, kept with each movement.",
    )


class ReceiveLineForm(forms.Form):
    product = ProductChoiceField(required=False)
    quantity = forms.IntegerField(
        label="Quantity received", min_value=1, max_value=MAX_MOVE, required=False
    )

    def clean(self):
        data = super().clean()
        product, quantity = data.get("product"), data.get("quantity")
        if product and quantity is None and "quantity" not in self.errors:
            self.add_error("quantity", "How many arrived?")
        if quantity is not None and not product and "product" not in self.errors:
            self.add_error("product", "Choose the product that arrived.")
        return data


class BaseReceiveFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.rows():
            raise ValidationError("Add at least one product and the quantity received.")

    def rows(self) -> list[tuple[Product, int]]:
        """The filled-in rows, in the order typed (blank rows are skipped)."""
        return [
            (form.cleaned_data["product"], form.cleaned_data["quantity"])
            for form in self.forms
            if form.cleaned_data.get("product") and form.cleaned_data.get("quantity")
        ]


def receive_formset(
    data=None, *, product: Product | None = None, rows: int = BATCH_ROWS
) -> BaseReceiveFormSet:
    """A delivery form with `rows` lines; the first one prefilled when a product is given."""
    initial = [{"product": product}] if product is not None else None
    formset_class = forms.formset_factory(
        ReceiveLineForm,
        formset=BaseReceiveFormSet,
        extra=max(rows - (1 if initial else 0), 0),
        max_num=MAX_ROWS,
        validate_max=True,
        absolute_max=MAX_ROWS,
    )
    return formset_class(data, initial=initial, prefix="lines")


class AdjustStockForm(forms.Form):
    product = ProductChoiceField()
    quantity = forms.IntegerField(
        label="Change",
        min_value=-MAX_MOVE,
        max_value=MAX_MOVE,
        help_text="Negative takes stock away (−2: two broken), positive adds it back.",
    )
    reason = forms.ChoiceField(
        choices=[("", "Choose a reason")]
        + [(reason, REASON_LABELS.get(reason, reason.title())) for reason in ADJUSTMENT_REASONS],
        error_messages={"required": "Choose why the stock changes."},
    )
    note = forms.CharField(
        max_length=150,
        required=False,
        help_text="Optional: what happened, for whoever reads the history later.",
    )

    def clean_quantity(self) -> int:
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise ValidationError("A change of 0 changes nothing: enter e.g. −2 or 3.")
        return quantity

    def clean(self):
        data = super().clean()
        if data.get("reason") == "other" and not (data.get("note") or "").strip():
            self.add_error("note", "Say what happened when the reason is “Other”.")
        return data


class StockCountForm(forms.Form):
    product = ProductChoiceField()
    counted = forms.IntegerField(
        label="Counted on the shelf",
        min_value=0,
        max_value=MAX_MOVE,
        help_text="What you counted; the difference to the system's figure is recorded.",
    )
    note = forms.CharField(max_length=150, required=False)
