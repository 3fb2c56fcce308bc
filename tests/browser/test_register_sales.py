"""The sales of the shift on the register: reprint, email, refunds with a manager's approval,
voids, and cash in / out of the drawer. Playwright driving Debian's Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from pos.models import CashMovement, Refund, Sale, StockMovement
from tests import factories
from tests.conftest import PASSWORD, make_user

from .register import line, open_payment, scan, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sell(page, *products) -> Sale:
    """Scan the products, pay the exact amount in cash, start the next sale."""
    for product in products:
        scan(page, product.barcode)
        expect(line(page, product.name)).to_be_visible()
    open_payment(page)
    page.click("#pay-submit")
    expect(page.locator("#done-dialog")).to_be_visible()
    number = page.locator("#done-title").inner_text().split()[1]
    page.keyboard.press("n")
    expect(page.locator("#done-dialog")).not_to_be_visible()
    return Sale.objects.get(number=number)


def open_sales(page):
    page.keyboard.press("F6")
    expect(page.locator("#sales-dialog")).to_be_visible()
    expect(page.locator("#sales-list[aria-busy=false]")).to_have_count(1)


def test_recent_sales_list_and_reprint(page):
    make_user("casey", "Cashiers")
    beans = factories.product("Espresso beans", "8.90", stock=10)
    cup = factories.product("Reusable cup", "12.00", stock=10)
    sign_in(page, "casey")
    first = sell(page, beans)
    second = sell(page, cup, beans)

    open_sales(page)
    rows = page.locator("#sales-list .sale-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(second.number)  # newest first
    expect(rows.nth(0)).to_contain_text(f"${second.total.amount}")
    expect(rows.nth(1)).to_contain_text(first.number)
    expect(page.locator("#sales-count")).to_have_text("2 sales in this shift")

    # Reprint straight from the list: the receipt's print page opens in a new tab.
    with page.expect_popup() as popup:
        rows.nth(1).get_by_role("link", name=f"Print the receipt of {first.number}").click()
    receipt = popup.value
    receipt.wait_for_load_state()
    assert receipt.url.endswith(f"/receipts/{first.number}/?print=1")
    expect(receipt.locator("body")).to_contain_text(first.number)
    expect(receipt.locator("body")).to_contain_text("Espresso beans")
    receipt.close()
    pdf = rows.nth(1).get_by_role("link", name=f"PDF of the receipt of {first.number}")
    expect(pdf).to_have_attribute("href", f"/receipts/{first.number}.pdf")

    # Find one by number, open it with Enter: its lines and the same reprint links.
    page.fill("#sales-search", first.number.removeprefix("S-").lstrip("0"))
    expect(rows).to_have_count(1)
    page.press("#sales-search", "Enter")
    expect(page.locator("#sales-title")).to_have_text(first.number)
    expect(page.locator("#sale-lines")).to_contain_text("Espresso beans")
    expect(page.locator("#sale-print")).to_have_attribute(
        "href", f"/receipts/{first.number}/?print=1"
    )
    page.click("#sales-back")
    expect(page.locator("#sales-title")).to_have_text("Sales this shift")
    expect(page.locator("#sales-search")).to_be_focused()
    page.keyboard.press("Escape")  # the first Esc empties the search box, as everywhere
    expect(page.locator("#sales-search")).to_have_value("")
    page.keyboard.press("Escape")
    expect(page.locator("#sales-dialog")).not_to_be_visible()


def test_email_a_receipt_from_the_list(page, mailoutbox):
    make_user("casey", "Cashiers")
    beans = factories.product("Espresso beans", "8.90", stock=10)
    sign_in(page, "casey")
    sale = sell(page, beans)
    open_sales(page)
    page.click(f"#sales-list .sale-row[data-number='{sale.number}'] .sale-open")
    page.fill("#sale-email", "not an address")
    page.click("#sale-email-form button[type=submit]")
    expect(page.locator("#sale-email-form .email-status")).to_contain_text("not a valid email")
    page.fill("#sale-email", "ann@example.com")
    page.click("#sale-email-form button[type=submit]")
    expect(page.locator("#sale-email-form .email-status")).to_contain_text("ann@example.com")
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]
    assert sale.number in mailoutbox[0].subject


def test_cashier_refunds_one_line_with_a_managers_approval(page, mailoutbox):
    casey = make_user("casey", "Cashiers")
    manager = make_user("max", "Managers")
    beans = factories.product("Espresso beans", "8.90", stock=10)
    cup = factories.product("Reusable cup", "12.00", stock=10)
    sign_in(page, "casey")
    sale = sell(page, beans, cup)

    open_sales(page)
    page.click(f"#sales-list .sale-row[data-number='{sale.number}'] .sale-open")
    page.click("#sale-refund")
    refund_line = page.locator("#refund-lines .refund-line", has_text="Reusable cup")
    expect(page.locator("#refund-approval")).to_be_visible()  # a cashier needs a manager

    # Nothing chosen: a clear message, nothing sent.
    page.click("#refund-submit")
    expect(page.locator("#refund-error")).to_contain_text("Choose at least one item")

    refund_line.get_by_role("button", name="Refund one more Reusable cup").click()
    expect(refund_line.locator(".qty-input")).to_have_value("1")
    refund_line.get_by_role("button", name="Refund one more Reusable cup").click()
    expect(refund_line.locator(".qty-input")).to_have_value("1")  # never more than sold
    refund_line.locator(".refund-fate").select_option("write_off")
    expect(page.locator("#refund-submit")).to_have_text("Refund 1 item")

    page.click("#refund-submit")  # no credentials yet
    expect(page.locator("#refund-error")).to_contain_text("A manager must type")
    expect(page.locator("#refund-approver")).to_be_focused()

    page.fill("#refund-approver", "max")
    page.fill("#refund-approver-password", "wrong")
    page.click("#refund-submit")
    expect(page.locator("#refund-error")).to_have_text(
        "The manager's username or password is wrong."
    )
    expect(page.locator("#refund-approver-password")).to_have_value("")
    assert not Refund.objects.exists()

    page.fill("#refund-approver-password", PASSWORD)
    page.click("#refund-submit")
    expect(page.locator("#refund-done-title")).to_have_text("Refund R-000001")
    refund = Refund.objects.get()
    assert (refund.cashier, refund.approved_by, refund.sale) == (casey, manager, sale)
    assert [(x.sale_line.name, x.quantity, x.restock) for x in refund.lines.all()] == [
        ("Reusable cup", 1, False)
    ]
    expect(page.locator("#refund-done-amount")).to_have_text(f"${refund.total.amount}")
    expect(page.locator("#refund-done-tenders")).to_contain_text("Cash from the drawer")
    expect(page.locator("#refund-done-approver")).to_have_text("Approved by max")
    expect(page.locator("#refund-print")).to_have_attribute("href", "/receipts/R-000001/?print=1")
    expect(page.locator("#refund-pdf")).to_have_attribute("href", "/receipts/R-000001.pdf")
    # Written off: the cup does not go back on the shelf.
    assert Product.objects.get(pk=cup.pk).quantity_on_hand == 9
    assert not StockMovement.objects.filter(kind="refund").exists()
    # The manager's password does not stay on the page.
    assert page.locator("#refund-approver-password").input_value() == ""

    page.fill("#refund-email", "ann@example.com")
    page.click("#refund-email-form button[type=submit]")
    expect(page.locator("#refund-email-form .email-status")).to_contain_text("ann@example.com")
    assert "R-000001" in mailoutbox[0].subject

    # Back on the sale: the refund is listed, the cup has nothing left to refund.
    page.click("#refund-back")
    expect(page.locator("#sale-refund-list")).to_contain_text("R-000001")
    expect(page.locator("#sale-lines")).to_contain_text("1 refunded")
    expect(page.locator("#sale-void")).to_be_hidden()  # a sale with refunds cannot be voided
    page.click("#sale-refund")
    expect(page.locator("#refund-lines .refund-line")).to_have_count(1)  # only the beans
    # Back twice while the server is slow to send the sale again: the list, not the sale.
    held = []
    page.route(f"**/api/v1/sales/{sale.number}/", lambda route: held.append(route))
    page.click("#sales-back")
    page.click("#sales-back")
    row = page.locator(f"#sales-list .sale-row[data-number='{sale.number}']")
    expect(row).to_contain_text(f"Refunded ${refund.total.amount}")
    for route in held:
        route.continue_()
    page.unroute(f"**/api/v1/sales/{sale.number}/")
    expect(page.locator("#sales-list")).to_be_visible()  # the late answer changes nothing
    expect(row).to_contain_text(f"Refunded ${refund.total.amount}")


def test_cashier_voids_a_sale_with_a_managers_approval(page):
    make_user("casey", "Cashiers")
    make_user("max", "Managers")
    beans = factories.product("Espresso beans", "8.90", stock=10)
    sign_in(page, "casey")
    sale = sell(page, beans)
    open_sales(page)
    page.click(f"#sales-list .sale-row[data-number='{sale.number}'] .sale-open")
    page.click("#sale-void")
    expect(page.locator("#void-lead")).to_contain_text(f"Void {sale.number}")
    page.fill("#void-reason", "rang up the wrong customer")
    page.fill("#void-approver", "max")
    page.fill("#void-approver-password", PASSWORD)
    page.click("#void-submit")
    expect(page.locator("#refund-done-title")).to_have_text(f"Sale {sale.number} voided: R-000001")
    sale.refresh_from_db()
    assert sale.status == Sale.Status.VOIDED
    assert Product.objects.get(pk=beans.pk).quantity_on_hand == 10
    refund = Refund.objects.get()
    assert refund.kind == "void" and refund.approved_by.username == "max"
    page.click("#refund-back")
    expect(page.locator("#sale-meta")).to_contain_text("Voided")
    expect(page.locator("#sale-refund")).to_be_hidden()
    expect(page.locator("#sale-void")).to_be_hidden()


def sign_in_manager(page, username):
    """Managers land on the admin after login; they open the register themselves."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/**")
    page.goto("/register/")
    page.wait_for_selector("html[data-ready][data-shift]")
    page.fill("#opening-float", "100")
    page.keyboard.press("Enter")
    expect(page.locator("#shift-dialog")).not_to_be_visible()


