from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_default_template_after_migrate(sender, apps=None, **kwargs) -> None:
    """post_migrate handler (also sent by `flush`, without `apps`)."""
    from django.apps import apps as global_apps

    from .reference_data import ensure_default_template

    ensure_default_template(apps or global_apps)


class ReceiptsConfig(AppConfig):
    name = "receipts"
    verbose_name = "Receipts"

    def ready(self) -> None:
        post_migrate.connect(
            ensure_default_template_after_migrate, sender=self, dispatch_uid="receipts.default"
        )
