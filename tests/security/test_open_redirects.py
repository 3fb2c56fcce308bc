"""No link or redirect of ours sends a signed-in user to another site."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/",
    "http://evil.example/login/",
    "//evil.example",
    "//evil.example/%2F..",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "https://testserver@evil.example/",
]


def assert_on_site(location: str) -> None:
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil.example" not in location


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_site_via_the_query(target, cashier):
    response = Client().post(
        f"/login/?next={target}", {"username": cashier.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert_on_site(response["Location"])
    assert response["Location"] == "/register/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_site_via_the_form(target, cashier):
    response = Client().post(
        "/login/", {"username": cashier.username, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/register/"


def test_login_follows_a_next_on_this_site(cashier):
    response = Client().post(
        "/login/?next=/register/%3Fpanel=sales",
        {"username": cashier.username, "password": PASSWORD},
    )
    assert response["Location"] == "/register/?panel=sales"


@pytest.mark.parametrize("target", OFF_SITE[:4])
def test_logout_never_redirects_off_site(target, cashier_client):
    response = cashier_client.post(f"/logout/?next={target}")
    assert response.status_code == 302
    assert_on_site(response["Location"])


@pytest.mark.parametrize("target", OFF_SITE[:4])
def test_receipt_back_link_never_points_off_site(target, cashier, cashier_client):
    factories.open_shift(cashier)
    sale = factories.sale(cashier, (factories.product(), 1))
    html = cashier_client.get(f"/receipts/{sale.number}/?back={target}").content.decode()
    assert "evil.example" not in html


@pytest.mark.parametrize("target", OFF_SITE[:4])
def test_stock_screens_never_send_back_off_site(target, manager_client):
    product = factories.product(stock=5)
    response = manager_client.post(
        f"/admin/inventory/adjust/?next={target}",
        {"product": product.pk, "quantity": "1", "reason": "correction", "next": target},
    )
    assert response.status_code == 302  # the adjustment went through
    assert "evil.example" not in response.get("Location", "")
    assert "evil.example" not in response.content.decode()
