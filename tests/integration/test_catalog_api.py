"""Catalog API under /api/v1/: reads, filters, barcode lookup, permissions, writes, errors."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.test import Client
from djmoney.money import Money
from wagtail.models import APIToken, ModelLogEntry

from catalog.models import Category, Product
from catalog.testing import barcode_for, make_category, make_image, make_product, make_tax_rate

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def json_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


# --------------------------------------------------------------------------- reading


def test_product_item_has_every_documented_field(manager_client):
    coffee = make_category("Coffee")
    product = make_product(
        name="Espresso beans",
        sku="COF-1",
        barcode="4006381333931",
        price="8.90",
        cost_price="4.10",
        category=coffee,
        quantity_on_hand=3,
        low_stock_threshold=5,
        image=make_image(),
        description="<p>Dark <b>roast</b></p>",
    )
    item = manager_client.get(f"{PRODUCTS}{product.pk}/").json()
    assert item["id"] == product.pk and item["slug"] == "espresso-beans"
    assert item["price"] == {"amount": "8.90", "currency": "USD"}
    assert item["price_formatted"] == "$8.90"
    assert item["cost_price"] == {"amount": "4.10", "currency": "USD"}
    assert item["tax_rate"] == {"id": product.tax_rate_id, "name": "Standard", "rate": "8.25"}
    assert item["category"] == {"id": coffee.pk, "name": "Coffee", "slug": "coffee"}
    assert (item["quantity_on_hand"], item["low_stock_threshold"], item["low_stock"]) == (
        3,
        5,
        True,
    )
    assert item["thumbnail_url"].startswith("http://testserver/media/images/")
    assert "fill-160x160" in item["thumbnail_url"]
    assert item["is_active"] is True and item["barcode"] == "4006381333931"
    assert item["description"] == "<p>Dark <b>roast</b></p>"
    assert item["created_at"].endswith("Z")
    assert set(item) == {
        "id", "name", "slug", "sku", "barcode", "price", "price_formatted", "cost_price",
        "tax_rate", "quantity_on_hand", "low_stock_threshold", "low_stock", "thumbnail_url",
        "image", "category", "is_active", "description", "created_at", "updated_at",
    }  # fmt: skip


def test_no_image_means_null_thumbnail_and_amounts_are_strings(cashier_client):
    make_product(price="12.50")
    item = cashier_client.get(PRODUCTS).json()["results"][0]
    assert item["thumbnail_url"] is None and item["category"] is None
    assert item["price"]["amount"] == "12.50" and isinstance(item["price"]["amount"], str)


def test_cashiers_never_see_cost_prices(cashier_client):
    product = make_product(cost_price="4.10")
    assert cashier_client.get(f"{PRODUCTS}{product.pk}/").json()["cost_price"] is None


def test_list_is_paginated_with_a_count(manager_client):
    for n in range(7):
        make_product(name=f"Item {n}")
    first = manager_client.get(PRODUCTS, {"page_size": 3}).json()
    assert first["count"] == 7 and len(first["results"]) == 3 and first["previous"] is None
    assert "page=2" in first["next"]
    last = manager_client.get(PRODUCTS, {"page_size": 3, "page": 3}).json()
    assert [i["name"] for i in last["results"]] == ["Item 6"] and last["next"] is None
    assert manager_client.get(PRODUCTS, {"page": 9}).status_code == 404


def test_search_by_name_sku_prefix_and_barcode(cashier_client):
    make_product(name="Espresso beans", sku="COF-001", barcode="4006381333931")
    make_product(name="Green tea", sku="TEA-001", barcode="73513537")
    make_product(name="Decaf espresso", sku="COF-002", barcode="")
    assert names(cashier_client.get(PRODUCTS, {"search": "ESPRESSO"})) == [
        "Decaf espresso",
        "Espresso beans",
    ]
    assert names(cashier_client.get(PRODUCTS, {"search": "tea-0"})) == ["Green tea"]
    assert names(cashier_client.get(PRODUCTS, {"search": "40063"})) == ["Espresso beans"]
    assert names(cashier_client.get(PRODUCTS, {"search": "001"})) == []  # SKU: prefix only
    assert names(cashier_client.get(PRODUCTS, {"search": "es"})) == [
        "Decaf espresso",
        "Espresso beans",
    ]  # short terms work too (no index)


def test_filter_by_category_id_or_slug_and_low_stock(manager_client):
    coffee, tea = make_category("Coffee"), make_category("Tea")
    make_product(name="Espresso", category=coffee, quantity_on_hand=50)
    make_product(name="Decaf", category=coffee, quantity_on_hand=1, low_stock_threshold=3)
    make_product(name="Sencha", category=tea, quantity_on_hand=3, low_stock_threshold=3)
    assert names(manager_client.get(PRODUCTS, {"category": coffee.pk})) == ["Decaf", "Espresso"]
    assert names(manager_client.get(PRODUCTS, {"category": "tea"})) == ["Sencha"]
    assert names(manager_client.get(PRODUCTS, {"category": "nope"})) == []
    assert names(manager_client.get(PRODUCTS, {"low_stock": "true"})) == ["Decaf", "Sencha"]
    assert names(manager_client.get(PRODUCTS, {"low_stock": "false"})) == ["Espresso"]
    both = manager_client.get(PRODUCTS, {"low_stock": "true", "category": "coffee"})
    assert names(both) == ["Decaf"]


def test_back_office_sees_inactive_products_and_filters_them(manager_client):
    make_product(name="Current")
    make_product(name="Retired", is_active=False)
    assert names(manager_client.get(PRODUCTS)) == ["Current", "Retired"]
    assert names(manager_client.get(PRODUCTS, {"active": "false"})) == ["Retired"]
    assert names(manager_client.get(PRODUCTS, {"active": "true"})) == ["Current"]


def test_cashiers_only_ever_see_active_products(cashier_client):
    make_product(name="Current")
    retired = make_product(name="Retired", is_active=False)
    assert names(cashier_client.get(PRODUCTS)) == ["Current"]
    assert names(cashier_client.get(PRODUCTS, {"active": "false"})) == []
    assert cashier_client.get(f"{PRODUCTS}{retired.pk}/").status_code == 404


def test_bad_filter_values_get_the_error_format(manager_client):
    response = manager_client.get(PRODUCTS, {"low_stock": "maybe"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "low_stock" in body["errors"]


# --------------------------------------------------------------------------- barcode lookup


def test_barcode_lookup(cashier_client):
    product = make_product(name="Espresso beans", barcode="4006381333931")
    response = cashier_client.get(f"{PRODUCTS}by-barcode/4006381333931/")
    assert response.status_code == 200 and response.json()["id"] == product.pk


def test_upc_a_is_found_when_scanned_as_ean_13(cashier_client):
    product = make_product(barcode="036000291452")  # UPC-A
    response = cashier_client.get(f"{PRODUCTS}by-barcode/0036000291452/")
    assert response.json()["id"] == product.pk


def test_unknown_barcode_is_a_clear_404(cashier_client):
    response = cashier_client.get(f"{PRODUCTS}by-barcode/4006381333931/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "No product with barcode 4006381333931.",
        "code": "unknown_barcode",
    }
    garbage = cashier_client.get(f"{PRODUCTS}by-barcode/hello/")
    assert garbage.status_code == 404 and garbage.json()["code"] == "unknown_barcode"


def test_an_inactive_product_scanned_at_the_register_says_so(cashier_client, manager_client):
    make_product(name="Old blend", barcode="4006381333931", is_active=False)
    response = cashier_client.get(f"{PRODUCTS}by-barcode/4006381333931/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "“Old blend” (barcode 4006381333931) is inactive and not for sale.",
        "code": "inactive_product",
    }
    assert manager_client.get(f"{PRODUCTS}by-barcode/4006381333931/").status_code == 200


# --------------------------------------------------------------------------- categories, tax rates


def test_categories_and_tax_rates_lists(cashier_client):
    make_category("Tea", ordering=2)
    make_category("Coffee", ordering=1)
    rate = make_tax_rate("Reduced", "2.50")
    categories = cashier_client.get("/api/v1/categories/").json()
    assert [c["name"] for c in categories] == ["Coffee", "Tea"]
    assert set(categories[0]) == {"id", "name", "slug", "parent", "ordering"}
    rates = cashier_client.get("/api/v1/tax-rates/").json()
    assert {"id": rate.pk, "name": "Reduced", "rate": "2.50"} in rates


# --------------------------------------------------------------------------- permissions


def test_anonymous_users_are_refused(client):
    for url in (PRODUCTS, "/api/v1/categories/", "/api/v1/tax-rates/"):
        response = client.get(url)
        assert response.status_code in (401, 403)
        assert response.json()["code"] == "not_authenticated"


def test_users_without_a_role_cannot_read_the_catalog():
    nobody = get_user_model().objects.create_user("nobody", password="x-long-password-1")
    assert json_client(nobody).get(PRODUCTS).status_code == 403


def test_token_authentication_works(cashier):
    make_product(name="Espresso beans")
    _, token = APIToken.create_token(user=cashier, name="test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert names(client.get(PRODUCTS)) == ["Espresso beans"]
    wrong = Client(HTTP_AUTHORIZATION="Token wrong").get(PRODUCTS)
    assert wrong.status_code in (401, 403) and wrong.json()["code"] == "authentication_failed"


def test_cashiers_cannot_write(cashier_client):
    product = make_product()
    rate = make_tax_rate()
    data = {"name": "X", "sku": "X-1", "price": "1.00", "tax_rate": rate.pk}
    assert post(cashier_client, PRODUCTS, data).status_code == 403
    assert patch(cashier_client, f"{PRODUCTS}{product.pk}/", {"name": "Y"}).status_code == 403
    assert cashier_client.delete(f"{PRODUCTS}{product.pk}/").status_code == 403
    assert post(cashier_client, "/api/v1/categories/", {"name": "Z"}).status_code == 403
    response = post(cashier_client, PRODUCTS, data)
    assert response.json()["code"] == "permission_denied"


def test_session_writes_need_the_csrf_token(merchandiser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(merchandiser)
    response = post(client, "/api/v1/categories/", {"name": "Cakes"})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


# --------------------------------------------------------------------------- writing


def test_create_with_a_plain_or_structured_price(merchandiser_client, merchandiser):
    rate = make_tax_rate()
    coffee = make_category("Coffee")
    response = post(
        merchandiser_client,
        PRODUCTS,
        {
            "name": "Flat white beans",
            "sku": "COF-9",
            "barcode": "4006381333931",
            "price": {"amount": "12.50", "currency": "USD"},
            "cost_price": "6.00",
            "tax_rate": rate.pk,
            "category": coffee.pk,
            "quantity_on_hand": 10,
            "description": "Smooth & sweet",
        },
    )
    assert response.status_code == 201, response.json()
    item = response.json()
    assert item["price"] == {"amount": "12.50", "currency": "USD"}
    assert item["cost_price"] == {"amount": "6.00", "currency": "USD"}
    product = Product.objects.get(sku="COF-9")
    assert product.description == "<p>Smooth &amp; sweet</p>"
    assert product.latest_revision is not None
    log = ModelLogEntry.objects.for_instance(product).get()
    assert log.action == "wagtail.create" and log.user == merchandiser


def test_patch_changes_only_what_is_sent_and_is_recorded(manager_client, manager):
    product = make_product(name="Bagel", price="1.60")
    response = patch(manager_client, f"{PRODUCTS}{product.pk}/", {"price": "1.75"})
    assert response.status_code == 200, response.json()
    product.refresh_from_db()
    assert product.price == Money("1.75", "USD") and product.name == "Bagel"
    assert ModelLogEntry.objects.for_instance(product).filter(action="wagtail.edit").exists()
    deactivated = patch(manager_client, f"{PRODUCTS}{product.pk}/", {"is_active": False})
    assert deactivated.json()["is_active"] is False


def test_put_is_not_offered(manager_client):
    product = make_product()
    assert (
        manager_client.put(
            f"{PRODUCTS}{product.pk}/", {}, content_type="application/json"
        ).status_code
        == 405
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"price": "12.345"}, "price", "The price has too many decimals for USD (at most 2)."),
        ({"price": "-1"}, "price", "The price cannot be negative."),
        ({"price": {"amount": "1.00", "currency": "EUR"}}, "price",
         "The price must be in the store currency, USD."),
        ({"price": "abc"}, "price", "Enter a number."),
        ({"price": 12.5}, "price",
         'Send amounts as strings, e.g. "12.50", never as floating-point numbers.'),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 201}, "name", "Ensure this value has at most 200 characters (it has 201)."),
        ({"quantity_on_hand": -1}, "quantity_on_hand",
         "Stock cannot be below zero (the store does not allow negative stock)."),
        ({"quantity_on_hand": "lots"}, "quantity_on_hand", "Enter a whole number."),
        ({"low_stock_threshold": -1}, "low_stock_threshold",
         "Ensure this value is greater than or equal to 0."),
        ({"barcode": "4006381333932"}, "barcode",
         "The check digit of this EAN-13 barcode is wrong: please re-scan or re-type it."),
        ({"sku": "taken-1"}, "sku", "Another product already has this SKU."),
        ({"barcode": "73513537"}, "barcode", "Another product already has this barcode."),
    ],
)  # fmt: skip
def test_writes_are_validated_with_the_admin_messages(merchandiser_client, data, field, message):
    make_product(sku="TAKEN-1", barcode="73513537")
    rate = make_tax_rate()
    body = {"name": "New thing", "sku": "NEW-1", "price": "1.00", "tax_rate": rate.pk, **data}
    response = post(merchandiser_client, PRODUCTS, body)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert error["errors"][field] == [message]
    assert error["detail"] == f"{field}: {message}"
    assert Product.objects.count() == 1


def test_missing_required_fields_are_named(merchandiser_client):
    response = post(merchandiser_client, PRODUCTS, {})
    errors = response.json()["errors"]
    assert {k: v for k, v in errors.items()} == {
        "name": ["This field is required."],
        "sku": ["This field is required."],
        "price": ["This field is required."],
        "tax_rate": ["This field is required."],
    }


def test_deleting_an_unsold_product(manager_client):
    product = make_product(quantity_on_hand=0)
    assert manager_client.delete(f"{PRODUCTS}{product.pk}/").status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()


def test_deleting_a_sold_product_is_a_409_with_the_explanation(manager_client, monkeypatch):
    product = make_product(name="Espresso beans", quantity_on_hand=0)

    class SaleLine:
        class _meta:  # noqa: N801 - shaped like a model instance's _meta
            model_name = "saleline"

    def refuse(self, *args, **kwargs):
        raise ProtectedError("protected", {SaleLine()})

    monkeypatch.setattr(Product, "delete", refuse)
    response = manager_client.delete(f"{PRODUCTS}{product.pk}/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "product_in_use"
    assert body["detail"].startswith("“Espresso beans” has been sold, so it cannot be deleted")
    assert 'Deactivate it instead with PATCH {"is_active": false}' in body["detail"]


def test_category_writes(merchandiser_client):
    response = post(merchandiser_client, "/api/v1/categories/", {"name": "Cakes", "ordering": 3})
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["slug"] == "cakes"
    second = post(merchandiser_client, "/api/v1/categories/", {"name": "Cakes"}).json()
    assert second["slug"] == "cakes-2"
    blank = post(merchandiser_client, "/api/v1/categories/", {"name": ""})
    assert blank.status_code == 400 and blank.json()["errors"]["name"] == [
        "This field is required."
    ]
    url = f"/api/v1/categories/{created['id']}/"
    assert patch(merchandiser_client, url, {"name": "Pastries"}).json()["name"] == "Pastries"
    loop = patch(merchandiser_client, url, {"parent": created["id"]})
    assert loop.status_code == 400 and "cannot be inside itself" in loop.json()["detail"]
    assert merchandiser_client.delete(url).status_code == 204
    assert not Category.objects.filter(pk=created["id"]).exists()


# --------------------------------------------------------------------------- query counts


def count_queries(client, url, django_assert_max_num_queries) -> int:
    client.get(url)  # warm: renditions generated, caches filled
    with django_assert_max_num_queries(50) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", [PRODUCTS, PRODUCTS + "?search=prod", PRODUCTS + "?low_stock=false"]
)
def test_list_and_search_queries_do_not_grow_with_the_page(
    cashier_client, url, django_assert_max_num_queries
):
    for n in range(3):
        make_product(name=f"Product {n}", image=make_image(), category=make_category(f"C{n}"))
    few = count_queries(cashier_client, url, django_assert_max_num_queries)
    for n in range(3, 30):
        make_product(name=f"Product {n}", image=make_image(), category=make_category(f"C{n}"))
    many = count_queries(cashier_client, url, django_assert_max_num_queries)
    assert many == few
    assert few <= 12


def test_barcode_lookup_runs_a_constant_small_number_of_queries(
    cashier_client, django_assert_max_num_queries
):
    codes = [make_product(image=make_image(), barcode=barcode_for(n)).barcode for n in range(30)]
    counts = {
        count_queries(
            cashier_client, f"{PRODUCTS}by-barcode/{code}/", django_assert_max_num_queries
        )
        for code in (codes[0], codes[29])
    }
    assert len(counts) == 1 and counts.pop() <= 10


def test_count_is_null_beyond_the_cap_and_next_still_leads_on(manager_client, monkeypatch):
    from catalog.api import CatalogPagination

    monkeypatch.setattr(CatalogPagination, "count_limit", 4)
    for n in range(6):
        make_product(name=f"Item {n}")
    first = manager_client.get(PRODUCTS, {"page_size": 2}).json()
    assert first["count"] is None and first["next"]
    narrow = manager_client.get(PRODUCTS, {"page_size": 2, "search": "Item 1"}).json()
    assert narrow["count"] == 1 and narrow["next"] is None
    last = manager_client.get(PRODUCTS, {"page_size": 2, "page": 3}).json()
    assert last["count"] == 6 and last["next"] is None  # the last page knows the total


def test_thumbnail_urls_follow_a_changed_image(cashier_client):
    from django.core.files.images import ImageFile

    from catalog.testing import make_image as new_image

    image = make_image()
    product = make_product(image=image)
    before = cashier_client.get(f"{PRODUCTS}{product.pk}/").json()["thumbnail_url"]
    assert cashier_client.get(f"{PRODUCTS}{product.pk}/").json()["thumbnail_url"] == before
    replacement = new_image("Other")
    image.renditions.all().delete()
    image.file = ImageFile(replacement.file.open("rb"), name="replaced.png")
    image.save()
    after = cashier_client.get(f"{PRODUCTS}{product.pk}/").json()["thumbnail_url"]
    assert after != before and "replaced" in after


def test_a_missing_image_file_gives_a_null_thumbnail(cashier_client):
    image = make_image()
    product = make_product(image=image)
    image.file.storage.delete(image.file.name)
    assert cashier_client.get(f"{PRODUCTS}{product.pk}/").json()["thumbnail_url"] is None


# --------------------------------------------------------------------------- stock is the ledger's


def test_stock_is_set_on_create_only_and_recorded_with_the_user(merchandiser_client, merchandiser):
    from pos.inventory import ledger_mismatches
    from pos.models import StockMovement

    rate = make_tax_rate()
    body = {"name": "Beans", "sku": "B-1", "price": "1.00", "tax_rate": rate.pk}
    response = post(merchandiser_client, PRODUCTS, {**body, "quantity_on_hand": 12})
    assert response.status_code == 201, response.json()
    product = Product.objects.get(sku="B-1")
    opening = StockMovement.objects.get(product=product)
    assert (opening.kind, opening.quantity, opening.user) == ("opening", 12, merchandiser)

    response = patch(merchandiser_client, f"{PRODUCTS}{product.pk}/", {"quantity_on_hand": 99})
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert error["errors"]["quantity_on_hand"][0].startswith(
        "Stock cannot be changed by editing the product"
    )
    assert "Inventory" in error["errors"]["quantity_on_hand"][0]
    both = patch(
        merchandiser_client, f"{PRODUCTS}{product.pk}/", {"quantity_on_hand": 99, "name": "X"}
    )
    assert both.status_code == 400
    product.refresh_from_db()
    assert (product.quantity_on_hand, product.name) == (12, "Beans")  # nothing changed
    assert StockMovement.objects.filter(product=product).count() == 1

    # The figure as it stands (a client sending back what it read) is not a change.
    same = patch(
        merchandiser_client, f"{PRODUCTS}{product.pk}/", {"quantity_on_hand": 12, "name": "Y"}
    )
    assert same.status_code == 200, same.json()
    assert same.json()["name"] == "Y" and same.json()["quantity_on_hand"] == 12
    assert ledger_mismatches() == []


def test_deleting_a_product_with_a_real_sale_is_a_409_worded_for_the_api(manager, manager_client):
    from tests import factories

    product = factories.product(name="Espresso beans", stock=10)
    factories.open_shift(manager)
    factories.sale(manager, (product, 1))
    response = manager_client.delete(f"{PRODUCTS}{product.pk}/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "product_in_use"
    assert body["detail"] == (
        "“Espresso beans” has been sold, so it cannot be deleted: those records must keep "
        'pointing at it. Deactivate it instead with PATCH {"is_active": false} to hide it '
        "from the register."
    )
    assert Product.objects.filter(pk=product.pk).exists()


def test_a_product_with_only_opening_stock_can_be_deleted_through_the_api(
    merchandiser_client, manager_client
):
    from pos.models import StockMovement

    rate = make_tax_rate()
    body = {"name": "Oops", "sku": "OOPS-1", "price": "1.00", "tax_rate": rate.pk}
    created = post(merchandiser_client, PRODUCTS, {**body, "quantity_on_hand": 7}).json()
    assert StockMovement.objects.filter(product_id=created["id"]).count() == 1
    assert manager_client.delete(f"{PRODUCTS}{created['id']}/").status_code == 204
    assert not Product.objects.filter(pk=created["id"]).exists()
    assert not StockMovement.objects.filter(product_id=created["id"]).exists()


def test_a_upc_a_code_clashes_with_its_ean_13_form_through_the_api(merchandiser_client):
    make_product(name="Cola can", sku="COLA-1", barcode="036000291452")
    rate = make_tax_rate()
    body = {"name": "Cola", "sku": "C-2", "price": "1.00", "tax_rate": rate.pk}
    response = post(merchandiser_client, PRODUCTS, {**body, "barcode": "0036000291452"})
    assert response.status_code == 400
    message = "Barcode already used by Cola can (SKU COLA-1)."
    assert response.json()["errors"]["barcode"] == [message]