def test_a_manager_refunds_without_typing_credentials(page):
    make_user("max", "Managers")
    beans = factories.product("Espresso beans", "8.90", stock=10)
    sign_in_manager(page, "max")
    sale = sell(page, beans)
    open_sales(page)
    page.click(f"#sales-list .sale-row[data-number='{sale.number}'] .sale-open")
    page.click("#sale-refund")
    expect(page.locator("#refund-approval")).to_be_hidden()
    page.locator("#refund-lines .qty-input").fill("1")
    page.click("#refund-submit")
    expect(page.locator("#refund-done-title")).to_have_text("Refund R-000001")
    assert Product.objects.get(pk=beans.pk).quantity_on_hand == 10  # back to stock


def test_cash_out_and_in_with_a_reason(page):
    make_user("casey", "Cashiers")
    sign_in(page, "casey", opening_float="100.00")
    page.click("#shift-button")
    page.click("#cash-button")
    expect(page.locator("#cash-dialog")).to_be_visible()
    expect(page.locator("#cash-amount")).to_be_focused()
    page.fill("#cash-amount", "12.50")
    page.click("#cash-submit")
    expect(page.locator("#cash-error")).to_have_text("Say why the cash goes in or out.")
    assert not CashMovement.objects.exists()

    page.fill("#cash-amount", "500")
    page.fill("#cash-reason", "Paid a supplier")
    page.click("#cash-submit")  # more than the drawer holds: refused by the server
    expect(page.locator("#cash-error")).to_contain_text("cannot pay out")
    assert not CashMovement.objects.exists()

    page.fill("#cash-amount", "12.50")
    page.click("#cash-submit")
    expect(page.locator(".toast-ok", has_text="Cash out recorded: $12.50.")).to_be_visible()
    expect(page.locator("#shift-report-dialog")).to_be_visible()
    expect(page.locator("#shift-summary")).to_contain_text("Paid out$12.50")
    expect(page.locator("#shift-summary")).to_contain_text("Expected cash in the drawer$87.50")
    movement = CashMovement.objects.get()
    assert (movement.kind, str(movement.amount.amount), movement.reason) == (
        "pay_out",
        "12.50",
        "Paid a supplier",
    )

    page.click("#cash-button")
    page.check("#cash-form input[value=pay_in]")
    page.fill("#cash-amount", "20")
    page.fill("#cash-reason", "Float top-up")
    page.keyboard.press("Enter")
    expect(page.locator("#shift-summary")).to_contain_text("Paid in$20.00")
    expect(page.locator("#shift-summary")).to_contain_text(
        re.compile(r"Expected cash in the drawer\$107\.50")
    )


OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
DIALOG_OVERFLOW = """() => [...document.querySelectorAll('#sales-dialog .dialog-body')]
    .filter((body) => body.offsetParent !== null)
    .every((body) => body.scrollWidth <= body.clientWidth)"""


def test_sales_and_refund_views_fit_a_phone(new_page, artifacts):
    make_user("casey", "Cashiers")
    beans = factories.product("Ground filter coffee 500 g with a long name", "11.75", stock=10)
    page = new_page(390, 844)
    sign_in(page, "casey")
    page.click(".phone-tab[data-view=cart]")
    sale = sell(page, beans)
    page.click("#sales-button")  # the icon button in the top bar
    expect(page.locator("#sales-list .sale-row")).to_have_count(1)
    assert page.evaluate(OVERFLOW) and page.evaluate(DIALOG_OVERFLOW)
    page.screenshot(path=artifacts / "sales-390x844.png")
    page.click(f"#sales-list .sale-row[data-number='{sale.number}'] .sale-open")
    expect(page.locator("#sale-refund")).to_be_visible()
    assert page.evaluate(OVERFLOW) and page.evaluate(DIALOG_OVERFLOW)
    page.click("#sale-refund")
    expect(page.locator("#refund-approval")).to_be_visible()
    assert page.evaluate(OVERFLOW) and page.evaluate(DIALOG_OVERFLOW)
    page.screenshot(path=artifacts / "refund-390x844.png", full_page=True)
    for selector in ["#refund-submit", ".refund-line .step-up", ".refund-fate", "#sales-back"]:
        box = page.locator(selector).first.bounding_box()
        assert box and box["height"] >= 44, f"{selector} is too small to tap"


def test_refund_with_the_keyboard_only(page):
    make_user("casey", "Cashiers")
    make_user("max", "Managers")
    beans = factories.product("Espresso beans", "8.90", stock=10)
    sign_in(page, "casey")
    sale = sell(page, beans)

    page.keyboard.press("F6")
    expect(page.locator("#sales-search")).to_be_focused()
    page.keyboard.type(sale.number.removeprefix("S-"), delay=80)
    expect(page.locator("#sales-list .sale-row")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#sale-print")).to_be_focused()
    for _ in range(6):
        if page.evaluate("document.activeElement.id") == "sale-refund":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    quantity = page.locator("#refund-lines .qty-input")
    expect(quantity).to_be_focused()
    page.keyboard.type("1")
    page.locator("#refund-approver").focus()
    page.keyboard.type("max")
    page.keyboard.press("Tab")
    expect(page.locator("#refund-approver-password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")  # submits the refund form
    expect(page.locator("#refund-done-title")).to_have_text("Refund R-000001")
    expect(page.locator("#refund-print")).to_be_focused()
    page.keyboard.press("Alt+ArrowLeft")  # back to the sale
    expect(page.locator("#sale-refund-list")).to_contain_text("R-000001")
