"""The cart API contract of issue #4: every response is the full priced cart."""

import pytest
from django.contrib.auth.models import Permission

from pos.models import Cart, CartLine, Register
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    return {
        "beans": factories.product("Espresso beans", "8.90", stock=2),
        "cup": factories.product("Reusable cup", "12.00", stock=20),
    }


def open_cart(client) -> dict:
    response = client.post("/api/v1/carts/", {}, content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def add(client, cart_id, **body):
    return client.post(f"/api/v1/carts/{cart_id}/lines/", body, content_type="application/json")


def test_open_cart_creates_once_then_returns_the_same(cashier_client):
    first = cashier_client.post("/api/v1/carts/", {}, content_type="application/json")
    second = cashier_client.post("/api/v1/carts/", {}, content_type="application/json")
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["register"]["name"] == "Register 1"
    assert first.json()["total"] == {"amount": "0.00", "currency": "USD"}


def test_cart_survives_a_reload(cashier_client, products):
    cart = open_cart(cashier_client)
    add(cashier_client, cart["id"], product=products["cup"].pk)
    again = cashier_client.get(f"/api/v1/carts/{cart['id']}/").json()
    assert [line["name"] for line in again["lines"]] == ["Reusable cup"]


def test_add_by_barcode_then_again_increments(cashier_client, products):
    cart = open_cart(cashier_client)
    response = add(cashier_client, cart["id"], barcode=products["cup"].barcode)
    assert response.status_code == 201
    body = add(cashier_client, cart["id"], barcode=products["cup"].barcode).json()
    assert len(body["lines"]) == 1 and body["lines"][0]["quantity"] == 2
    line = body["lines"][0]
    assert line["unit_price"] == {"amount": "12.00", "currency": "USD"}
    assert line["line_total"] == {"amount": "24.00", "currency": "USD"}
    assert body["subtotal"]["amount"] == "24.00"
    assert body["tax"] == [
        {
            "rate": "8.25",
            "taxable": {"amount": "24.00", "currency": "USD"},
            "tax": {"amount": "1.98", "currency": "USD"},
        }
    ]
    assert body["total"] == {"amount": "25.98", "currency": "USD"}
    assert body["formatted"]["total"] == "$25.98"


def test_add_by_product_id_with_quantity(cashier_client, products):
    cart = open_cart(cashier_client)
    body = add(cashier_client, cart["id"], product=products["cup"].pk, quantity=3).json()
    assert body["lines"][0]["quantity"] == 3 and body["item_count"] == 3


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"barcode": "4006381333931"}, 404, "unknown_barcode"),
        ({"barcode": "not-a-code"}, 404, "unknown_barcode"),
        ({"product": 999999}, 404, "unknown_product"),
        ({"product": "abc"}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"product": 1, "barcode": "1"}, 400, "invalid"),
        ({"product": "CUP", "quantity": 0}, 400, "invalid"),
        ({"product": "CUP", "quantity": -1}, 400, "invalid"),
        ({"product": "CUP", "quantity": 1.5}, 400, "invalid"),
        ({"product": "CUP", "quantity": 10000}, 400, "invalid"),
        ({"product": "CUP", "quantity": "lots"}, 400, "invalid"),
    ],
)
def test_bad_additions_are_refused_and_change_nothing(cashier_client, products, body, status, code):
    cart = open_cart(cashier_client)
    if body.get("product") == "CUP":
        body["product"] = products["cup"].pk
    response = add(cashier_client, cart["id"], **body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["detail"]
    assert not CartLine.objects.exists()


def test_inactive_product_is_refused(cashier_client):
    old = factories.product("Old stock", active=False)
    cart = open_cart(cashier_client)
    response = add(cashier_client, cart["id"], product=old.pk)
    assert response.status_code == 400 and "no longer sold" in response.json()["detail"]


def test_out_of_stock_is_a_409_with_the_count(cashier_client, products):
    cart = open_cart(cashier_client)
    add(cashier_client, cart["id"], product=products["beans"].pk, quantity=2)
    response = add(cashier_client, cart["id"], product=products["beans"].pk)
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Only 2 × Espresso beans left in stock.",
        "code": "insufficient_stock",
    }
    assert CartLine.objects.get().quantity == 2


