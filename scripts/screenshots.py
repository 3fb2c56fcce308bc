"""Every screenshot of the manuals and the README, and a measure of the register's first load.

    make screenshots        (or: .venv/bin/python scripts/screenshots.py [--only GROUP ...])

Builds a throw-away database and media folder in a temporary directory, loads the demo shop
(`seed_demo`), serves it with Django's development server on a free port and drives Debian's
Chromium (/usr/bin/chromium, never a downloaded browser) through what the manuals show, in
groups (`--only register offline` takes some of them; `make screenshots` takes all):

- register: opening the shift, a sale, a split payment, a failed scan, the shortcuts, the
  recent sales with a reprint, a refund approved by a manager, a void, cash out of the drawer,
  the phone layout (cashier's manual);
- offline: the register with the network cut (Playwright's offline mode): the banner, a cash
  sale queued, a card refused, the provisional receipt, the sync when the network returns;
- manager: a shift closed with its Z report, then two years of history (`seed_sales`) and the
  admin: sales, shifts, stock (receive, adjust, count, history), low stock, users and roles, API
  tokens, every report with its chart and filters, the first page of a PDF export (drawn by
  poppler's pdftoppm), the dashboard panels;
- catalog: the product list, the product form and a CSV import with problems (merchandiser's
  manual), a receipt (receipts manual);
- readme: the two small pictures of the README (register and a report).

The PNGs go to docs/manual/img/ and docs/img/ (reduced to 256 colours to stay small). With all
groups (or --measure) it then loads the register three times with an empty cache and prints the
bytes transferred (product images aside) and the time until the page is ready to scan.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = secrets.token_urlsafe(12)  # for a throw-away database, deleted at the end
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
PHONE_TALL = {"width": 390, "height": 844}
GROUPS = ("register", "offline", "manager", "catalog", "readme")


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local server)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"The development server did not answer at {url}")


def shrink(path: Path) -> None:
    """256 colours: a screenshot of flat UI loses nothing visible and shrinks 3-4 times."""
    from PIL import Image

    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            path, optimize=True
        )


CONTENT_BOTTOM = """() => {
    const main = document.querySelector("main") || document.body;
    let bottom = 400;
    for (const element of main.querySelectorAll("*")) {
        const box = element.getBoundingClientRect();
        if (box.height && box.width) bottom = Math.max(bottom, box.bottom);
    }
    return Math.ceil(bottom);
}"""


class Shots:
    def __init__(self, out: Path, readme: Path):
        self.out = out
        self.readme = readme
        out.mkdir(parents=True, exist_ok=True)
        readme.mkdir(parents=True, exist_ok=True)

    def take(
        self,
        page,
        name: str,
        element: str | None = None,
        *,
        height: int | None = None,
        folder: Path | None = None,
    ) -> Path:
        """The whole window, only one element of it (a dialog, the cart), or the top `height`
        pixels of the whole page (a report longer than the window)."""
        path = (folder or self.out) / f"{name}.png"
        page.mouse.move(0, 0)  # no hover effect on a tile
        if element:
            page.locator(element).first.screenshot(path=path)
        elif height:
            # The admin scrolls inside its own frame, so a "full page" is only the window: make
            # the window as tall as asked, then keep down to the end of the content.
            window = page.viewport_size
            page.set_viewport_size({"width": window["width"], "height": height})
            page.wait_for_timeout(900)  # charts redraw for the new size
            bottom = page.evaluate(CONTENT_BOTTOM)
            clip = {"x": 0, "y": 0, "width": window["width"], "height": min(height, bottom + 32)}
            page.screenshot(path=path, clip=clip)
            page.set_viewport_size(window)
        else:
            page.screenshot(path=path)
        self.done(path)
        return path

    def done(self, path: Path) -> None:
        shrink(path)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def sign_in(page, base: str, username: str = "cashier") -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    if username == "cashier":
        page.wait_for_selector("html[data-ready][data-shift]")
    else:
        page.wait_for_load_state("networkidle")


def ensure_shift(page, opening_float: str = "150.00") -> None:
    """The register asks for the opening float when the cashier has no open shift."""
    page.wait_for_timeout(300)
    if page.locator("#shift-dialog[open]").count():
        page.fill("#opening-float", opening_float)
        page.keyboard.press("Enter")
        page.wait_for_selector("#shift-dialog", state="hidden")


def scan(page, code: str) -> None:
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def settle(page) -> None:
    """Wait for the cart's requests and for the line flash and toasts to fade."""
    page.wait_for_selector("#cart[aria-busy=false]", state="attached")
    page.wait_for_timeout(1200)


