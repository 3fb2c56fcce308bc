"""Every product rule of issue 3, in `full_clean()` and, where the database can, as constraints."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from djmoney.money import Money

from catalog import search
from catalog.models import Category, Product, TaxRate
from catalog.selectors import search_products
from catalog.testing import make_category, make_product, make_tax_rate
from store.selectors import current_store_settings

pytestmark = pytest.mark.django_db


def errors_of(product: Product) -> dict[str, list[str]]:
    try:
        product.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


def new_product(**values) -> Product:
    fields = {
        "name": "Espresso beans",
        "sku": "COF-1",
        "price": Money("8.90", "USD"),
        "tax_rate": make_tax_rate(),
    }
    fields.update(values)
    return Product(**fields)


def test_a_valid_product_has_no_errors():
    assert errors_of(new_product(barcode="4006381333931", cost_price=Money("4.10", "USD"))) == {}


def test_name_is_required_and_at_most_200_characters():
    assert errors_of(new_product(name=""))["name"] == ["This field cannot be blank."]
    assert errors_of(new_product(name="x" * 201))["name"] == [
        "Ensure this value has at most 200 characters (it has 201)."
    ]
    assert "name" not in errors_of(new_product(name="x" * 200))


def test_price_cannot_be_negative():
    assert errors_of(new_product(price=Money("-0.01", "USD")))["price"] == [
        "The price cannot be negative."
    ]
    assert errors_of(new_product(cost_price=Money("-1", "USD")))["cost_price"] == [
        "The cost price cannot be negative."
    ]
    assert errors_of(new_product(price=Money("0", "USD"))) == {}


def test_price_has_at_most_the_currency_decimals_with_one_message():
    assert errors_of(new_product(price=Money("12.345", "USD")))["price"] == [
        "The price has too many decimals for USD (at most 2)."
    ]


def test_a_zero_decimal_currency_refuses_cents():
    store = current_store_settings()
    store.currency = "JPY"
    store.save()
    product = new_product(price=Money("120.50", "JPY"))
    assert errors_of(product)["price"] == ["The price has too many decimals for JPY (at most 0)."]
    assert errors_of(new_product(price=Money("120", "JPY"))) == {}


def test_price_must_be_in_the_store_currency():
    assert errors_of(new_product(price=Money("1.00", "EUR")))["price"] == [
        "The price must be in the store currency, USD."
    ]


def test_quantity_below_zero_only_when_the_store_allows_negative_stock():
    message = "Stock cannot be below zero (the store does not allow negative stock)."
    assert errors_of(new_product(quantity_on_hand=-1))["quantity_on_hand"] == [message]
    store = current_store_settings()
    store.allow_negative_stock = True
    store.save()
    assert errors_of(new_product(quantity_on_hand=-1)) == {}


def test_sku_is_unique_whatever_the_case():
    make_product(sku="COF-1")
    assert errors_of(new_product(sku="cof-1"))["sku"] == ["Another product already has this SKU."]
    assert errors_of(new_product(sku=" COF-1 "))["sku"] == ["Another product already has this SKU."]


def test_the_same_product_may_keep_its_sku():
    product = make_product(sku="COF-1")
    assert errors_of(product) == {}


def test_barcode_is_unique_and_check_digit_validated():
    make_product(barcode="4006381333931")
    assert errors_of(new_product(barcode="4006381333931"))["barcode"] == [
        "Another product already has this barcode."
    ]
    assert errors_of(new_product(barcode="4006381333932"))["barcode"] == [
        "The check digit of this EAN-13 barcode is wrong: please re-scan or re-type it."
    ]
    for code in ("73513537", "036000291452"):  # EAN-8, UPC-A
        assert "barcode" not in errors_of(new_product(barcode=code))


def test_many_products_may_have_no_barcode():
    make_product(barcode="")
    make_product(barcode=None)
    assert Product.objects.filter(barcode__isnull=True).count() == 2


def test_threshold_cannot_be_negative():
    assert errors_of(new_product(low_stock_threshold=-1))["low_stock_threshold"] == [
        "Ensure this value is greater than or equal to 0."
    ]


@pytest.mark.parametrize(
    ("rate", "ok"), [("0", True), ("100", True), ("-0.01", False), ("100.01", False)]
)
def test_tax_rate_is_between_0_and_100(rate, ok):
    errors = {}
    try:
        TaxRate(name="X", rate=Decimal(rate)).full_clean()
    except ValidationError as error:
        errors = error.message_dict
    assert ("rate" not in errors) is ok


# --------------------------------------------------------------------------- raw saves


def raw(statement) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        statement()


def test_database_refuses_a_negative_price_even_without_clean():
    product = make_product()
    raw(lambda: Product.objects.filter(pk=product.pk).update(price=Decimal("-1")))
    product.price = Money("-1", "USD")
    raw(product.save)


def test_database_refuses_a_negative_cost_price_and_threshold():
    product = make_product()
    raw(lambda: Product.objects.filter(pk=product.pk).update(cost_price=Decimal("-1")))
    raw(lambda: Product.objects.filter(pk=product.pk).update(low_stock_threshold=-1))


def test_database_refuses_a_duplicate_sku_in_another_case_and_a_duplicate_barcode():
    make_product(sku="COF-1", barcode="4006381333931")
    raw(lambda: make_product(sku="cof-1"))
    raw(lambda: make_product(barcode="4006381333931"))


def test_database_refuses_a_tax_rate_above_100():
    raw(lambda: TaxRate.objects.create(name="Silly", rate=Decimal("100.5")))


# --------------------------------------------------------------------------- slugs, search index


def test_slugs_are_unique_even_for_equal_names():
    first = make_product(name="Bagel", sku="B-1")
    second = make_product(name="Bagel", sku="B-2")
    third = make_product(name="Bagel", sku="B-2x")
    assert len({first.slug, second.slug, third.slug}) == 3
    assert first.slug == "bagel" and second.slug == "bagel-b-2"
    assert Category.objects.create(name="Tea").slug != Category.objects.create(name="Tea").slug


def test_search_index_follows_inserts_updates_and_deletes():
    product = make_product(name="Cold brew bottle", sku="CB-1", quantity_on_hand=0)
    assert list(search_products(Product.objects.all(), "brew")) == [product]
    Product.objects.filter(pk=product.pk).update(name="Iced tea")  # no signals involved
    assert list(search_products(Product.objects.all(), "brew")) == []
    assert list(search_products(Product.objects.all(), "iced")) == [product]
    product.delete()
    assert list(search_products(Product.objects.all(), "iced")) == []


def test_search_index_is_installed_after_migrate():
    assert search.is_complete(connection)


def test_search_index_is_rebuilt_when_a_migration_dropped_it():
    make_product(name="Matcha powder")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # PostgreSQL will not index with checks pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    search.uninstall(connection)
    assert not search.is_complete(connection)
    search.ensure_search_index(using=connection.alias)
    assert search.is_complete(connection)
    assert search_products(Product.objects.all(), "matcha").count() == 1


def test_low_stock_is_at_or_below_the_threshold():
    assert make_product(quantity_on_hand=5, low_stock_threshold=5).is_low_stock
    assert not make_product(quantity_on_hand=6, low_stock_threshold=5).is_low_stock


def test_category_cannot_be_inside_itself():
    parent = make_category("Drinks")
    child = make_category("Juice", parent=parent)
    parent.parent = child
    with pytest.raises(ValidationError, match="cannot be inside itself"):
        parent.full_clean()


@pytest.mark.parametrize("dense", [2000, 3])
def test_indexed_search_finds_exactly_what_the_plain_conditions_find(monkeypatch, dense):
    """The index only narrows: the result is the plain ORM filter's, on every database,
    whether the term is rare (candidates) or common (no narrowing)."""
    from django.db.models import Q

    monkeypatch.setattr(search, "DENSE", dense)
    names = ["Espresso beans", "Decaf espresso", "Café crème", "50% off mug", "Green tea"]
    for n, name in enumerate(names):
        make_product(name=name, sku=f"SKU-{n:03d}", barcode=None)
    make_product(name="Plain", sku="Cof-9", barcode="4006381333931")
    terms = ["espresso", "ESPRESSO", "sku-00", "SKU-004", "cof-", "crème", "50%", "400638", "zzz"]
    for term in terms:
        plain = Product.objects.filter(
            Q(name__icontains=term)
            | Q(sku__istartswith=term)
            | (Q(barcode__startswith=term) if term.isdigit() else Q(pk__in=[]))
        )
        found = search_products(Product.objects.all(), term)
        assert set(found) == set(plain), term


def test_a_upc_a_and_its_ean_13_form_are_one_barcode():
    """036000291452 (UPC-A) and 0036000291452 (EAN-13) scan to the same product."""
    upc = make_product(name="Cola can", sku="COLA-1", barcode="036000291452")
    assert errors_of(new_product(barcode="0036000291452"))["barcode"] == [
        "Barcode already used by Cola can (SKU COLA-1)."
    ]
    upc.barcode = "0036000291452"  # its own code in the other form is no clash
    assert "barcode" not in errors_of(upc)
    upc.delete()
    make_product(name="Cola can", sku="COLA-2", barcode="0036000291452")
    assert errors_of(new_product(barcode="036000291452"))["barcode"] == [
        "Barcode already used by Cola can (SKU COLA-2)."
    ]
    assert "barcode" not in errors_of(new_product(barcode="4006381333931"))
