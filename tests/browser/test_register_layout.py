"""The register at phone, tablet and desktop sizes: screenshots, no sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import make_user

from .register import line, open_payment, scan, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(360, 740), (768, 1024), (1440, 900)]
OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_screenshots_at_three_sizes_and_no_horizontal_scroll_on_a_phone(new_page, artifacts):
    make_user("casey", "Cashiers")
    products = [
        factories.product(name, price, stock=stock)
        for name, price, stock in [
            ("Espresso beans 250 g", "8.90", 24),
            ("Ground filter coffee 500 g with a long name", "11.75", 3),
            ("Butter croissant", "2.40", 36),
            ("Sparkling water 500 ml", "1.50", 0),
            ("Dark chocolate bar", "3.40", 45),
            ("Reusable cup", "12.00", 15),
        ]
    ]
    page = new_page(*SIZES[-1])
    sign_in(page, "casey")
    lines = page.locator("#cart-lines .line")
    scan(page, products[0].barcode)
    expect(lines).to_have_count(1)
    scan(page, products[1].barcode)
    expect(lines).to_have_count(2)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        name = f"register-{width}x{height}"
        page.screenshot(path=artifacts / f"{name}.png")
        assert page.evaluate(OVERFLOW), f"horizontal scroll at {width}px"
        if width < 720:
            page.click(".phone-tab[data-view=cart]")
            expect(page.locator("#cart")).to_be_visible()
            page.screenshot(path=artifacts / f"{name}-cart.png")
            assert page.evaluate(OVERFLOW), f"horizontal scroll in the cart at {width}px"
        open_payment(page)
        page.screenshot(path=artifacts / f"{name}-payment.png")
        assert page.evaluate(OVERFLOW), f"horizontal scroll in the payment dialog at {width}px"
        page.keyboard.press("Escape")
        expect(page.locator("#pay-dialog")).not_to_be_visible()


def test_every_control_is_reachable_with_tab_and_shows_focus(page):
    make_user("casey", "Cashiers")
    beans = factories.product("Espresso beans", "8.90", stock=10)
    sign_in(page, "casey")
    scan(page, beans.barcode)
    expect(line(page, "Espresso beans")).to_be_visible()

    reached = set()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return {id: "body", ring: true};
                const style = getComputedStyle(el);
                return {
                    id: el.id || el.className || el.tagName,
                    ring: style.outlineStyle !== 'none' || style.boxShadow !== 'none',
                };
            }"""
        )
        assert info["ring"], f"no visible focus on {info['id']}"
        reached.add(info["id"])
    for control in ["search", "pay-button", "park-button", "help-button", "qty-input"]:
        assert control in reached, f"{control} is not reachable with Tab"

    page.keyboard.press("?")
    expect(page.locator("#help-dialog")).to_be_visible()
    expect(page.locator("#help-dialog")).to_contain_text("F9")
    page.keyboard.press("Escape")
    expect(page.locator("#help-dialog")).not_to_be_visible()
