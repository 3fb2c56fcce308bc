"""The API documentation stays true: the schema is valid and docs/openapi.yaml matches it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from catalog.management.commands.export_openapi import DEFAULT_PATH, generate_openapi_yaml


def test_schema_generates_without_warnings(tmp_path: Path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_committed_openapi_file_is_up_to_date():
    assert DEFAULT_PATH.read_text() == generate_openapi_yaml(), (
        "docs/openapi.yaml is out of date: run `python manage.py export_openapi` and commit it."
    )


def test_catalog_endpoints_are_documented():
    text = generate_openapi_yaml()
    for path in (
        "/api/v1/products/:",
        "/api/v1/products/{id}/:",
        "/api/v1/products/by-barcode/{code}/:",
        "/api/v1/categories/:",
        "/api/v1/tax-rates/:",
    ):
        assert path in text
    assert "/admin/" not in text  # Wagtail's internal API stays undocumented


@pytest.mark.django_db
def test_schema_and_docs_are_served(client, cashier_client):
    assert cashier_client.get("/api/schema/").status_code == 200
    assert cashier_client.get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_schema_and_docs_are_public_on_purpose_and_hold_no_shop_data(client):
    """docs/api.md: every /api/v1/ endpoint needs a user, the schema and its docs do not."""
    from catalog.testing import make_product

    make_product(name="Secret house blend", sku="SECRET-1")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert b"Secret house blend" not in schema.content and b"SECRET-1" not in schema.content
    assert client.get("/api/v1/products/").status_code == 401
