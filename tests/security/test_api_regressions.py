"""Inputs the schema fuzzer (test_api_fuzz.py) once turned into server errors."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/products/null/", "/api/v1/products/1e3/"])
def test_a_product_id_that_is_not_a_number_is_not_found(path, cashier_client):
    response = cashier_client.get(path)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_bare_not_found_still_says_what_is_wrong(merchandiser_client):
    response = merchandiser_client.patch(
        "/api/v1/categories/null/", {}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."


@pytest.mark.parametrize("currency", ["0", "XYZ", "Ü\x7f6"])
def test_an_unknown_currency_is_a_validation_error(currency, merchandiser_client):
    tax_rate = factories.tax_rate()
    response = merchandiser_client.post(
        "/api/v1/products/",
        {
            "name": "Beans",
            "sku": "B-1",
            "price": {"amount": "1.00", "currency": currency},
            "tax_rate": tax_rate.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "not a currency code" in response.json()["errors"]["price"][0]


@pytest.mark.parametrize("page", ["10000001", "9223372036854775807", "46116860184273879040"])
def test_a_page_number_past_any_catalog_is_not_found(page, cashier_client):
    factories.product()
    response = cashier_client.get(f"/api/v1/products/?page={page}")
    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid page."
