"""Catalog API routes under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("products", api.ProductViewSet, basename="product")
router.register("categories", api.CategoryViewSet, basename="category")
router.register("tax-rates", api.TaxRateViewSet, basename="tax-rate")

urlpatterns = router.urls
