from django.db import migrations

from pos.reference_data import ensure_default_register
from pos.roles import create_roles


class Migration(migrations.Migration):
    dependencies = [
        ("pos", "0001_initial"),
        ("catalog", "0001_initial"),
        ("store", "0001_initial"),
        ("analytics", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "__latest__"),
        ("wagtailimages", "__latest__"),
        ("wagtailcore", "__latest__"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(ensure_default_register, migrations.RunPython.noop),
    ]
