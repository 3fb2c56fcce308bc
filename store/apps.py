from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class StoreConfig(AppConfig):
    name = "store"
    verbose_name = "Store"

    def ready(self) -> None:
        from .models import StoreSettings
        from .selectors import forget_store_settings

        post_save.connect(forget_store_settings, sender=StoreSettings, dispatch_uid="store.saved")
        post_delete.connect(forget_store_settings, sender=StoreSettings, dispatch_uid="store.gone")