def test_patch_quantity_and_zero_removes(cashier_client, products):
    cart = open_cart(cashier_client)
    line_id = add(cashier_client, cart["id"], product=products["cup"].pk).json()["lines"][0]["id"]
    url = f"/api/v1/carts/{cart['id']}/lines/{line_id}/"
    body = cashier_client.patch(url, {"quantity": 3}, content_type="application/json").json()
    assert body["lines"][0]["quantity"] == 3
    body = cashier_client.patch(url, {"quantity": 0}, content_type="application/json").json()
    assert body["lines"] == []


def test_patch_beyond_stock_is_refused(cashier_client, products):
    cart = open_cart(cashier_client)
    line_id = add(cashier_client, cart["id"], product=products["beans"].pk).json()["lines"][0]["id"]
    response = cashier_client.patch(
        f"/api/v1/carts/{cart['id']}/lines/{line_id}/",
        {"quantity": 5},
        content_type="application/json",
    )
    assert response.status_code == 409 and CartLine.objects.get().quantity == 1


def test_delete_line_and_unknown_line(cashier_client, products):
    cart = open_cart(cashier_client)
    line_id = add(cashier_client, cart["id"], product=products["cup"].pk).json()["lines"][0]["id"]
    response = cashier_client.delete(f"/api/v1/carts/{cart['id']}/lines/{line_id}/")
    assert response.status_code == 200 and response.json()["lines"] == []
    response = cashier_client.delete(f"/api/v1/carts/{cart['id']}/lines/{line_id}/")
    assert response.status_code == 404 and response.json()["code"] == "line_not_found"


def test_another_cashiers_cart_is_invisible(cashier_client, products, django_user_model):
    from tests.conftest import client_for, make_user

    cart = open_cart(cashier_client)
    other = client_for(make_user("other", "Cashiers"))
    assert other.get(f"/api/v1/carts/{cart['id']}/").status_code == 404
    assert add(other, cart["id"], product=products["cup"].pk).status_code == 404
    assert not CartLine.objects.exists()


