from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from wagtail.images import get_image_model

        from .search import ensure_search_index
        from .selectors import forget_thumbnails

        # A migration that rebuilds catalog_product on SQLite drops the search triggers.
        post_migrate.connect(ensure_search_index, sender=self, dispatch_uid="catalog.search")
        # The API caches thumbnail URLs; a changed image or rendition makes them stale.
        image_model = get_image_model()
        for model in (image_model, image_model.get_rendition_model()):
            for signal in (post_save, post_delete):
                signal.connect(forget_thumbnails, sender=model, dispatch_uid=f"catalog.{model}")
