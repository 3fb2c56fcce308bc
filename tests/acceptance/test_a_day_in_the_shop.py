"""A day in the shop, as the three roles live it, in a real browser against a live server.

1. Mia the merchandiser adds a product with an image and a barcode, and changes the receipt
   footer, watching it in the template's preview.
2. Casey the cashier opens a shift, scans the new product twice, pays part by card and the rest in
   cash, and prints the receipt, which shows the new footer.
3. Max the manager finds the sale in today's report and its chart, filters by Casey, downloads the
   CSV, XLSX and PDF and reads each, sees the product in the low-stock panel, approves a refund of
   one item back to stock at Casey's register, and sees the alert clear. Casey closes the shift.

Each step asserts what the person sees, not only what the database holds.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from catalog.models import Product
from catalog.validators import with_check_digit
from pos.models import LowStockAlert, Refund, Sale, Shift
from tests import factories
from tests.browser.register import fill_card, open_payment, scan
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BARCODE = with_check_digit("400638133393")
FOOTER = "Open on Sundays from 9 to 5"


def sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def merchandiser_adds_the_product(page: Page, tmp_path) -> None:
    picture = tmp_path / "oat-latte.png"
    Image.new("RGB", (320, 240), (190, 150, 100)).save(picture)

    sign_in(page, "mia")
    page.goto("/admin/catalog/products/add/")
    page.fill("#id_name", "Oat latte blend")
    page.fill("#id_sku", "COF-OAT")
    page.fill("#id_barcode", BARCODE)
    page.get_by_role("tab", name="Pricing & stock").click()
    page.fill("#id_price_0", "7.50")
    page.select_option("#id_tax_rate", label="Standard (8.25 %)")
    page.fill("#id_quantity_on_hand", "7")
    page.fill("#id_low_stock_threshold", "5")
    page.get_by_role("tab", name="Image & description").click()
    page.get_by_role("button", name="Choose an image").click()
    modal = page.locator(".modal")
    modal.get_by_role("tab", name="Upload").click()
    modal.locator("input[type=file]").set_input_files(str(picture))
    modal.get_by_label("Title").fill("Oat latte blend")
    modal.get_by_role("button", name="Upload").click()
    expect(page.locator(".chooser__title", has_text="Oat latte blend")).to_be_visible()
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("Oat latte blend")
    product = Product.objects.get(sku="COF-OAT")
    assert product.barcode == BARCODE and product.image is not None
    page.goto("/admin/catalog/products/?q=oat")
    expect(page.get_by_role("link", name="Oat latte blend")).to_be_visible()


def merchandiser_changes_the_receipt_footer(page: Page) -> None:
    page.goto("/admin/receipts/templates/")
    page.get_by_role("link", name="Standard 80 mm").first.click()
    page.wait_for_load_state("networkidle")
    footer = page.locator("[data-contentpath=footer] [contenteditable=true]")
    footer.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(FOOTER)
    expect(page.locator("#id_footer")).to_have_value(re.compile(FOOTER))  # editor saved it
    with page.expect_response(lambda r: "in_preview_panel" in r.url):
        page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("iframe.w-preview__iframe").last
    expect(preview.locator("body")).to_contain_text(FOOTER)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("updated")


def cashier_sells_it(page: Page) -> Sale:
    sign_in(page, "casey")
    page.wait_for_url("**/register/")
    page.fill("#opening-float", "100.00")
    page.keyboard.press("Enter")
    scan(page, BARCODE)
    scan(page, BARCODE)
    line = page.locator("#cart-lines .line", has_text="Oat latte blend")
    expect(line.locator(".qty-input")).to_have_value("2")
    expect(line).to_contain_text("$15.00")

    open_payment(page)
    fill_card(page, "4242 4242 4242 4242", amount="10.00")
    page.click("#add-tender")
    page.fill("#cash-tendered", "10")
    page.click("#pay-submit")
    expect(page.locator("#done-dialog")).to_be_visible()
    sale = Sale.objects.get()
    expect(page.locator("#done-change")).to_have_text(f"${sale.change_given.amount}")

    with page.expect_popup() as popup:
        page.click("#print-receipt")
    receipt = popup.value
    receipt.wait_for_load_state()
    expect(receipt.locator("body")).to_contain_text(sale.number)
    expect(receipt.locator("body")).to_contain_text("Oat latte blend")
    expect(receipt.locator("body")).to_contain_text(FOOTER)
    expect(receipt.locator("body")).to_contain_text("Visa •••• 4242")
    receipt.close()
    page.keyboard.press("n")
    return sale


def manager_reads_the_report(page: Page, sale: Sale, casey) -> None:
    total = f"${sale.total.amount}"
    sign_in(page, "max")
    expect(page.locator("body")).to_contain_text("Oat latte blend")  # the low-stock panel
    page.goto("/admin/reports/sales-overview/?preset=today")
    expect(page.locator("main")).to_contain_text(total)
    expect(page.locator("canvas")).to_have_count(1)  # the chart, drawn by the vendored library
    page.select_option("select[name=cashier]", str(casey.pk))
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(f"cashier={casey.pk}"))  # the filter is in the address
    expect(page.locator("main")).to_contain_text(total)

    for kind in ("csv", "xlsx", "pdf"):
        with page.expect_download() as download:
            page.get_by_role("link", name=kind.upper(), exact=True).click()
        data = Path(download.value.path()).read_bytes()
        assert str(sale.total.amount) in exported_text(kind, data), kind


def exported_text(kind: str, data: bytes) -> str:
    if kind == "csv":
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if kind == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).active
        values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
        return " ".join(
            f"{Decimal(str(v)):.2f}" if isinstance(v, int | float | Decimal) else str(v)
            for v in values
        )
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def manager_approves_a_refund_at_the_register(page: Page, sale: Sale) -> None:
    page.keyboard.press("F6")
    page.locator(f"#sales-list .sale-row[data-number='{sale.number}']").click()
    page.click("#sale-refund")
    item = page.locator("#refund-lines .refund-line", has_text="Oat latte blend")
    item.get_by_role("button", name="Refund one more Oat latte blend").click()
    item.locator(".refund-fate").select_option("restock")
    page.fill("#refund-approver", "max")
    page.fill("#refund-approver-password", PASSWORD)
    page.click("#refund-submit")
    expect(page.locator("#refund-done-title")).to_have_text("Refund R-000001")
    expect(page.locator("#refund-done-approver")).to_have_text("Approved by max")


def cashier_closes_the_shift(page: Page) -> None:
    page.keyboard.press("Escape")
    page.click("#shift-button")
    shift = Shift.objects.get(status=Shift.Status.OPEN)
    expected = page.locator("#shift-summary")
    expect(expected).to_contain_text("Expected cash in the drawer")
    page.fill("#counted-cash", "104.00")
    page.click("#close-shift-submit")
    expect(page.locator("#shift-closed-note")).to_be_visible()
    shift.refresh_from_db()
    assert shift.status == Shift.Status.CLOSED


def test_a_day_in_the_shop(new_page, tmp_path):
    make_user("mia", "Merchandisers")
    casey = make_user("casey", "Cashiers", first_name="Casey")
    make_user("max", "Managers")
    factories.tax_rate()  # Standard 8.25 %
    factories.category()

    merchandiser = new_page()
    merchandiser_adds_the_product(merchandiser, tmp_path)
    merchandiser_changes_the_receipt_footer(merchandiser)

    register = new_page(1024, 768)
    sale = cashier_sells_it(register)
    product = Product.objects.get(sku="COF-OAT")
    assert product.quantity_on_hand == 5
    assert LowStockAlert.objects.filter(product=product, cleared_at__isnull=True).exists()

    manager = new_page()
    manager_reads_the_report(manager, sale, casey)

    manager_approves_a_refund_at_the_register(register, sale)
    product.refresh_from_db()
    assert product.quantity_on_hand == 6
    assert Refund.objects.get().approved_by.username == "max"
    manager.goto("/admin/")
    expect(manager.locator("body")).not_to_contain_text("Oat latte blend")  # alert cleared
    assert not LowStockAlert.objects.filter(product=product, cleared_at__isnull=True).exists()

    cashier_closes_the_shift(register)
