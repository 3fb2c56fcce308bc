"""The catalog in the Wagtail admin: pages load for merchandisers and managers, never cashiers."""

from __future__ import annotations

import json
import re
from unittest import mock

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from djmoney.money import Money
from wagtail.models import ModelLogEntry

from catalog.models import Category, Product, TaxRate
from catalog.testing import make_category, make_image, make_product, make_tax_rate

pytestmark = pytest.mark.django_db

LIST = "/admin/catalog/products/"
EMPTY_RICH_TEXT = json.dumps({"blocks": [], "entityMap": {}})


@pytest.fixture(params=["merchandiser", "manager"])
def editor_client(request):
    return request.getfixturevalue(f"{request.param}_client")


def form_data(**values) -> dict:
    """What the product edit form posts (all tabs)."""
    data = {
        "name": "Flat white beans",
        "sku": "COF-77",
        "barcode": "4006381333931",
        "category": "",
        "is_active": "on",
        "slug": "",
        "price_0": "12.50",
        "price_1": "USD",
        "cost_price_0": "",
        "cost_price_1": "USD",
        "tax_rate": str(make_tax_rate().pk),
        "quantity_on_hand": "10",
        "low_stock_threshold": "3",
        "image": "",
        "description": EMPTY_RICH_TEXT,
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


# --------------------------------------------------------------------------- who gets in


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        LIST + "add/",
        "/admin/catalog/categories/",
        "/admin/catalog/tax-rates/",
        LIST + "import/",
        LIST + "export.csv",
    ],
)
def test_cashiers_never_reach_the_catalog_admin(cashier_client, url):
    assert cashier_client.get(url).status_code == 403


def test_cashiers_cannot_open_a_product_either(cashier_client):
    product = make_product()
    for url in (f"{LIST}edit/{product.pk}/", f"{LIST}delete/{product.pk}/"):
        assert cashier_client.get(url).status_code == 403
    response = cashier_client.post(f"{LIST}delete/{product.pk}/")
    assert response.status_code == 403 and Product.objects.filter(pk=product.pk).exists()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_catalog_menu_lists_products_categories_tax_rates_and_import(merchandiser_client):
    body = merchandiser_client.get("/admin/").content.decode()
    for label in ("Catalog", "Products", "Categories", "Tax rates", "Import products (CSV)"):
        assert label in body


# --------------------------------------------------------------------------- product list


def test_product_list_shows_thumbnail_sku_babel_price_stock_marker_active(editor_client):
    coffee = make_category("Coffee")
    make_product(
        name="Espresso beans",
        sku="COF-1",
        price="8.90",
        category=coffee,
        quantity_on_hand=2,
        low_stock_threshold=5,
        image=make_image(),
    )
    make_product(name="Green tea", sku="TEA-1", price="1234.50", quantity_on_hand=40)
    response = editor_client.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Espresso beans" in body and "COF-1" in body
    assert "$8.90" in body and "$1,234.50" in body  # Babel, store locale en_US
    assert re.search(r'catalog-stock--low">2\s*<span class="w-status[^"]*">\s*Low stock', body)
    assert body.count("catalog-stock--low") == 1  # Green tea is not low
    assert 'class="catalog-thumb"' in body
    assert "Import CSV" in body and "Export all products (CSV)" in body


def test_price_is_written_in_the_store_locale(merchandiser_client):
    from store.selectors import current_store_settings

    store = current_store_settings()
    store.locale = "de_DE"
    store.save()
    make_product(price="1234.50")
    assert "1.234,50\xa0$" in merchandiser_client.get(LIST).content.decode()


def test_list_runs_a_fixed_number_of_queries(merchandiser_client, django_assert_max_num_queries):
    for _ in range(3):
        make_product(image=make_image())
    merchandiser_client.get(LIST)  # renditions are generated on the first view
    with django_assert_max_num_queries(40) as few:
        merchandiser_client.get(LIST)
    count = len(few)  # read now: the next request clears the query log
    for _ in range(25):
        make_product(image=make_image())
    merchandiser_client.get(LIST)
    with django_assert_max_num_queries(count):
        merchandiser_client.get(LIST)


def names_in(response) -> set[str]:
    return {p.name for p in response.context["object_list"]}