def pay_by_card(page, amount: str | None = None) -> None:
    """In the open pay dialog: the card tender with the test Visa (for `amount`, else the rest)."""
    page.click(".segmented [data-method=card]")
    if amount is not None:
        page.fill("#card-amount", amount)
    page.fill("#card-number", "4242 4242 4242 4242")
    page.fill("#card-exp-month", "12")
    page.fill("#card-exp-year", "30")
    page.fill("#card-cvc", "123")


def walkthrough(browser, base: str, shots: Shots, barcodes: dict[str, str]) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=base)
    page = context.new_page()
    sign_in(page, base)
    page.wait_for_selector("#shift-dialog[open]")
    page.fill("#opening-float", "150.00")
    shots.take(page, "open-shift", "#shift-dialog")
    page.keyboard.press("Enter")
    page.wait_for_selector("#shift-dialog", state="hidden")

    # A sale: three scans (one product twice), a quantity typed in.
    for name in ["Espresso beans 250 g", "Butter croissant", "Butter croissant", "Lemonade"]:
        scan(page, barcodes[name])
        settle(page)
    page.locator("#cart-lines .line", has_text="Lemonade").locator(".qty-input").fill("3")
    page.keyboard.press("Enter")
    settle(page)
    page.evaluate("document.activeElement.blur()")
    page.wait_for_timeout(600)  # the toasts of the scans have gone
    shots.take(page, "register")

    page.keyboard.press("F9")
    page.wait_for_selector("#pay-dialog[open]")
    page.fill("#cash-tendered", "30")
    shots.take(page, "payment-cash", "#pay-dialog")
    page.click("#pay-submit")
    page.wait_for_selector("#done-dialog[open]")
    page.wait_for_timeout(300)
    shots.take(page, "sale-complete", "#done-dialog")
    page.keyboard.press("n")

    # A split payment: part on a card, the rest in cash.
    for name in ["House blend 1 kg", "Travel mug"]:
        scan(page, barcodes[name])
        settle(page)
    page.keyboard.press("F9")
    page.wait_for_selector("#pay-dialog[open]")
    pay_by_card(page, "30.00")
    shots.take(page, "payment-card", "#pay-dialog")
    page.click("#add-tender")
    page.click(".quick-amounts .quick:nth-child(3)")
    shots.take(page, "payment-split", "#pay-dialog")
    page.click("#pay-submit")
    page.wait_for_selector("#done-dialog[open]")
    page.keyboard.press("n")
    page.wait_for_selector("#done-dialog", state="hidden")

    # Scans that fail: a code no product has, a product with no stock left.
    scan(page, barcodes["Paper bags (10)"])
    settle(page)
    scan(page, "4006381333931")
    page.wait_for_selector(".toast-error")
    page.wait_for_timeout(250)
    shots.take(page, "unknown-barcode")
    page.wait_for_timeout(4000)
    scan(page, barcodes["Potato chips"])
    settle(page)
    page.keyboard.press("+")
    page.wait_for_selector("#cart-alert", state="visible")
    page.wait_for_timeout(250)
    shots.take(page, "out-of-stock", "#cart")

    page.keyboard.press("?")
    page.wait_for_selector("#help-dialog[open]")
    shots.take(page, "shortcuts", "#help-dialog")
    page.keyboard.press("Escape")
    page.locator("#clear-button").click()
    page.locator("#clear-button").click()
    settle(page)

    sales_and_refunds(page, shots)
    cash_out(page, shots)
    context.close()

    phone = browser.new_context(viewport=PHONE, base_url=base, has_touch=True, is_mobile=True)
    page = phone.new_page()
    sign_in(page, base)
    page.wait_for_timeout(800)
    shots.take(page, "phone-products")
    page.click(".phone-tab[data-view=cart]")
    page.wait_for_timeout(300)
    shots.take(page, "phone-cart")
    phone.close()

    phone = browser.new_context(viewport=PHONE_TALL, base_url=base, has_touch=True, is_mobile=True)
    page = phone.new_page()
    sign_in(page, base)
    page.click("#sales-button")
    page.wait_for_selector("#sales-list[aria-busy=false] .sale-row")
    page.wait_for_timeout(300)
    shots.take(page, "phone-sales")
    page.locator("#sales-list .sale-row .sale-open").nth(1).click()
    page.wait_for_selector("[data-sales-view=sale]:not([hidden])")
    page.click("#sale-refund")
    page.wait_for_selector("#refund-form:not([hidden])")
    page.locator("#refund-lines .step-up").first.click()
    page.wait_for_timeout(300)
    shots.take(page, "phone-refund")
    phone.close()


