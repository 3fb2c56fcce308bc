"""A sensible default: an 80 mm receipt with every detail and the sale number's barcode."""

from django.db import migrations

FOOTER = (
    '<p data-block-key="rcpt1">Keep this receipt for returns and exchanges '
    "within <b>30 days</b>.</p>"
)


def create_default(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [("receipts", "0001_receipt_template")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