def test_filters_category_active_and_low_stock(editor_client):
    coffee, tea = make_category("Coffee"), make_category("Tea")
    make_product(name="Espresso", category=coffee, quantity_on_hand=50)
    make_product(name="Decaf", category=coffee, quantity_on_hand=1, low_stock_threshold=5)
    make_product(name="Old blend", category=coffee, is_active=False)
    make_product(name="Sencha", category=tea, quantity_on_hand=5, low_stock_threshold=5)
    assert names_in(editor_client.get(LIST, {"category": coffee.pk})) == {
        "Espresso",
        "Decaf",
        "Old blend",
    }
    assert names_in(editor_client.get(LIST, {"is_active": "false"})) == {"Old blend"}
    assert names_in(editor_client.get(LIST, {"low_stock": "true"})) == {"Decaf", "Sencha"}
    both = editor_client.get(LIST, {"low_stock": "true", "category": tea.pk})
    assert names_in(both) == {"Sencha"}


def test_search_by_name_sku_and_barcode(editor_client):
    make_product(name="Espresso beans", sku="COF-001", barcode="4006381333931")
    make_product(name="Green tea", sku="TEA-001", barcode="73513537")
    assert names_in(editor_client.get(LIST, {"q": "presso"})) == {"Espresso beans"}
    assert names_in(editor_client.get(LIST, {"q": "tea-0"})) == {"Green tea"}
    assert names_in(editor_client.get(LIST, {"q": "735135"})) == {"Green tea"}
    assert names_in(editor_client.get(LIST, {"q": "nothing like it"})) == set()


def test_category_and_tax_rate_screens_load(editor_client):
    make_category("Coffee")
    make_tax_rate()
    for url in (
        "/admin/catalog/categories/",
        "/admin/catalog/categories/add/",
        "/admin/catalog/tax-rates/",
        "/admin/catalog/tax-rates/add/",
    ):
        assert editor_client.get(url).status_code == 200, url


# --------------------------------------------------------------------------- add and edit


def test_add_form_has_three_tabs(editor_client):
    body = editor_client.get(LIST + "add/").content.decode()
    for tab in ("Details", "Pricing &amp; stock", "Image &amp; description"):
        assert tab in body
    assert "Price (USD)" in body


def test_adding_a_product_records_a_revision_and_history(editor_client):
    response = editor_client.post(LIST + "add/", form_data())
    assert response.status_code == 302, response.context["form"].errors
    product = Product.objects.get(sku="COF-77")
    assert product.price == Money("12.50", "USD") and product.slug == "flat-white-beans"
    assert product.latest_revision is not None
    assert ModelLogEntry.objects.for_instance(product).filter(action="wagtail.create").exists()