def sales_and_refunds(page, shots: Shots) -> None:
    """The recent sales (F6), one sale, a refund with the manager's approval, its result."""
    page.keyboard.press("F6")
    page.wait_for_selector("#sales-list[aria-busy=false] .sale-row")
    page.wait_for_timeout(300)
    shots.take(page, "recent-sales", "#sales-dialog")
    page.locator("#sales-list .sale-row .sale-open").nth(1).click()  # the first sale
    page.wait_for_selector("[data-sales-view=sale]:not([hidden])")
    page.wait_for_timeout(200)
    shots.take(page, "sale-detail", "#sales-dialog")

    page.click("#sale-refund")
    page.wait_for_selector("#refund-form:not([hidden])")
    lemonade = page.locator("#refund-lines .refund-line", has_text="Lemonade")
    lemonade.locator(".step-up").click()
    lemonade.locator(".refund-fate").select_option("write_off")
    page.fill("#refund-reason", "Bottle leaking")
    page.fill("#refund-approver", "manager")
    page.fill("#refund-approver-password", PASSWORD)
    page.locator("#refund-reason").focus()
    page.wait_for_timeout(200)
    shots.take(page, "refund-approval", "#sales-dialog")
    page.click("#refund-submit")
    page.wait_for_selector("[data-sales-view=done]:not([hidden])")
    page.wait_for_timeout(300)
    shots.take(page, "refund-done", "#sales-dialog")

    # Void the second sale (same shift), approved the same way.
    page.click("#sales-back")
    page.wait_for_selector("[data-sales-view=sale]:not([hidden])")
    page.click("#sales-back")
    page.wait_for_selector("#sales-list[aria-busy=false] .sale-row")
    page.locator("#sales-list .sale-row .sale-open").first.click()
    page.wait_for_selector("[data-sales-view=sale]:not([hidden])")
    page.click("#sale-void")
    page.fill("#void-reason", "Customer changed their mind at the till")
    page.fill("#void-approver", "manager")
    page.fill("#void-approver-password", PASSWORD)
    page.locator("#void-reason").focus()
    page.wait_for_timeout(200)
    shots.take(page, "void", "#sales-dialog")
    page.keyboard.press("Escape")
    page.wait_for_selector("#sales-dialog", state="hidden")


def cash_out(page, shots: Shots) -> None:
    page.click("#shift-button")
    page.wait_for_selector("#shift-report-dialog[open]")
    page.click("#cash-button")
    page.wait_for_selector("#cash-dialog[open]")
    page.fill("#cash-amount", "12.50")
    page.fill("#cash-reason", "Milk from the shop next door")
    page.wait_for_timeout(200)
    shots.take(page, "cash-out", "#cash-dialog")
    page.click("#cash-submit")
    page.wait_for_selector("#shift-report-dialog[open]")
    page.wait_for_timeout(500)
    shots.take(page, "shift-report", "#shift-report-dialog")
    page.keyboard.press("Escape")


