"""Screenshots of the register for the cashier's manual, and a measure of its first load.

    make screenshots        (or: .venv/bin/python scripts/screenshots.py [--out DIR])

Builds a throw-away database and media folder in a temporary directory, loads the demo shop
(`seed_demo`), serves it with Django's development server on a free port and drives Debian's
Chromium (/usr/bin/chromium, never a downloaded browser) through the steps the manual shows:
opening the shift, a sale, a split payment, a failed scan, the shortcuts, the recent sales with
a reprint, a refund approved by a manager, a void, cash out of the drawer, the phone layout.
The PNGs go to docs/manual/img/ (reduced to 256 colours to stay small). At the end it loads
the register three times with an empty cache and prints the bytes transferred (product images
aside) and the time until the page is ready to scan.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
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


class Shots:
    def __init__(self, out: Path):
        self.out = out
        out.mkdir(parents=True, exist_ok=True)

    def take(self, page, name: str, element: str | None = None) -> None:
        """The whole window, or only one element of it (a dialog, the cart)."""
        path = self.out / f"{name}.png"
        page.mouse.move(0, 0)  # no hover effect on a tile
        if element:
            page.locator(element).screenshot(path=path)
        else:
            page.screenshot(path=path)
        shrink(path)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "cashier")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("html[data-ready][data-shift]")


def scan(page, code: str) -> None:
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def settle(page) -> None:
    """Wait for the cart's requests and for the line flash and toasts to fade."""
    page.wait_for_selector("#cart[aria-busy=false]", state="attached")
    page.wait_for_timeout(1200)


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
    page.click(".segmented [data-method=card]")
    page.fill("#card-amount", "30.00")
    page.fill("#card-number", "4242 4242 4242 4242")
    page.fill("#card-exp-month", "12")
    page.fill("#card-exp-year", "30")
    page.fill("#card-cvc", "123")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "manual" / "img")
    parser.add_argument("--no-shots", action="store_true", help="only measure the first load")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Debian's Chromium is needed at {CHROMIUM} (make browser-deps)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="pos-shots-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
            "DJANGO_ENV": "development",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        print("Building the demo shop…")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        barcodes = json.loads(
            manage(
                env,
                "shell",
                "-c",
                "import json; from django.contrib.auth import get_user_model; "
                "from catalog.models import Product; "
                "users = get_user_model().objects.filter(username__in=['cashier', 'manager']); "
                f"[(u.set_password('{PASSWORD}'), u.save()) for u in users]; "
                "print(json.dumps(dict(Product.objects.values_list('name', 'barcode'))))",
            )
            .strip()
            .splitlines()[-1]
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"{base}/login/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                if not args.no_shots:
                    print(f"Screenshots in {args.out}:")
                    walkthrough(browser, base, Shots(args.out), barcodes)
                figures = measure(browser, base)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(
        "First load of /register/ (demo shop, empty cache, median of "
        f"{len(figures['runs'])}): {figures['median_bytes'] / 1000:.1f} KB without product "
        f"images, ready in {figures['median_ready_ms']:.0f} ms "
        f"(runs: {', '.join(str(r['ready_ms']) for r in figures['runs'])} ms)"
    )


if __name__ == "__main__":
    main()
