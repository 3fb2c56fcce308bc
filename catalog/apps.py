from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from .search import ensure_search_index

        # A migration that rebuilds catalog_product on SQLite drops the search triggers.
        post_migrate.connect(ensure_search_index, sender=self, dispatch_uid="catalog.search")
