"""CSV import and export of products: dry run, per-row errors, all or nothing, 5,000 rows."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from djmoney.money import Money
from wagtail.models import ModelLogEntry

from catalog.models import Product, ProductImport
from catalog.selectors import product_export_rows, search_products
from catalog.services import CSV_COLUMNS, import_products_csv
from catalog.signals import products_imported
from catalog.testing import barcode_for, make_category, make_product, make_tax_rate
from pos_site.errors import ServiceError

pytestmark = pytest.mark.django_db

HEADER = ",".join(CSV_COLUMNS)
IMPORT = "/admin/catalog/products/import/"


@pytest.fixture(autouse=True)
def catalog_basics():
    make_category("Coffee")
    make_category("Tea")
    make_tax_rate("Standard", "8.25")
    make_tax_rate("Reduced", "2.50")


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def run(text: str, *, dry_run: bool = False, user=None):
    return import_products_csv(text.encode(), dry_run=dry_run, user=user, filename="t.csv")


GOOD = csv_text(
    "COF-1,Espresso beans 250 g,4006381333931,Coffee,8.90,4.10,Standard,24,6,true,Dark roast",
    "TEA-1,Green tea,,Tea,4.80,,Reduced,18,5,yes,",
)


def test_happy_path_creates_products_with_history(merchandiser):
    report = run(GOOD, user=merchandiser)
    assert report.applied and (report.created, report.updated, report.errors) == (2, 0, [])
    espresso = Product.objects.get(sku="COF-1")
    assert espresso.price == Money("8.90", "USD") and espresso.cost_price == Money("4.10", "USD")
    assert espresso.category.name == "Coffee" and espresso.tax_rate.name == "Standard"
    assert (espresso.quantity_on_hand, espresso.low_stock_threshold) == (24, 6)
    assert espresso.barcode == "4006381333931" and espresso.slug == "espresso-beans-250-g"
    assert "Dark roast" in espresso.description and espresso.description.startswith("<p")
    tea = Product.objects.get(sku="TEA-1")
    assert tea.barcode is None and tea.cost_price is None and tea.is_active
    entry = ModelLogEntry.objects.for_instance(espresso).get()
    assert entry.action == "catalog.import" and entry.user == merchandiser
    assert entry.revision == espresso.latest_revision and entry.revision is not None
    assert "Created by CSV import (t.csv)" in entry.message


def test_imported_products_are_found_by_search(merchandiser):
    run(GOOD, user=merchandiser)
    assert search_products(Product.objects.all(), "espresso").get().sku == "COF-1"


def test_updates_match_the_sku_in_any_case_and_only_given_columns_change(merchandiser):
    product = make_product(sku="COF-1", name="Espresso", price="8.00", quantity_on_hand=3)
    report = run("sku,price\ncof-1,9.10\n", user=merchandiser)
    assert (report.created, report.updated) == (0, 1)
    product.refresh_from_db()
    assert product.price == Money("9.10", "USD")
    assert product.name == "Espresso" and product.quantity_on_hand == 3  # columns left out
    assert product.sku == "COF-1"  # the SKU keeps its own spelling


def test_unchanged_rows_are_counted_and_not_written(merchandiser):
    run(GOOD, user=merchandiser)
    before = Product.objects.get(sku="COF-1").updated_at
    report = run(GOOD, user=merchandiser)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert Product.objects.get(sku="COF-1").updated_at == before


def test_empty_cells_keep_values_except_clearable_columns(merchandiser):
    run(GOOD, user=merchandiser)
    run(csv_text("COF-1,,,,,,,,,,"), user=merchandiser)
    product = Product.objects.get(sku="COF-1")
    assert product.name == "Espresso beans 250 g" and product.price == Money("8.90", "USD")
    assert product.barcode is None and product.category is None and product.cost_price is None
    assert product.description == ""


def test_dry_run_changes_nothing(merchandiser):
    make_product(sku="COF-1", price="1.00")
    report = run(GOOD, dry_run=True, user=merchandiser)
    assert report.dry_run and not report.applied
    assert (report.created, report.updated) == (1, 1)
    assert Product.objects.count() == 1
    assert Product.objects.get(sku="COF-1").price == Money("1.00", "USD")
    assert not ModelLogEntry.objects.filter(action="catalog.import").exists()


BAD = csv_text(
    "NEW-1,Flat white,4006381333931,Coffee,12.345,,Standard,10,3,true,",
    "NEW-2,,,Cakes,abc,,Luxury,-1,2,maybe,",
    "NEW-3,Oat milk,4006381333932,Tea,2.40,1.10,Reduced,30,-5,yes,",
    "new-1,Duplicate,,Coffee,1.00,,Standard,1,1,true,",
    "NEW-5,Good row,,Coffee,1.00,,Standard,1,1,true,",
)


def test_bad_rows_are_reported_by_row_column_and_message_and_nothing_is_written(merchandiser):
    report = run(BAD, user=merchandiser)
    assert not report.applied and Product.objects.count() == 0
    found = {(e.row, e.column, e.message) for e in report.errors}
    assert found >= {
        (2, "price", "The price has too many decimals for USD (at most 2)."),
        (3, "name", "This field is required."),
        (3, "price", "Enter a number (not “abc”), like 12.50."),
        (
            3,
            "category",
            "There is no category “Cakes”. Add it under Catalog › Categories "
            "first, or correct the name.",
        ),
        (3, "tax_rate", "There is no tax rate “Luxury”: use one of Reduced, Standard."),
        (3, "is_active", "Write true or false (not “maybe”)."),
        (
            3,
            "quantity_on_hand",
            "Stock cannot be below zero (the store does not allow negative stock).",
        ),
        (
            4,
            "barcode",
            "The check digit of this EAN-13 barcode is wrong: please re-scan or re-type it.",
        ),
        (4, "low_stock_threshold", "Ensure this value is greater than or equal to 0."),
        (5, "sku", "SKU new-1 is also on row 2."),
    }
    assert report.error_rows == 4 and report.created == 1  # only NEW-5 was fine


def test_barcode_clashes_with_other_products_and_other_rows(merchandiser):
    make_product(sku="OLD-1", barcode="4006381333931")
    report = run(
        csv_text(
            "NEW-1,A,4006381333931,,1.00,,Standard,1,1,true,",
            f"NEW-2,B,{barcode_for(123)},,1.00,,Standard,1,1,true,",
            f"NEW-3,C,{barcode_for(123)},,1.00,,Standard,1,1,true,",
            "OLD-1,Same product keeps its code,4006381333931,,1.00,,Standard,1,1,true,",
        ),
        user=merchandiser,
    )
    messages = {(e.row, e.message) for e in report.errors}
    assert messages == {
        (2, "Another product already has this barcode."),
        (4, f"Barcode {barcode_for(123)} is also on row 3."),
    }


def test_a_spreadsheet_mangled_barcode_gets_a_hint(merchandiser):
    report = run(csv_text("NEW-1,A,4.00638E+12,,1.00,,Standard,1,1,true,"), user=merchandiser)
    assert "Format the barcode column as Text" in report.errors[0].message


def test_new_products_need_name_price_and_tax_rate_columns(merchandiser):
    report = run("sku,name\nNEW-1,Thing\n", user=merchandiser)
    assert {(e.column, e.message) for e in report.errors} == {
        ("price", "This field is required."),
        ("tax_rate", "This field is required."),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("sku,name\n", "header row but no products"),
        ("name,price\nA,1\n", "one of them must be sku"),
        ("sku,colour\nA,red\n", "Unknown column colour"),
        ("sku,sku\nA,B\n", "Column sku appears twice"),
    ],
)
def test_file_level_problems_raise_a_clear_error(merchandiser, text, message):
    with pytest.raises(ServiceError, match=message):
        run(text, user=merchandiser)


def test_semicolon_files_and_header_spelling_variants_are_read(merchandiser):
    report = run("SKU;Name;Price;Tax rate\nA-1;Thing;1.50;standard\n", user=merchandiser)
    assert report.applied and Product.objects.get(sku="A-1").price == Money("1.50", "USD")


def test_import_tells_the_inventory_about_new_stock(manager):
    make_product(sku="COF-1", quantity_on_hand=3)
    seen = {}

    def listener(sender, created, stock_changes, user, **kwargs):
        seen.update(created=[p.sku for p in created], changes=stock_changes, user=user)

    products_imported.connect(listener)
    try:
        run(GOOD, user=manager)
    finally:
        products_imported.disconnect(listener)
    assert seen["created"] == ["TEA-1"] and seen["user"] == manager
    [(product, before, after)] = seen["changes"]
    assert (product.sku, before, after) == ("COF-1", 3, 24)


def test_five_thousand_rows_import(merchandiser):
    rows = [
        f"BULK-{n:05d},Bulk product {n},{barcode_for(500_000 + n)},Coffee,{n % 50 + 1}.25,,"
        f"Standard,{n % 30},5,true,Line {n}"
        for n in range(5000)
    ]
    make_product(sku="BULK-00007", name="Exists already")
    report = run(csv_text(*rows), user=merchandiser)
    assert report.applied and report.errors == []
    assert (report.created, report.updated) == (4999, 1)
    assert Product.objects.filter(sku__startswith="BULK-").count() == 5000
    assert Product.objects.get(sku="BULK-00007").name == "Bulk product 7"
    assert ModelLogEntry.objects.filter(action="catalog.import").count() == 5000


def test_export_reads_back_unchanged(merchandiser):
    run(GOOD, user=merchandiser)
    rows = list(product_export_rows())
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[1][:10] == [
        "COF-1",
        "Espresso beans 250 g",
        "4006381333931",
        "Coffee",
        "8.90",
        "4.10",
        "Standard",
        "24",
        "6",
        "true",
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    report = run(buffer.getvalue(), user=merchandiser)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


# --------------------------------------------------------------------------- admin screens


def upload(client, text: str, name: str = "products.csv", **extra):
    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(IMPORT, {"file": file, **extra})


def test_import_page_previews_then_confirms(merchandiser_client):
    page = merchandiser_client.get(IMPORT)
    assert page.status_code == 200 and "Upload a CSV file" in page.content.decode()
    preview = upload(merchandiser_client, GOOD)
    body = preview.content.decode()
    assert preview.status_code == 200 and "Preview of products.csv" in body
    assert "/confirm/" in body and Product.objects.count() == 0
    pending = ProductImport.objects.get()
    response = merchandiser_client.post(f"{IMPORT}{pending.pk}/confirm/", follow=True)
    assert "Imported products.csv: 2 products created, 0 updated" in response.content.decode()
    assert Product.objects.count() == 2
    pending.refresh_from_db()
    assert pending.applied_at is not None and pending.created_count == 2
    again = merchandiser_client.post(f"{IMPORT}{pending.pk}/confirm/", follow=True)
    assert "already been imported" in again.content.decode()


def test_import_page_lists_row_errors_and_offers_no_confirmation(merchandiser_client):
    body = " ".join(upload(merchandiser_client, BAD).content.decode().split())
    assert "problems in 4 rows" in body and "Luxury" in body
    assert "/confirm/" not in body  # no confirmation form


def test_someone_else_cannot_confirm_my_upload(merchandiser_client, manager_client):
    upload(merchandiser_client, GOOD)
    pending = ProductImport.objects.get()
    assert manager_client.post(f"{IMPORT}{pending.pk}/confirm/").status_code == 404
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("products.xlsx", "PK\x03\x04...", "XLSX files cannot be imported: upload a CSV file"),
        ("products.csv", "PK\x03\x04...", "This is a spreadsheet workbook (.xlsx)"),
        ("photo.png", "\x89PNG", "PNG files cannot be imported"),
    ],
)
def test_only_csv_files_are_accepted(merchandiser_client, name, content, message):
    body = upload(merchandiser_client, content, name=name).content.decode()
    assert message in body and not ProductImport.objects.exists()


def test_files_over_5_mb_are_refused(merchandiser_client):
    big = HEADER + "\n" + ("x" * 1023 + "\n") * (5 * 1024 + 1)
    body = upload(merchandiser_client, big).content.decode()
    assert "the limit is 5 MB" in body and not ProductImport.objects.exists()


def test_export_downloads_every_product_as_csv(merchandiser_client):
    make_product(sku="COF-1", name="Espresso, strong", price="8.90")
    response = merchandiser_client.get("/admin/catalog/products/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(CSV_COLUMNS) and rows[1][:2] == ["COF-1", "Espresso, strong"]


def test_sample_file_is_importable(merchandiser_client, merchandiser):
    text = merchandiser_client.get(IMPORT + "sample.csv").content.decode("utf-8-sig")
    report = run(text, dry_run=True, user=merchandiser)
    assert report.errors == [] and report.created == 1


def test_a_sku_taken_while_importing_aborts_everything_with_a_clear_error(merchandiser):
    from unittest import mock

    from pos_site.errors import ConflictError

    def taken_meanwhile(*args, **kwargs):
        make_product(sku="tea-1")  # another user, between the checks and the writes
        return original(*args, **kwargs)

    from catalog import services

    original = services._insert_rows
    with mock.patch.object(services, "_insert_rows", side_effect=taken_meanwhile):
        with pytest.raises(ConflictError, match="Nothing was imported"):
            run(GOOD, user=merchandiser)
    assert not Product.objects.filter(sku="COF-1").exists()


# --------------------------------------------------------------------------- stock in a file


def test_without_the_stock_permission_existing_stock_is_left_with_a_warning(merchandiser):
    from pos.inventory import ledger_mismatches
    from pos.models import StockMovement

    product = make_product(sku="COF-1", name="Espresso", price="8.00", quantity_on_hand=3)
    preview = run("sku,price,quantity_on_hand\nCOF-1,9.10,99\n", dry_run=True, user=merchandiser)
    [warning] = preview.warnings
    assert (warning.row, warning.sku, warning.column) == (2, "COF-1", "quantity_on_hand")
    assert warning.message.startswith("Stock not changed (99 in the file, 3 in stock)")
    assert not preview.errors and preview.updated == 1

    report = run("sku,name,price,tax_rate,quantity_on_hand\nCOF-1,Espresso,9.10,Standard,99\n"
                 "NEW-1,New,1.00,Standard,5\n", user=merchandiser)  # fmt: skip
    assert report.applied and len(report.warnings) == 1
    product.refresh_from_db()
    assert product.price == Money("9.10", "USD") and product.quantity_on_hand == 3
    assert list(StockMovement.objects.filter(product=product).values_list("kind", "quantity")) == [
        ("opening", 3)
    ]
    opening = StockMovement.objects.get(product__sku="NEW-1")  # new products: opening stock
    assert (opening.kind, opening.quantity, opening.user) == ("opening", 5, merchandiser)
    assert ledger_mismatches() == []


def test_with_the_stock_permission_a_stock_figure_is_a_count_by_that_user(manager):
    from pos import inventory
    from pos.models import StockMovement

    product = make_product(sku="COF-1", quantity_on_hand=10)
    report = run("sku,quantity_on_hand\nCOF-1,4\n", user=manager)
    assert report.applied and not report.warnings and report.updated == 1
    product.refresh_from_db()
    assert product.quantity_on_hand == 4
    count = StockMovement.objects.filter(product=product).latest("id")
    assert (count.kind, count.quantity, count.resulting_quantity, count.user) == (
        "count",
        -6,
        4,
        manager,
    )
    assert inventory.ledger_mismatches() == []


def test_a_upc_a_in_the_file_clashes_with_its_ean_13_form(merchandiser):
    make_product(name="Cola can", sku="COLA-1", barcode="0036000291452")
    text = (
        "sku,name,barcode,price,tax_rate\n"
        "NEW-1,Cola,036000291452,1.00,Standard\n"
        "NEW-2,Gum,012345678905,1.00,Standard\n"
        "NEW-3,Gum 2,0012345678905,1.00,Standard\n"
    )
    report = run(text, dry_run=True, user=merchandiser)
    found = {(e.row, e.column, e.message) for e in report.errors}
    assert found == {
        (2, "barcode", "Barcode already used by Cola can (SKU COLA-1)."),
        (4, "barcode", "Barcode 0012345678905 is also on row 3."),
    }
