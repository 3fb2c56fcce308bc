from django.urls import path

from . import views

urlpatterns = [
    path("register/", views.register_page, name="register"),
    path("register/sw.js", views.register_service_worker, name="register-service-worker"),
    path("register/manifest.webmanifest", views.register_manifest, name="register-manifest"),
]