def test_editing_records_history_and_the_history_page_shows_it(editor_client):
    product = make_product(name="Bagel", sku="BAK-1", barcode="")
    data = form_data(name="Sesame bagel", sku="BAK-1", barcode="")
    response = editor_client.post(f"{LIST}edit/{product.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    product.refresh_from_db()
    assert product.name == "Sesame bagel"
    history = editor_client.get(f"{LIST}history/{product.pk}/")
    assert history.status_code == 200 and "Edited" in history.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price_0", "12.345", "The price has too many decimals for USD (at most 2)."),
        ("price_0", "-1", "The price cannot be negative."),
        ("quantity_on_hand", "-2", "Stock cannot be below zero"),
        ("barcode", "4006381333932", "The check digit of this EAN-13 barcode is wrong"),
        ("low_stock_threshold", "-1", "Ensure this value is greater than or equal to 0."),
        ("name", "", "This field is required."),
        ("name", "x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_admin_form_reports_the_model_rules(merchandiser_client, field, value, message):
    response = merchandiser_client.post(LIST + "add/", form_data(**{field: value}))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "no more than 2 decimal places" not in body  # one message per problem
    assert not Product.objects.exists()


def test_admin_form_refuses_a_duplicate_sku_in_another_case(merchandiser_client):
    make_product(sku="COF-77")
    response = merchandiser_client.post(LIST + "add/", form_data(sku="cof-77"))
    assert "Another product already has this SKU." in response.content.decode()
    assert Product.objects.count() == 1


# --------------------------------------------------------------------------- delete


def test_a_product_nobody_refers_to_can_be_deleted(editor_client):
    product = make_product(quantity_on_hand=0)
    response = editor_client.post(f"{LIST}delete/{product.pk}/")
    assert response.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()


def test_deleting_a_sold_product_explains_and_keeps_it(editor_client):
    product = make_product(name="Espresso beans", quantity_on_hand=0)
    sold = ProtectedError("protected", {mock.Mock(_meta=mock.Mock(model_name="saleline"))})
    with mock.patch.object(Product, "delete", side_effect=sold):
        response = editor_client.post(f"{LIST}delete/{product.pk}/", follow=True)
    body = response.content.decode()
    assert "“Espresso beans” has been sold, so it cannot be deleted" in body
    assert "Deactivate it instead (untick Active)" in body
    assert Product.objects.filter(pk=product.pk).exists()
    assert response.redirect_chain[-1][0] == f"{LIST}edit/{product.pk}/"


def test_delete_confirmation_is_skipped_with_an_explanation_when_blocked(editor_client):
    product = make_product(name="Espresso beans", quantity_on_hand=0)
    sold = ProtectedError("protected", {mock.Mock(_meta=mock.Mock(model_name="saleline"))})
    with mock.patch("catalog.services.deletion_blocker", return_value=(product, sold)):
        response = editor_client.get(f"{LIST}delete/{product.pk}/", follow=True)
    assert "has been sold, so it cannot be deleted" in response.content.decode()


def test_bulk_delete_of_sold_products_is_refused_with_the_explanation(editor_client):
    kept = make_product(name="Espresso beans", quantity_on_hand=0)
    other = make_product(name="Bagel", quantity_on_hand=0)
    sold = ProtectedError("protected", {mock.Mock(_meta=mock.Mock(model_name="saleline"))})
    url = reverse("wagtail_bulk_action", args=("catalog", "product", "delete"))
    url += f"?id={kept.pk}&id={other.pk}"
    with mock.patch("catalog.services.deletion_blocker", return_value=(kept, sold)):
        response = editor_client.post(url, follow=True)
    assert "“Espresso beans” has been sold" in response.content.decode()
    assert Product.objects.count() == 2


def test_real_protection_is_detected_before_deleting(editor_client):
    """With a real PROTECT foreign key (stock movements, sale lines) the collector sees it."""
    from catalog import services

    product = make_product(quantity_on_hand=0)
    assert services.deletion_blocker([product]) is None
    category = Category.objects.create(name="Kept")
    assert services.deletion_blocker([category]) is None
    rate = TaxRate.objects.create(name="Zero", rate=0)
    make_product(tax_rate=rate)
    blocked = services.deletion_blocker([rate])  # Product.tax_rate is PROTECT
    assert blocked is not None and blocked[0] == rate


def test_deleting_a_tax_rate_in_use_explains_and_keeps_it(editor_client):
    rate = make_tax_rate("Standard", "8.25")
    make_product(tax_rate=rate)
    make_product(tax_rate=rate)
    response = editor_client.post(f"/admin/catalog/tax-rates/delete/{rate.pk}/", follow=True)
    assert "is the tax rate of 2 products, so it cannot be deleted" in response.content.decode()
    assert TaxRate.objects.filter(pk=rate.pk).exists()


def test_an_unused_category_can_be_deleted_and_its_products_stay(editor_client):
    tea = make_category("Tea")
    product = make_product(category=tea)
    response = editor_client.post(f"/admin/catalog/categories/delete/{tea.pk}/")
    assert response.status_code == 302 and not Category.objects.filter(pk=tea.pk).exists()
    product.refresh_from_db()
    assert product.category is None


# ------------------------------------------------------------------- stock stays in the ledger


def test_reverting_a_revision_never_puts_old_stock_back(manager, manager_client):
    from pos import inventory
    from pos.models import StockMovement

    response = manager_client.post(LIST + "add/", form_data(quantity_on_hand="10"))
    assert response.status_code == 302, response.content
    product = Product.objects.get(sku="COF-77")
    opening = StockMovement.objects.get(product=product)
    assert (opening.kind, opening.quantity, opening.user) == ("opening", 10, manager)
    first_revision = product.latest_revision
    inventory.adjust_stock(product=product, quantity=-3, reason="damaged", user=manager)

    url = f"{LIST}history/{product.pk}/revisions/{first_revision.pk}/revert/"
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, form_data(name="Reverted beans", quantity_on_hand="10"))
    assert response.status_code == 302, response.content
    product.refresh_from_db()
    assert product.name == "Reverted beans"
    assert product.quantity_on_hand == 7  # the revision's 10 is not written back
    assert product.latest_revision.content["quantity_on_hand"] == 7
    assert inventory.ledger_mismatches() == []


def test_deleting_a_product_with_a_real_completed_sale_says_sold_not_in_a_cart(
    manager, editor_client
):
    from tests import factories

    product = factories.product(name="Espresso beans", stock=10)
    factories.open_shift(manager)
    factories.sale(manager, (product, 2))  # its checked-out cart's line still points at it
    response = editor_client.get(f"{LIST}delete/{product.pk}/", follow=True)
    body = response.content.decode()
    assert "“Espresso beans” has been sold, so it cannot be deleted" in body
    assert "in a cart" not in body
    assert "Deactivate it instead (untick Active)" in body
    response = editor_client.post(f"{LIST}delete/{product.pk}/", follow=True)
    assert "“Espresso beans” has been sold, so it cannot be deleted" in response.content.decode()
    assert Product.objects.filter(pk=product.pk).exists()


def test_a_product_in_an_open_cart_is_said_to_be_in_a_cart(cashier, editor_client):
    from pos import services as pos_services
    from tests import factories

    product = factories.product(name="Bagel", stock=10)
    cart, _ = pos_services.open_cart(user=cashier)
    pos_services.add_to_cart(cart=cart, product_id=product.pk, quantity=1)
    response = editor_client.post(f"{LIST}delete/{product.pk}/", follow=True)
    body = response.content.decode()
    assert "“Bagel” is in a cart at the register, so it cannot be deleted" in body
    assert Product.objects.filter(pk=product.pk).exists()


def test_a_product_with_only_its_own_stock_history_can_be_deleted(manager, editor_client):
    from pos import inventory
    from pos.models import LowStockAlert, StockMovement
    from tests import factories

    product = factories.product(name="Typo product", stock=12, threshold=20)  # opening stock
    inventory.receive_stock(product=product, quantity=3, user=manager)
    assert StockMovement.objects.filter(product=product).count() == 2
    assert LowStockAlert.objects.filter(product=product).exists()
    confirm = editor_client.get(f"{LIST}delete/{product.pk}/")
    assert confirm.status_code == 200  # the confirmation page, no refusal
    response = editor_client.post(f"{LIST}delete/{product.pk}/")
    assert response.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
    assert not StockMovement.objects.filter(product_id=product.pk).exists()
    assert inventory.ledger_mismatches() == []


def test_bulk_delete_of_products_with_only_stock_history(editor_client):
    from tests import factories

    first, second = factories.product(stock=5), factories.product(stock=0)
    url = reverse("wagtail_bulk_action", args=("catalog", "product", "delete"))
    response = editor_client.post(f"{url}?id={first.pk}&id={second.pk}")
    assert response.status_code == 302
    assert not Product.objects.filter(pk__in=[first.pk, second.pk]).exists()


# --------------------------------------------------------------------------- category history


def test_editing_a_category_creates_a_revision_with_history(editor_client):
    from wagtail.models import Revision

    category = make_category("Coffee")
    url = f"/admin/catalog/categories/edit/{category.pk}/"
    data = {"name": "Coffee beans", "parent": "", "ordering": "2", "slug": category.slug}
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content
    category.refresh_from_db()
    revision = category.latest_revision
    assert revision is not None and revision.content["name"] == "Coffee beans"
    response = editor_client.post(url, {**data, "name": "Coffee"})
    assert response.status_code == 302
    assert Revision.objects.for_instance(category).count() == 2
    history = editor_client.get(f"/admin/catalog/categories/history/{category.pk}/")
    assert history.status_code == 200
    first, second = Revision.objects.for_instance(category).order_by("id")
    compare = reverse(
        "catalog_categories:revisions_compare", args=(category.pk, first.pk, second.pk)
    )
    assert editor_client.get(compare).status_code == 200


def test_the_product_page_shows_its_recent_stock_history(editor_client, manager):
    from tests import factories

    product = make_product(name="Oat milk", quantity_on_hand=12)
    factories.open_shift(manager)
    sale = factories.sale(manager, (product, 3))
    page = editor_client.get(f"{LIST}edit/{product.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    panel = text[text.index("catalog-stock-history") :]
    assert "Stock history" in text
    assert sale.number in panel and "−3" in panel and "+12" in panel
    assert f"/admin/inventory/products/{product.pk}/movements/" in panel
    assert "All 2 movements" in panel


def test_the_stock_history_panel_is_not_on_a_new_product(editor_client):
    page = editor_client.get(f"{LIST}add/")
    assert page.status_code == 200 and "catalog-stock-history" not in page.content.decode()
