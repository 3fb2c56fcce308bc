"""Uploads are limited in size and type: a refused file gets a clear message, nothing is saved."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from catalog.models import ProductImport

pytestmark = pytest.mark.django_db

Image = get_image_model()
CSV_HEADER = b"sku,name,price,tax_rate\n"


def png(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def upload_image(client, name: str, content: bytes):
    return client.post(
        "/admin/images/add/",
        {"title": "Upload", "file": SimpleUploadedFile(name, content), "collection": 1},
    )


def test_upload_limits_are_configured():
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE <= 10 * 1024 * 1024
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS <= 50_000_000
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024


def test_a_small_png_is_accepted(merchandiser_client):
    response = upload_image(merchandiser_client, "beans.png", png())
    assert response.status_code == 302
    assert Image.objects.count() == 1


def test_an_image_over_the_size_limit_is_refused(merchandiser_client):
    too_big = png() + b"\0" * settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    response = upload_image(merchandiser_client, "huge.png", too_big)
    assert response.status_code == 200
    assert "This file is too big" in response.content.decode()
    assert Image.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("page.html", b"<script>alert(1)</script>"),
        ("fake.png", b"<script>alert(1)</script>"),
    ],
)
def test_a_file_that_is_not_an_allowed_image_is_refused(name, content, merchandiser_client):
    response = upload_image(merchandiser_client, name, content)
    assert response.status_code == 200
    assert "Not a supported image format" in response.content.decode() or (
        "Not a valid .png image" in response.content.decode()
    )
    assert Image.objects.count() == 0


def import_upload(client, name: str, content: bytes):
    return client.post(
        "/admin/catalog/products/import/", {"file": SimpleUploadedFile(name, content)}
    )


def test_a_csv_file_over_the_limit_is_refused(merchandiser_client):
    from catalog.services import MAX_IMPORT_BYTES

    response = import_upload(merchandiser_client, "big.csv", CSV_HEADER * (MAX_IMPORT_BYTES // 20))
    assert response.status_code == 200
    assert "the limit is 5 MB" in response.content.decode()
    assert ProductImport.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [("products.xlsx", b"PK\x03\x04rest"), ("products.csv", b"\x00\x01\x02binary")],
)
def test_a_file_that_is_not_csv_is_refused(name, content, merchandiser_client):
    response = import_upload(merchandiser_client, name, content)
    assert response.status_code == 200
    assert "CSV" in response.content.decode()
    assert ProductImport.objects.count() == 0


def test_an_oversized_api_body_is_a_client_error(cashier_client):
    body = '{"note": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + '"}'
    response = cashier_client.post("/api/v1/carts/", body, content_type="application/json")
    assert response.status_code == 400