def test_discounts_need_the_permission(cashier_client, products):
    cart = open_cart(cashier_client)
    line_id = add(cashier_client, cart["id"], product=products["cup"].pk).json()["lines"][0]["id"]
    response = cashier_client.post(
        f"/api/v1/carts/{cart['id']}/discount/",
        {"kind": "percent", "value": "10"},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "discount_not_allowed"
    response = cashier_client.patch(
        f"/api/v1/carts/{cart['id']}/lines/{line_id}/",
        {"discount": "1.00"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Cart.objects.get().discount_kind == "" and CartLine.objects.get().discount == 0


def test_manager_gives_line_and_cart_discounts(manager_client, products):
    cart = open_cart(manager_client)
    body = add(manager_client, cart["id"], product=products["cup"].pk, quantity=2).json()
    line_url = f"/api/v1/carts/{cart['id']}/lines/{body['lines'][0]['id']}/"
    body = manager_client.patch(
        line_url, {"discount": "4.00"}, content_type="application/json"
    ).json()
    assert body["line_discounts"]["amount"] == "4.00" and body["subtotal"]["amount"] == "24.00"
    body = manager_client.post(
        f"/api/v1/carts/{cart['id']}/discount/",
        {"kind": "percent", "value": "10"},
        content_type="application/json",
    ).json()
    assert body["cart_discount"]["amount"] == "2.00"
    assert body["discount_total"]["amount"] == "6.00"
    # 24 - 6 = 18.00 + 8.25 % = 1.485 → 1.49 (half-up)
    assert body["tax_total"]["amount"] == "1.49" and body["total"]["amount"] == "19.49"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"kind": "amount", "value": "500"}, "discount_too_large"),
        ({"kind": "percent", "value": "101"}, "discount_too_large"),
        ({"kind": "percent", "value": "-1"}, "invalid"),
        ({"kind": "bogus", "value": "1"}, "invalid"),
        ({"kind": "amount", "value": "1.234"}, "invalid"),
    ],
)
def test_bad_cart_discounts_are_refused(manager_client, products, body, code):
    cart = open_cart(manager_client)
    add(manager_client, cart["id"], product=products["cup"].pk)
    response = manager_client.post(
        f"/api/v1/carts/{cart['id']}/discount/", body, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == code
    assert Cart.objects.get().discount_kind == ""


def test_line_discount_above_line_value_is_refused(manager_client, products):
    cart = open_cart(manager_client)
    body = add(manager_client, cart["id"], product=products["cup"].pk).json()
    response = manager_client.patch(
        f"/api/v1/carts/{cart['id']}/lines/{body['lines'][0]['id']}/",
        {"discount": "12.01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "discount_too_large"


def test_park_and_resume(cashier_client, products):
    cart = open_cart(cashier_client)
    add(cashier_client, cart["id"], product=products["cup"].pk)
    parked = cashier_client.post(f"/api/v1/carts/{cart['id']}/park/")
    assert parked.status_code == 200 and parked.json()["status"] == "parked"
    fresh = open_cart(cashier_client)
    assert fresh["id"] != cart["id"] and fresh["lines"] == []
    listing = cashier_client.get("/api/v1/carts/").json()["results"]
    assert [c["id"] for c in listing] == [cart["id"]]
    add(cashier_client, fresh["id"], product=products["beans"].pk)
    resumed = cashier_client.post(f"/api/v1/carts/{cart['id']}/resume/").json()
    assert resumed["status"] == "open" and resumed["lines"][0]["name"] == "Reusable cup"
    # the cart that was open is parked, not lost
    assert Cart.objects.get(pk=fresh["id"]).status == "parked"
    # a parked cart cannot be edited
    response = add(cashier_client, fresh["id"], product=products["cup"].pk)
    assert response.status_code == 409 and response.json()["code"] == "cart_not_open"


def test_empty_cart_cannot_be_parked(cashier_client):
    cart = open_cart(cashier_client)
    response = cashier_client.post(f"/api/v1/carts/{cart['id']}/park/")
    assert response.status_code == 400 and response.json()["code"] == "cart_empty"


def test_clear_cart(cashier_client, products):
    cart = open_cart(cashier_client)
    add(cashier_client, cart["id"], product=products["cup"].pk)
    assert cashier_client.delete(f"/api/v1/carts/{cart['id']}/").json()["lines"] == []


def test_choose_another_register(cashier_client):
    other = Register.objects.create(name="Register 2")
    response = cashier_client.post(
        "/api/v1/carts/", {"register": other.pk}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["register"]["name"] == "Register 2"
    closed = Register.objects.create(name="Old till", is_active=False)
    response = cashier_client.post(
        "/api/v1/carts/", {"register": closed.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "register_closed"


def test_who_may_use_the_cart_api(client, merchandiser_client, cashier):
    assert client.post("/api/v1/carts/").status_code in (401, 403)
    response = merchandiser_client.post("/api/v1/carts/")
    assert response.status_code == 403 and "cashiers and managers" in response.json()["detail"]


def test_session_api_requires_csrf(cashier, products):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cashier)
    response = client.post("/api/v1/carts/", {}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_token_authentication_works_without_csrf(cashier, products):
    from django.test import Client
    from wagtail.models import APIToken

    _, token = APIToken.create_token(user=cashier, name="test")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/carts/",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201


def test_add_to_cart_query_count_is_small(cashier_client, products, django_assert_max_num_queries):
    cart = open_cart(cashier_client)
    add(cashier_client, cart["id"], product=products["cup"].pk)
    for _ in range(5):
        factories.product()
    with django_assert_max_num_queries(12):
        add(cashier_client, cart["id"], barcode=products["beans"].barcode)
    assert Permission.objects.exists()