def offline(browser, base: str, shots: Shots, barcodes: dict[str, str]) -> None:
    """The register with the network cut: three sales queued, a card refused, the provisional
    receipt, and the sync when the network comes back."""
    context = browser.new_context(viewport=DESKTOP, base_url=base)
    page = context.new_page()
    sign_in(page, base)
    ensure_shift(page)
    # Once the service worker controls the page it keeps the page, its files and the catalog.
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()
    page.wait_for_selector("html[data-offline-sync]")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("html[data-offline]")

    # 1: cash with change; the done window and the provisional receipt.
    page.locator(".tile", has_text="Espresso beans 250 g").click()
    page.locator(".tile", has_text="Butter croissant").click()
    page.wait_for_timeout(300)
    page.keyboard.press("F9")
    page.wait_for_selector("#pay-dialog[open]")
    page.fill("#cash-tendered", "20")
    page.click("#pay-submit")
    page.wait_for_selector("#done-dialog[open]")
    page.wait_for_timeout(300)
    shots.take(page, "offline-sale-done", "#done-dialog")
    page.evaluate("window.print = () => {}")  # the print dialog would block a headless browser
    page.click("#print-receipt")
    page.emulate_media(media="print")
    page.wait_for_timeout(200)
    shots.take(page, "offline-receipt", "#offline-receipt")
    page.emulate_media(media="screen")
    page.evaluate("document.body.classList.remove('print-offline-receipt')")
    page.click("#new-sale")
    page.wait_for_selector("#done-dialog", state="hidden")

    # 2: a card is refused with the reason, then cash.
    scan(page, barcodes["Travel mug"])
    page.wait_for_timeout(300)
    page.keyboard.press("F9")
    page.wait_for_selector("#pay-dialog[open]")
    pay_by_card(page)
    page.click("#pay-submit")
    page.wait_for_selector("#pay-error:not([hidden])")
    page.wait_for_timeout(200)
    shots.take(page, "offline-card-refused", "#pay-dialog")
    page.click(".segmented [data-method=cash]")
    page.click("#pay-submit")
    page.wait_for_selector("#done-dialog[open]")
    page.click("#new-sale")
    page.wait_for_selector("#done-dialog", state="hidden")

    # 3: the register offline with a sale under way and two waiting to be sent.
    for name in ["Lemonade", "Lemonade", "Blueberry muffin"]:
        page.locator(".tile", has_text=name).click()
        page.wait_for_timeout(150)
    page.wait_for_timeout(1200)
    shots.take(page, "offline-register")
    page.keyboard.press("F9")
    page.wait_for_selector("#pay-dialog[open]")
    page.click("#pay-submit")
    page.wait_for_selector("#done-dialog[open]")
    page.click("#new-sale")
    page.wait_for_selector("#done-dialog", state="hidden")

    # Back online with an empty cart: the register sends the queue and sells online again.
    context.set_offline(False)
    page.wait_for_selector("#toasts :text('now recorded')")
    page.wait_for_selector("html[data-ready]:not([data-offline])")
    page.wait_for_timeout(300)
    shots.take(page, "offline-synced")
    context.close()


def close_shift(browser, base: str, shots: Shots, barcodes: dict[str, str]) -> None:
    """One more split sale on the register, then the cashier closes the shift (Z report)."""
    context = browser.new_context(viewport=DESKTOP, base_url=base)
    page = context.new_page()
    sign_in(page, base)
    ensure_shift(page)
    for name in ["House blend 1 kg", "Butter croissant"]:
        scan(page, barcodes[name])
        settle(page)
    page.keyboard.press("F9")
    page.wait_for_selector("#pay-dialog[open]")
    pay_by_card(page, "10.00")
    page.click("#add-tender")
    page.click("#pay-submit")
    page.wait_for_selector("#done-dialog[open]")
    page.keyboard.press("n")
    page.wait_for_selector("#done-dialog", state="hidden")
    page.click("#shift-button")
    page.wait_for_selector("#shift-report-dialog[open] #shift-summary dt")
    page.wait_for_timeout(300)
    expected = page.evaluate(
        "() => [...document.querySelectorAll('#shift-summary dt')]"
        ".find((dt) => /expected/i.test(dt.textContent))?.nextElementSibling?.textContent || ''"
    )
    counted = max(Decimal(re.sub(r"[^0-9.]", "", expected) or "0") - Decimal("0.65"), Decimal(0))
    page.fill("#counted-cash", f"{counted:.2f}")
    page.click("#close-shift-submit")
    page.wait_for_selector("#shift-closed-note:not([hidden])")
    page.wait_for_timeout(300)
    shots.take(page, "shift-close", "#shift-report-dialog")
    context.close()


