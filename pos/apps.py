from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class PosConfig(AppConfig):
    name = "pos"
    verbose_name = "Point of sale"

    def ready(self) -> None:
        from pos_site.logging import install_pan_masking

        from .roles import sync_roles_after_migrate

        install_pan_masking()
        from catalog import stock_history
        from catalog.models import Product
        from catalog.signals import products_imported

        from .admin_selectors import recent_product_history
        from .inventory import product_saved
        from .inventory import products_imported as record_import

        # Stock set on the product record (new product, CSV import) enters the stock ledger.
        post_save.connect(product_saved, sender=Product, dispatch_uid="pos.product_saved")
        products_imported.connect(record_import, dispatch_uid="pos.products_imported")
        # The product editor's "Stock history" panel reads the ledger through this function.
        stock_history.provide(recent_product_history)
        # Apps that land later add models (and so permissions) after the roles migration
        # ran; re-applying the role matrix after every migrate keeps the groups complete.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="pos.sync_roles")
