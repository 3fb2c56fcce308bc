from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class PosConfig(AppConfig):
    name = "pos"
    verbose_name = "Point of sale"

    def ready(self) -> None:
        from pos_site.logging import install_pan_masking

        from .roles import sync_roles_after_migrate

        install_pan_masking()
        from catalog.models import Product

        from .inventory import opening_stock_on_create

        # A product's starting stock enters the stock ledger as an "opening" movement.
        post_save.connect(opening_stock_on_create, sender=Product, dispatch_uid="pos.opening")
        # Apps that land later add models (and so permissions) after the roles migration
        # ran; re-applying the role matrix after every migrate keeps the groups complete.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="pos.sync_roles")