REPORT_SHOTS = [
    # (file name, report URL (under /admin/reports/), height of the page to keep)
    ("reports-overview", "sales-overview/", 1250),
    ("reports-top-products", "top-products/?preset=this_year&category={coffee}", 1100),
    ("reports-by-category", "sales-by-category/", 1150),
    ("reports-by-cashier", "sales-by-cashier/?preset=last_7_days", 1150),
    ("reports-by-register", "sales-by-register/?preset=last_month", 1000),
    ("reports-payment-methods", "sales-by-payment-method/", 1150),
    ("reports-heat-map", "sales-heat-map/?preset=this_year", 1000),
    ("reports-refunds", "refunds/", 1200),
    ("reports-inventory", "inventory/?days=60", 1200),
]


def admin_ids(env: dict) -> dict:
    """Primary keys the admin's screenshots open (the database is built by this script)."""
    script = (
        "import json; from pos.models import Sale, Shift; from catalog.models import Category, "
        "Product; "
        "sale = Sale.objects.filter(cashier__username='cashier', payments__method='card')"
        ".order_by('-pk').first(); "
        "shift = Shift.objects.filter(cashier__username='cashier', status='closed')"
        ".order_by('-pk').first(); "
        "print(json.dumps({'sale': sale and sale.pk, 'shift': shift and shift.pk, "
        "'sale_number': getattr(sale or Sale.objects.order_by('pk').first(), 'number', None), "
        "'coffee': Category.objects.get(name='Coffee').pk, "
        "'beans': Product.objects.get(name='Espresso beans 250 g').pk}))"
    )
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


