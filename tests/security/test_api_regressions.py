"""Inputs the schema fuzzer (test_api_fuzz.py) once turned into server errors."""

from __future__ import annotations

import pytest

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
