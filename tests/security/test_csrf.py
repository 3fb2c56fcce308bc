"""CSRF: every state-changing request of a browser session needs the token; API tokens do not.

The test client normally skips CSRF checks; `Client(enforce_csrf_checks=True)` behaves like a
browser that a hostile page makes post to us: the session cookie goes along, the token cannot.
"""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import APIToken

from tests.conftest import PASSWORD

from .conftest import ROLES
from .test_permission_matrix import MATRIX

pytestmark = pytest.mark.django_db

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def first_allowed_role(expected) -> str:
    """The first role the matrix lets through (not 401/403), to show the token is enough."""
    return next(role for role, want in zip(ROLES, expected, strict=True) if want not in (401, 403))


API_WRITES = [
    pytest.param(method, path, first_allowed_role(expected), id=f"{method} {name}")
    for name, method, path, *expected in MATRIX
    if path.startswith("/api/") and method in UNSAFE and any(w not in (401, 403) for w in expected)
]

# Form posts of the site and the admin: (path, role posting it).
FORM_POSTS = [
    ("/logout/", "cashier"),
    ("/admin/catalog/products/add/", "merchandiser"),
    ("/admin/catalog/categories/add/", "merchandiser"),
    ("/admin/catalog/products/import/", "merchandiser"),
    ("/admin/catalog/products/import/{import}/confirm/", "merchandiser"),
    ("/admin/receipts/templates/add/", "merchandiser"),
    ("/admin/inventory/receive/", "manager"),
    ("/admin/inventory/adjust/", "manager"),
    ("/admin/receipts/find/", "manager"),
    ("/admin/settings/store/storesettings/{site}/", "manager"),
]


def browser(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get("/login/")  # the login page sets the CSRF cookie, as any form page does
    return client


def send(client, method, path, token=None):
    headers = {"X-CSRFToken": token} if token else {}
    body = "{}" if method != "DELETE" else ""
    return client.generic(method, path, body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(("method", "path", "role"), API_WRITES)
def test_session_api_write_needs_the_csrf_token(method, path, role, users, shop):
    client = browser(users[role])
    url = path.format(**shop)

    refused = send(client, method, url)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    allowed = send(client, method, url, token=client.cookies["csrftoken"].value)
    assert allowed.status_code != 403, allowed.content


@pytest.mark.parametrize(("path", "role"), FORM_POSTS)
def test_form_post_needs_the_csrf_token(path, role, users, shop):
    client = browser(users[role])
    url = path.format(**shop)

    assert client.post(url, {}).status_code == 403

    token = client.cookies["csrftoken"].value
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code != 403


def test_login_form_needs_the_csrf_token(cashier):
    client = browser()
    credentials = {"username": cashier.username, "password": PASSWORD}

    assert client.post("/login/", credentials).status_code == 403
    assert "_auth_user_id" not in client.session

    token = client.cookies["csrftoken"].value
    response = client.post("/login/", {**credentials, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cashier.pk)


def test_token_authenticated_api_needs_no_csrf_token(cashier, shop):
    _, key = APIToken.create_token(user=cashier, name="till 2")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/api/v1/carts/", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )

    assert response.status_code in (200, 201), response.content


def test_a_wrong_api_token_is_refused(shop):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/carts/", {}, content_type="application/json", HTTP_AUTHORIZATION="Token nope"
    )
    assert response.status_code in (401, 403)
