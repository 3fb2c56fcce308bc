"""A sensible default receipt template: 80 mm, every detail and the sale number's barcode.

Created by a migration and again after every `migrate` or `flush` (post_migrate) when no
template is the default.
"""

from __future__ import annotations

FOOTER = (
    '<p data-block-key="rcpt1">Keep this receipt for returns and exchanges '
    "within <b>30 days</b>.</p>"
)


def ensure_default_template(apps, schema_editor=None) -> None:
    """The "Standard 80 mm" template when no template is the default (migrations, and after
    `flush`, which empties the table: receipts would fall back to a bare layout)."""
    ReceiptTemplate = apps.get_model("receipts", "ReceiptTemplate")
    if ReceiptTemplate.objects.filter(is_default=True).exists():
        return
    ReceiptTemplate.objects.update_or_create(
        name="Standard 80 mm",
        defaults={
            "is_default": True,
            "paper": "80mm",
            "font_size": 9,
            "header": "",
            "footer": FOOTER,
            "thank_you_message": "Thank you for shopping at {store_name}!",
            "show_tax_breakdown": True,
            "show_cashier": True,
            "show_register": True,
            "show_payment_details": True,
            "show_sku": False,
            "code": "code128",
        },
    )
