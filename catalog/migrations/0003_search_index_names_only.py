# The SQLite search index keeps names only; SKU and barcode prefixes use B-tree ranges.

from django.db import migrations


def reinstall_search_index(apps, schema_editor):
    from catalog import search

    search.uninstall(schema_editor.connection)
    search.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_products_import_search")]

    operations = [migrations.RunPython(reinstall_search_index, reinstall_search_index)]
