"""What a cashier does on the register page, as small steps shared by the browser tests."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD


def sign_in(page: Page, username: str, *, opening_float: str = "100.00") -> None:
    """Log in through the real login page, land on the register, open the shift if asked."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/register/")
    page.wait_for_selector("html[data-ready][data-shift]")
    if page.locator("#shift-dialog[open]").count():
        page.fill("#opening-float", opening_float)
        page.keyboard.press("Enter")
        expect(page.locator("#shift-dialog")).not_to_be_visible()


def scan(page: Page, code: str) -> None:
    """A scanner: a burst of digits and Enter, typed with no text field focused."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.type(code, delay=8)
    page.keyboard.press("Enter")


def scan_into_focused_field(page: Page, code: str, *, gap_ms: int = 8) -> None:
    """A scanner typing while a text field has the focus, keys stamped `gap_ms` apart.

    Through the DevTools protocol with explicit timestamps, as a USB scanner's keys are stamped
    by the operating system: `keyboard.type` stamps each key when it is delivered, so on a busy
    machine its keys drift apart and stop looking like a scanner at all.
    """
    cdp = page.context.new_cdp_session(page)
    start = time.time()
    keys = [(digit, f"Digit{digit}", ord(digit), digit) for digit in code]
    keys.append(("Enter", "Enter", 13, "\r"))
    for n, (key, code_name, vk, text) in enumerate(keys):
        stamp = start + n * gap_ms / 1000
        common = {"key": key, "code": code_name, "windowsVirtualKeyCode": vk}
        cdp.send(
            "Input.dispatchKeyEvent",
            {"type": "keyDown", "text": text, "timestamp": stamp, **common},
        )
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "timestamp": stamp + 0.001, **common})
    cdp.detach()


def line(page: Page, name: str):
    return page.locator("#cart-lines .line", has_text=name)


def open_payment(page: Page) -> None:
    page.keyboard.press("F9")
    expect(page.locator("#pay-dialog")).to_be_visible()


def fill_card(page: Page, number: str, amount: str | None = None) -> None:
    page.click(".segmented [data-method=card]")
    if amount is not None:
        page.fill("#card-amount", amount)
    page.fill("#card-number", number)
    page.fill("#card-exp-month", "12")
    page.fill("#card-exp-year", "35")
    page.fill("#card-cvc", "123")
