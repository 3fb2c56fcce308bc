# PostgreSQL: SKU and barcode prefixes get B-tree indexes instead of trigram ones.

from django.db import migrations


def reinstall_search_index(apps, schema_editor):
    from catalog import search

    search.uninstall(schema_editor.connection)
    search.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_index_names_only")]

    operations = [migrations.RunPython(reinstall_search_index, reinstall_search_index)]
