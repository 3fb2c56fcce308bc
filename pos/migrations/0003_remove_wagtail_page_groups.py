from django.db import migrations


def remove_page_groups(apps, schema_editor):
    """Wagtail's starter groups are about editing web pages, which this shop has none of."""
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["Editors", "Moderators"], user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("pos", "0002_roles_and_default_register")]
    operations = [migrations.RunPython(remove_page_groups, migrations.RunPython.noop)]