def ready(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(700)  # charts finish their (short) animation


def manager(browser, base: str, shots: Shots, env: dict) -> None:
    """The admin as a manager sees it: sales, shifts, stock, users, tokens, reports, exports."""
    ids = admin_ids(env)
    context = browser.new_context(viewport=DESKTOP, base_url=base, accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "manager")
    admin = f"{base}/admin"

    page.goto(f"{admin}/")
    ready(page)
    shots.take(page, "admin-dashboard", height=1100)
    shots.take(page, "reports-dashboard-panel", "#sales-today-section")
    shots.take(page, "admin-low-stock-panel", "#low-stock-section")

    page.goto(f"{admin}/pos/sale/")
    ready(page)
    shots.take(page, "admin-sales")
    if ids["sale"]:
        page.goto(f"{admin}/pos/sale/inspect/{ids['sale']}/")
        ready(page)
        shots.take(page, "admin-sale", height=1400)
    if ids["shift"]:
        page.goto(f"{admin}/pos/shift/inspect/{ids['shift']}/")
        ready(page)
        shots.take(page, "shift-z-report", height=1500)

    # Stock: a delivery, an adjustment, a count, a product's history.
    page.goto(f"{admin}/inventory/receive/")
    ready(page)
    page.fill("#id_reference", "DN-2291")
    choose_products(page, [("Espresso beans 250 g", "24"), ("Potato chips", "36")])
    shots.take(page, "admin-receive-stock", height=1000)
    page.goto(f"{admin}/inventory/adjust/")
    ready(page)
    choose_products(page, [("Lemonade", "-2")])
    fill_if_there(page, "#id_reason", "damaged", select=True)
    fill_if_there(page, "#id_note", "Two bottles dropped while shelving")
    shots.take(page, "admin-adjust-stock", height=900)
    page.goto(f"{admin}/inventory/count/")
    ready(page)
    choose_products(page, [("Butter croissant", "18")])
    shots.take(page, "admin-stock-count", height=800)
    page.goto(f"{admin}/inventory/products/{ids['beans']}/movements/")
    ready(page)
    shots.take(page, "admin-stock-history", height=1000)
    page.goto(f"{admin}/inventory/")
    ready(page)
    shots.take(page, "admin-low-stock", height=1000)

    # Users, roles and API tokens.
    page.goto(f"{admin}/users/")
    ready(page)
    shots.take(page, "admin-users")
    page.goto(f"{admin}/users/new/")
    ready(page)
    fill_if_there(page, "#id_username", "dana")
    fill_if_there(page, "#id_email", "dana@example.com")
    fill_if_there(page, "#id_first_name", "Dana")
    fill_if_there(page, "#id_last_name", "Till")
    for field in page.locator("input[type=password]").all():
        field.fill(PASSWORD)
    shots.take(page, "admin-add-user", height=1100)
    page.click("#tab-label-roles")
    page.check("#id_groups input[type=checkbox] >> nth=0")  # Cashiers
    page.wait_for_timeout(200)
    shots.take(page, "admin-add-user-roles", height=800)
    page.goto(f"{admin}/api-tokens/new/")
    ready(page)
    fill_if_there(page, "#id_name", "Shelf-label printer")
    option = page.locator("#id_user option", has_text=re.compile("Casey|cashier")).first
    page.select_option("#id_user", option.get_attribute("value"))
    shots.take(page, "admin-api-token", height=560)
    page.get_by_role("button", name="Create").click()
    ready(page)
    shots.take(page, "admin-api-token-created", height=700)

    # Reports.
    for name, path, height in REPORT_SHOTS:
        page.goto(f"{admin}/reports/{path.format(**ids)}")
        ready(page)
        if name == "reports-heat-map":
            page.click(".sidebar__collapse-toggle")  # a wide table: room for every opening hour
            page.wait_for_timeout(600)
        shots.take(page, name, height=height)
        if name == "reports-heat-map":
            page.click(".sidebar__collapse-toggle")
            page.wait_for_timeout(600)
    page.goto(f"{admin}/reports/sales-overview/")
    ready(page)
    page.select_option("#id_preset", "this_month")
    page.select_option("#id_category", str(ids["coffee"]))
    page.select_option("#id_payment_method", "card")
    page.wait_for_timeout(200)
    shots.take(page, "reports-filters", ".an-filters")

    # The first page of a PDF export, drawn by poppler's pdftoppm.
    for _attempt in range(3):  # once seen answering something else on a loaded machine
        response = context.request.get(f"{admin}/reports/sales-overview/?export=pdf")
        if response.body().startswith(b"%PDF"):
            break
        page.wait_for_timeout(1000)
    else:
        raise SystemExit(
            f"The PDF export answered {response.status} {response.headers.get('content-type')}: "
            f"{response.body()[:300]!r}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report.pdf"
        pdf.write_bytes(response.body())
        stem = Path(tmp) / "page"
        pdftoppm = shutil.which("pdftoppm") or "pdftoppm"
        command = [pdftoppm, "-png", "-f", "1", "-l", "1", "-scale-to", "1000", "-singlefile"]
        subprocess.run([*command, str(pdf), str(stem)], check=True)  # noqa: S603
        path = shots.out / "reports-export-pdf.png"
        shutil.copyfile(f"{stem}.png", path)
        shots.done(path)
    context.close()


def choose_products(page, rows: list[tuple[str, str]]) -> None:
    """Fill the product and quantity of the first rows of a stock form (a select or a chooser)."""
    products = page.locator("select[name$=product]")
    quantities = page.locator("input[name$=quantity], input[name$=counted]")
    for index, (name, quantity) in enumerate(rows):
        if index < products.count():
            label = products.nth(index).locator("option", has_text=name).first.text_content()
            products.nth(index).select_option(label=label)
        if index < quantities.count():
            quantities.nth(index).fill(quantity)


def fill_if_there(page, selector: str, value: str, select: bool = False) -> None:
    field = page.locator(selector)
    if field.count():
        if select:
            field.first.select_option(value)
        else:
            field.first.fill(value)


def measure(browser, base: str, runs: int = 3) -> dict:
    """First load of /register/ with an empty cache: bytes (without product images), ready time."""
    login = browser.new_context(base_url=base)
    page = login.new_page()
    sign_in(page, base)
    cookies = [c for c in login.cookies() if c["name"] == "sessionid"]
    login.close()
    results = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=base)
        context.add_cookies(cookies)
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request, finished=finished: finished.append(request))
        page.goto(f"{base}/register/")
        page.wait_for_selector("html[data-ready]")
        ready = page.evaluate("performance.getEntriesByName('register-ready')[0].startTime")
        page.wait_for_load_state("networkidle")
        total = 0
        for request in finished:
            if request.resource_type == "image":
                continue
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        results.append({"bytes": total, "ready_ms": round(ready)})
        context.close()
    return {
        "runs": results,
        "median_bytes": statistics.median(r["bytes"] for r in results),
        "median_ready_ms": statistics.median(r["ready_ms"] for r in results),
    }


