from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from wagtail.admin import urls as wagtailadmin_urls

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("no-role/", views.no_role, name="no-role"),
    path("admin/", include(wagtailadmin_urls)),
    # Django's own admin: superusers only (the roles never get is_staff).
    path("django-admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("pos_site.api_urls")),
    path("receipts/", include("receipts.urls")),
    path("", include("pos.urls")),
    path("", include("pos.shift_urls")),
]

if settings.SERVE_MEDIA:
    # Uploaded images (product pictures, receipt logos). Behind a proxy that serves /media/
    # itself, SERVE_MEDIA=false; with TLS at gunicorn there is no one else to serve them.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
