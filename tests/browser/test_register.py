"""A cashier at the register, in a real browser: scanning, cart edits, payments, failures."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from pos.models import CartLine, Payment, Sale
from tests import factories
from tests.conftest import make_user

from .register import fill_card, line, open_payment, scan, scan_into_focused_field, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VISA = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


def test_cashier_scans_edits_the_cart_and_pays_cash_with_change(page):
    make_user("casey", "Cashiers")
    beans = factories.product("Espresso beans", "8.90", stock=10)
    croissant = factories.product("Butter croissant", "2.40", stock=20)

    sign_in(page, "casey")
    assert page.url.endswith("/register/")

    scan(page, beans.barcode)
    expect(line(page, "Espresso beans")).to_be_visible()
    scan(page, croissant.barcode)
    expect(line(page, "Butter croissant")).to_be_visible()
    expect(line(page, "Butter croissant")).to_have_class(re.compile(r"\bflash\b"))  # feedback

    line(page, "Espresso beans").locator(".qty-input").fill("3")
    line(page, "Espresso beans").locator(".qty-input").press("Enter")
    expect(line(page, "Espresso beans").locator(".line-total")).to_have_text("$26.70")

    line(page, "Butter croissant").get_by_role("button", name="Remove Butter croissant").click()
    expect(line(page, "Butter croissant")).to_have_count(0)
    expect(page.locator("#cart-count")).to_have_text("3 items")

    open_payment(page)
    page.fill("#cash-tendered", "50")
    total = page.locator("#pay-due").inner_text()
    expect(page.locator("#change-box")).to_have_class("change-box is-change")
    page.click("#pay-submit")

    expect(page.locator("#done-dialog")).to_be_visible()
    sale = Sale.objects.get()
    expect(page.locator("#done-title")).to_contain_text(sale.number)
    assert page.locator("#done-change").inner_text() == f"${sale.change_given.amount}"
    assert total == f"${sale.total.amount}"
    assert [(x.name, x.quantity) for x in sale.lines.all()] == [("Espresso beans", 3)]
    assert sale.change_given.amount == 50 - sale.total.amount
    assert Product.objects.get(pk=beans.pk).quantity_on_hand == 7
    assert Product.objects.get(pk=croissant.pk).quantity_on_hand == 20
    receipt = f"/receipts/{sale.number}/?print=1"
    expect(page.locator("#print-receipt")).to_have_attribute("href", receipt)
    expect(page.locator("#download-pdf")).to_have_attribute("href", f"/receipts/{sale.number}.pdf")

    page.keyboard.press("n")  # new sale
    expect(page.locator("#done-dialog")).not_to_be_visible()
    expect(page.locator("#cart-lines .line")).to_have_count(0)
    expect(page.locator("#pay-button")).to_be_disabled()


def test_split_payment_and_a_declined_card_that_keeps_the_cart(page):
    make_user("casey", "Cashiers")
    mug = factories.product("Travel mug", "20.00", stock=5)
    sign_in(page, "casey")
    scan(page, mug.barcode)
    expect(line(page, "Travel mug")).to_be_visible()

    # Declined card: the reason is shown, nothing is sold, the cart is kept.
    open_payment(page)
    fill_card(page, DECLINED, amount="5.00")
    page.click("#add-tender")
    expect(page.locator("#pay-tenders")).to_contain_text("Card ending 0002")
    page.fill("#cash-tendered", "20")
    page.click("#pay-submit")
    expect(page.locator("#pay-error")).to_contain_text("declined")
    expect(page.locator("#pay-dialog")).to_be_visible()
    assert Sale.objects.count() == 0
    assert CartLine.objects.filter(product=mug).count() == 1

    # Another card: 5.00 on the card, the rest in cash with change.
    page.get_by_role("button", name="Remove Card ending 0002").click()
    fill_card(page, VISA, amount="5.00")
    page.click("#add-tender")
    expect(page.locator("#pay-tenders")).to_contain_text("Card ending 4242")
    page.fill("#cash-tendered", "20")
    page.click("#pay-submit")

    expect(page.locator("#done-dialog")).to_be_visible()
    sale = Sale.objects.get()
    payments = list(sale.payments.order_by("position").values_list("method", "amount"))
    assert [(m, str(a)) for m, a in payments] == [
        (Payment.Method.CARD, "5.00"),
        (Payment.Method.CASH, str(sale.total.amount - 5)),
    ]
    expect(page.locator("#done-change")).to_have_text(f"${sale.change_given.amount}")
    expect(page.locator("#done-summary")).to_contain_text("4242")
    assert Product.objects.get(pk=mug.pk).quantity_on_hand == 4


def test_out_of_stock_and_failed_scans_leave_the_cart_unchanged(page):
    make_user("casey", "Cashiers")
    chips = factories.product("Potato chips", "2.30", stock=1)
    gone = factories.product("Sold-out cake", "3.00", stock=0)
    sign_in(page, "casey")
    scan(page, chips.barcode)
    expect(line(page, "Potato chips")).to_be_visible()

    page.keyboard.press("+")  # one more of the selected line: only one is left
    alert = page.locator("#cart-alert")
    expect(alert).to_have_text("Only 1 × Potato chips left in stock.")
    expect(line(page, "Potato chips").locator(".qty-input")).to_have_value("1")

    scan(page, gone.barcode)
    expect(alert).to_have_text("Only 0 × Sold-out cake left in stock.")
    expect(page.locator("#cart-lines .line")).to_have_count(1)

    scan(page, "4006381333931")  # a valid EAN no product has
    expect(page.locator(".toast-error")).to_contain_text("Unknown barcode 4006381333931")
    expect(page.locator("#cart-lines .line")).to_have_count(1)
    assert list(CartLine.objects.values_list("product__name", "quantity")) == [("Potato chips", 1)]


def test_double_click_on_pay_and_a_lost_answer_sell_once(page):
    make_user("casey", "Cashiers")
    bagel = factories.product("Bagel", "1.60", stock=10)
    sign_in(page, "casey")
    scan(page, bagel.barcode)
    expect(line(page, "Bagel")).to_be_visible()

    # The first answer is lost on the way back: the sale exists, the page only sees an error.
    keys = []
    lost = {"done": False}

    def lose_first_answer(route):
        keys.append(json.loads(route.request.post_data)["idempotency_key"])
        if lost["done"]:
            route.continue_()
            return
        lost["done"] = True
        route.fetch()  # reaches the server, which writes the sale
        route.abort("connectionreset")

    page.route("**/checkout/", lose_first_answer)
    open_payment(page)
    page.fill("#cash-tendered", "5")
    page.dblclick("#pay-submit")
    expect(page.locator("#pay-error")).to_have_text(
        "Cannot reach the server; check the network and try again."
    )
    assert Sale.objects.count() == 1

    page.dblclick("#pay-submit")  # try again, impatiently
    expect(page.locator("#done-dialog")).to_be_visible()
    sale = Sale.objects.get()
    expect(page.locator("#done-title")).to_contain_text(sale.number)
    assert len(set(keys)) == 1, "every attempt of this payment sends the same key"
    assert len(keys) == 2, "a double-click sends one request"
    assert Product.objects.get(pk=bagel.pk).quantity_on_hand == 9


def test_a_scan_while_typing_in_the_search_box_adds_the_product_and_keeps_the_text(page):
    make_user("casey", "Cashiers")
    tea = factories.product("Green tea", "4.80", stock=10)
    sign_in(page, "casey")

    page.keyboard.press("F2")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("cro", delay=60)  # a person typing
    scan_into_focused_field(page, tea.barcode)  # the scanner, while the search box has focus
    expect(line(page, "Green tea")).to_be_visible()
    expect(page.locator("#search")).to_have_value("cro")

    # A person typing a short number and Enter in a field is not a scan.
    line(page, "Green tea").locator(".qty-input").click()
    page.keyboard.type("2", delay=60)
    page.keyboard.press("Enter")
    expect(page.locator("#cart-count")).to_have_text("2 items")  # the server's answer
    assert CartLine.objects.get().quantity == 2


def test_email_the_receipt_when_the_shop_offers_it(page, monkeypatch, mailoutbox):
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("api-sale-email-receipt", args=["S-000001"])
    except NoReverseMatch:
        pytest.skip("the receipts API is not installed")
    monkeypatch.setattr("pos.views.EMAIL_RECEIPTS", True)
    make_user("casey", "Cashiers")
    cup = factories.product("Reusable cup", "12.00", stock=5)
    sign_in(page, "casey")
    scan(page, cup.barcode)
    expect(line(page, "Reusable cup")).to_be_visible()
    open_payment(page)
    page.click("#pay-submit")  # nothing typed: the exact amount in cash
    expect(page.locator("#done-dialog")).to_be_visible()
    sale = Sale.objects.get()
    expect(page.locator("#done-change-box")).to_have_class(re.compile(r"\bis-zero\b"))

    page.fill("#receipt-email", "ada@example.com")
    page.click("#email-send")
    expect(page.locator("#email-status")).to_contain_text("ada@example.com")
    assert [message.to for message in mailoutbox] == [["ada@example.com"]]
    assert sale.number in mailoutbox[0].subject + mailoutbox[0].body


def test_open_the_shift_sell_then_close_it_with_the_counted_cash(page):
    from pos.models import Shift

    make_user("casey", "Cashiers")
    bagel = factories.product("Bagel", "1.60", stock=10)
    sign_in(page, "casey", opening_float="150.00")
    shift = Shift.objects.get(status=Shift.Status.OPEN)
    assert shift.opening_float.amount == 150

    scan(page, bagel.barcode)
    expect(line(page, "Bagel")).to_be_visible()
    open_payment(page)
    page.click("#pay-submit")
    expect(page.locator("#done-dialog")).to_be_visible()
    page.keyboard.press("n")
    sale = Sale.objects.get()

    page.click("#shift-button")
    report = page.locator("#shift-summary")
    expected = shift.opening_float.amount + sale.total.amount
    expect(report).to_contain_text(f"Expected cash in the drawer${expected}")
    expect(page.locator("#shift-report-html")).to_have_attribute(
        "href", f"/shifts/{shift.pk}/report/"
    )
    page.fill("#counted-cash", str(expected - 1))
    page.click("#close-shift-submit")
    expect(page.locator("#shift-closed-note")).to_be_visible()
    expect(report).to_contain_text("Over (+) / short (−)")
    shift.refresh_from_db()
    assert shift.status == Shift.Status.CLOSED
    assert shift.counted_cash.amount == expected - 1
    page.keyboard.press("Escape")
    expect(page.locator("#shift-label")).to_have_text("Open shift")