BAD_IMPORT = """sku,name,barcode,category,price,tax_rate,quantity_on_hand
COF-101,Espresso beans 1 kg,4006381333931,Coffee,29.90,Standard,12
TEA-210,Green tea (20 bags),,Tea,-4.80,Reduced,18
SNK-300,Pretzels,4.00638E+12,Snacks,2.10,Standard,30
GFT-400,Gift card,,Gifts,25.00,Luxury,5
"""


def catalog(browser, base: str, shots: Shots, env: dict) -> None:
    """The merchandiser's manual (the product list, the product form, an import with
    problems) and the receipts manual (a printed receipt)."""
    ids = admin_ids(env)
    context = browser.new_context(viewport=DESKTOP, base_url=base)
    page = context.new_page()
    sign_in(page, base, "merchandiser")
    products = f"{base}/admin/catalog/products/"
    page.goto(products)
    ready(page)
    shots.take(page, "catalog-products")
    page.goto(f"{products}edit/{ids['beans']}/")
    ready(page)
    page.get_by_role("tab", name="Pricing & stock").click()
    page.wait_for_timeout(300)
    shots.take(page, "catalog-edit-pricing", height=1000)
    page.goto(f"{products}import/")
    ready(page)
    page.set_input_files(
        "input[type=file]",
        {"name": "products.csv", "mimeType": "text/csv", "buffer": BAD_IMPORT.encode()},
    )
    page.get_by_role("button", name="Preview import").click()
    ready(page)
    shots.take(page, "catalog-import-errors", height=1100)
    context.close()

    context = browser.new_context(viewport={"width": 420, "height": 1200}, base_url=base)
    page = context.new_page()
    sign_in(page, base, "manager")
    if ids["sale_number"]:  # (the register's sales come first, unless --only catalog)
        page.goto(f"{base}/receipts/{ids['sale_number']}/")
        ready(page)
        shots.take(page, "sample-receipt", ".receipt", folder=shots.readme)
    context.close()


def readme(browser, base: str, shots: Shots, barcodes: dict[str, str]) -> None:
    """The README's two pictures: the register and the sales overview, at half size."""
    from PIL import Image

    context = browser.new_context(viewport=DESKTOP, base_url=base)
    page = context.new_page()
    sign_in(page, base)
    ensure_shift(page)
    for name in ["Espresso beans 250 g", "Butter croissant", "Butter croissant", "Lemonade"]:
        scan(page, barcodes[name])
        settle(page)
    page.wait_for_timeout(600)
    page.mouse.move(0, 0)
    paths = [shots.readme / "readme-register.png"]
    page.screenshot(path=paths[0])
    context.close()
    context = browser.new_context(viewport=DESKTOP, base_url=base)
    page = context.new_page()
    sign_in(page, base, "manager")
    page.goto(f"{base}/admin/reports/sales-overview/")
    ready(page)
    # From the period line down: the figures and the chart (the admin scrolls in its own frame,
    # so the window is made tall and the picture cut out of it).
    page.set_viewport_size({"width": DESKTOP["width"], "height": 1500})
    page.wait_for_timeout(900)
    top = page.evaluate("document.querySelector('.an-period').getBoundingClientRect().top")
    path = shots.readme / "readme-report.png"
    page.screenshot(path=path, clip={"x": 0, "y": max(top - 16, 0), **DESKTOP})
    paths.append(path)
    context.close()
    for path in paths:
        with Image.open(path) as image:
            half = image.convert("RGB").resize((640, 400), Image.Resampling.LANCZOS)
        half.save(path)
        shots.done(path)


