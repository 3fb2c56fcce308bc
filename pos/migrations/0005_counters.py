from django.db import migrations

from pos.reference_data import ensure_counters


class Migration(migrations.Migration):
    dependencies = [("pos", "0004_carts_sales_payments_stock")]
    operations = [migrations.RunPython(ensure_counters, migrations.RunPython.noop)]
