"""Every API endpoint under /api/v1/, gathered from the apps."""

from django.urls import include, path

urlpatterns = [
    path("", include("catalog.api_urls")),
    path("", include("pos.api_urls")),
    path("", include("receipts.api_urls")),
]
