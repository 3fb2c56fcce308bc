"""The register's service worker and web manifest, as the browser fetches them."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_service_worker_covers_the_register_and_lists_its_files():
    response = Client().get("/register/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/register/"
    assert response["Cache-Control"] == "no-cache"
    code = response.content.decode()
    assert 'const PAGE = "/register/";' in code
    assets = json.loads(code.split("const ASSETS = ", 1)[1].split(";\n", 1)[0])
    for name in ("register.js", "dom.js", "pricing.js", "offline.js", "offline-cart.js"):
        assert f"/static/pos/{name}" in assets
    assert 'addEventListener("fetch"' in code


def test_the_worker_version_changes_with_the_files(monkeypatch):
    from pos import views

    first = Client().get("/register/sw.js").content.decode().split("\n", 1)[0]
    views._service_worker_source.cache_clear()
    monkeypatch.setattr(views, "REGISTER_ASSETS", (*views.REGISTER_ASSETS, "pos/money.js "))
    second = Client().get("/register/sw.js").content.decode().split("\n", 1)[0]
    views._service_worker_source.cache_clear()
    assert first.startswith("const VERSION = ") and first != second


def test_the_manifest_installs_the_register():
    response = Client().get("/register/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == manifest["scope"] == "/register/"
    assert manifest["display"] == "standalone"
    assert manifest["icons"][0]["src"].endswith("favicon.svg")
