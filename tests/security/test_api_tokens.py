"""API tokens (Wagtail's APIToken) for non-browser clients: shown once, stored as a digest,
revocable, no CSRF, managed by managers in the admin."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from wagtail.models import APIToken

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def with_header(value: str) -> Client:
    return Client(HTTP_AUTHORIZATION=value, enforce_csrf_checks=True)


def test_a_token_acts_as_its_user_with_either_keyword(cashier):
    _, raw = APIToken.create_token(user=cashier, name="scale")
    assert with_header(f"Bearer {raw}").get(PRODUCTS).status_code == 200
    assert with_header(f"Token {raw}").get(PRODUCTS).status_code == 200
    # No cookie is involved, so no CSRF token is needed for writes.
    cart = with_header(f"Bearer {raw}").post("/api/v1/carts/", {}, content_type="application/json")
    assert cart.status_code == 201


@pytest.mark.parametrize(
    "header",
    ["Bearer wagtail_not-a-real-token", "Bearer", "Bearer a b", "Token 9944b09199c62bcf9418ad8"],
)
def test_bad_tokens_get_a_401_that_says_how_to_authenticate(header):
    response = with_header(header).get(PRODUCTS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "authentication_failed"


def test_a_revoked_token_or_a_deactivated_user_is_refused_at_once(cashier):
    token, raw = APIToken.create_token(user=cashier, name="labels")
    client = with_header(f"Bearer {raw}")
    assert client.get(PRODUCTS).status_code == 200
    token.revoke()
    assert client.get(PRODUCTS).status_code == 401
    _, raw = APIToken.create_token(user=cashier, name="labels 2")
    cashier.is_active = False
    cashier.save()
    assert with_header(f"Bearer {raw}").get(PRODUCTS).status_code == 401


def test_only_a_digest_is_stored(cashier):
    _, raw = APIToken.create_token(user=cashier, name="scale")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM wagtailcore_apitoken")
        stored = repr(cursor.fetchall())
    assert raw not in stored and raw[8:] not in stored


def test_the_last_use_is_recorded(cashier):
    token, raw = APIToken.create_token(user=cashier, name="scale")
    with_header(f"Bearer {raw}").get(PRODUCTS)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_managers_manage_tokens_in_the_admin_and_others_cannot(manager_client, merchandiser):
    assert manager_client.get("/admin/api-tokens/").status_code == 200
    labels = make_user("labels", "Cashiers")
    response = manager_client.post(
        "/admin/api-tokens/new/", {"name": "Shelf labels", "user": labels.pk}
    )
    assert response.status_code in (200, 302)
    assert APIToken.objects.filter(user=labels, name="Shelf labels").exists()
    client = Client()
    client.force_login(merchandiser)
    assert client.get("/admin/api-tokens/").status_code in (302, 403)
