"""A sensible default: an 80 mm receipt with every detail and the sale number's barcode."""

from django.db import migrations

from receipts.reference_data import ensure_default_template


class Migration(migrations.Migration):
    dependencies = [("receipts", "0001_receipt_template")]

    operations = [migrations.RunPython(ensure_default_template, migrations.RunPython.noop)]
