"""Admin forms of the catalog."""

from __future__ import annotations

from django import forms
from django.core.validators import DecimalValidator
from wagtail.admin.forms import WagtailAdminModelForm

from catalog.models import MONEY_FIELDS
from catalog.services import MAX_IMPORT_BYTES
from store.selectors import current_store_settings


class ProductForm(WagtailAdminModelForm):
    """The product edit form: one store currency, and the model's own price messages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        currency = current_store_settings().currency
        for name in MONEY_FIELDS:
            field = self.fields.get(name)
            if field is None:
                continue
            amount, _currency = field.fields
            # "Too many decimals" is the model's rule, worded for the store currency; the
            # generic "no more than 2 decimal places" would shadow it.
            amount.validators = [
                v for v in amount.validators if not isinstance(v, DecimalValidator)
            ]
            # The shop has one currency: show it in the label instead of a one-item menu.
            field.widget.widgets[1] = forms.HiddenInput()
            field.widget.widgets[1].is_required = False
            field.initial = [field.initial[0] if field.initial else None, currency]
            field.label = f"{field.label} ({currency})"
            field.widget.widgets[0].attrs.update({"inputmode": "decimal", "step": "any"})
        stock = self.fields.get("quantity_on_hand")
        if self.instance.pk is None:
            self.instance.stock_user = getattr(self, "for_user", None)  # on the opening movement
        if stock is not None and self.instance.pk:
            # After creation stock moves only through the ledger (sales, refunds, Inventory).
            stock.disabled = True
            stock.help_text = "Change stock with Inventory › Receive stock, Adjust or Count."


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A .csv file of at most 5 MB, with the column names in the first row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is 5 MB. "
                "Split it into smaller files."
            )
        if not name.lower().endswith((".csv", ".txt")):
            kind = name.rsplit(".", 1)[-1].upper() if "." in name else "This"
            raise forms.ValidationError(
                f"{kind} files cannot be imported: upload a CSV file (.csv). In a spreadsheet "
                "program choose File › Save As › “CSV UTF-8 (comma delimited)”."
            )
        return upload