# After the history: a shelf count puts six products under their threshold (the dashboard's
# low-stock panel, the Inventory menu's count and the low-stock list then have something to show).
LOW_STOCK = """
from django.contrib.auth import get_user_model
from catalog.models import Product
from pos.inventory import record_stock_count
manager = get_user_model().objects.get(username='manager')
for product in Product.objects.filter(is_active=True).order_by('pk')[2::6][:6]:
    counted = max(product.low_stock_threshold - 2, 0)
    record_stock_count(product=product, counted=counted, user=manager, note='shelf count')
"""

SEED = """
import json
from django.contrib.auth import get_user_model
from catalog.models import Product
users = get_user_model().objects.filter(username__in=['cashier', 'merchandiser', 'manager'])
for user in users:
    user.set_password({password!r})
    user.save()
print(json.dumps(dict(Product.objects.values_list('name', 'barcode'))))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "manual" / "img")
    parser.add_argument("--readme-out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument(
        "--only", nargs="+", choices=GROUPS, metavar="GROUP", help=f"some of {', '.join(GROUPS)}"
    )
    parser.add_argument("--no-shots", action="store_true", help="only measure the first load")
    parser.add_argument("--measure", action="store_true", help="measure the first load too")
    args = parser.parse_args()
    groups = [] if args.no_shots else (args.only or list(GROUPS))
    measuring = args.no_shots or args.measure or not args.only
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Debian's Chromium is needed at {CHROMIUM} (make browser-deps)")
    if "manager" in groups and not shutil.which("pdftoppm"):
        raise SystemExit(
            "pdftoppm is needed for the PDF export's picture (apt install poppler-utils)"
        )
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pos-shots-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
            "DJANGO_ENV": "development",
            "TIME_ZONE": os.environ.get("TIME_ZONE", "UTC"),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        print("Building the demo shop…")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        output = manage(env, "shell", "-c", SEED.format(password=PASSWORD))
        barcodes = json.loads(output.strip().splitlines()[-1])
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        figures = None
        try:
            wait_for(f"{base}/login/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                shots = Shots(args.out, args.readme_out)
                if groups:
                    print(f"Screenshots ({', '.join(groups)}):")
                # The register's pictures come first, on the demo shop as a new shop has it.
                if "register" in groups:
                    walkthrough(browser, base, shots, barcodes)
                if "offline" in groups:
                    offline(browser, base, shots, barcodes)
                if "manager" in groups:
                    close_shift(browser, base, shots, barcodes)
                if {"manager", "readme"} & set(groups):
                    # The reports need a history: 120 days of sales on the demo catalog.
                    print("  (writing 120 days of sales with seed_sales…)")
                    manage(
                        env, "seed_sales", "--lines", "30000", "--days", "120", "--products", "1"
                    )
                    manage(env, "shell", "-c", LOW_STOCK)
                if "manager" in groups:
                    manager(browser, base, shots, env)
                if "catalog" in groups:
                    catalog(browser, base, shots, env)
                if "readme" in groups:
                    readme(browser, base, shots, barcodes)
                if measuring:
                    figures = measure(browser, base)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"Done in {time.monotonic() - started:.0f} s.")
    if figures:
        print(
            "First load of /register/ (demo shop, empty cache, median of "
            f"{len(figures['runs'])}): {figures['median_bytes'] / 1000:.1f} KB without product "
            f"images, ready in {figures['median_ready_ms']:.0f} ms "
            f"(runs: {', '.join(str(r['ready_ms']) for r in figures['runs'])} ms)"
        )


if __name__ == "__main__":
    main()
