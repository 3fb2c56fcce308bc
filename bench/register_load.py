"""Register page first load in headless Chromium: bytes transferred and time to interactive.

    python -m bench register_load
    DATABASE_URL=postgres://… python -m bench register_load

A gunicorn server (DJANGO_ENV=test: WhiteNoise serves the static files uncompressed, so the
bytes are an upper bound of what production's compressed files cost) on the throw-away
database, a signed-in cashier and the demo shop's 40 products. Each run is a fresh browser
context: empty cache, no service worker, already signed in. Two network profiles: loopback,
and a shop's Wi-Fi/4G emulated by Chromium (40 ms round trip, 9 Mbit/s down, 1.5 up).
"Ready" is the register's own `register-ready` mark: products shown, scanner listening.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "10"))
PROFILES = {
    "loopback": None,
    "shop wi-fi/4G (40 ms RTT, 9 Mbit/s)": {
        "offline": False,
        "latency": 40,
        "downloadThroughput": 9_000_000 / 8,
        "uploadThroughput": 1_500_000 / 8,
    },
}


def first_load(browser, base_url: str, session: str, network: dict | None = None) -> dict:
    """/register/ in a fresh context (empty cache, signed in): bytes without product images,
    requests, and milliseconds until the register said it was ready."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])
    page = context.new_page()
    if network:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", network)
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    try:
        page.goto("/register/")
        page.wait_for_selector("html[data-ready]")
        ready_ms = page.evaluate("performance.getEntriesByName('register-ready')[0].startTime")
        page.wait_for_load_state("networkidle")
        requests = []
        for request in finished:
            sizes = request.sizes()
            requests.append(
                {
                    "url": request.url.removeprefix(base_url),
                    "type": request.resource_type,
                    "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                }
            )
    finally:
        context.close()
    return {
        "bytes_without_images": sum(r["bytes"] for r in requests if r["type"] != "image"),
        "requests": len(requests),
        "ready_ms": round(ready_ms, 1),
        "detail": requests,
    }


def _signed_in_cashier() -> str:
    from django.test import Client

    from tests import factories
    from tests.conftest import make_user

    cashier = make_user("bench-register", "Cashiers")
    for n in range(40):  # the demo shop's size
        factories.product(f"Demo product {n:02d} with a realistic name", f"{n + 1}.25", stock=20)
    client = Client()
    client.force_login(cashier)
    return client.cookies["sessionid"].value


def run() -> None:
    from django.db import connections
    from playwright.sync_api import sync_playwright

    from bench import _live, common
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        print(f"skipped: Debian's Chromium is not installed at {CHROMIUM} (make browser-deps)")
        return
    session = _signed_in_cashier()
    connections.close_all()  # the server owns the database from here on
    url = os.environ["DATABASE_URL"]
    log = Path(tempfile.gettempdir()) / f"bench-register-load-{os.getpid()}.log"
    results, extra = {}, {"runs_per_profile": RUNS}
    with _live.Server(url, workers=2, log=log) as server, sync_playwright() as playwright:
        base = f"http://{_live.HOST}:{server.port}"
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            first_load(browser, base, session)  # warms the server up, not the browser
            for name, network in PROFILES.items():
                loads = [first_load(browser, base, session, network) for _ in range(RUNS)]
                results[f"ready, {name}"] = common.summary([load["ready_ms"] for load in loads])
                extra[f"kilobytes_without_images, {name}"] = round(
                    statistics.median(load["bytes_without_images"] for load in loads) / 1000, 1
                )
                extra[f"requests, {name}"] = statistics.median(load["requests"] for load in loads)
                extra.setdefault(
                    "largest_responses", sorted(loads[-1]["detail"], key=lambda r: -r["bytes"])[:8]
                )
        finally:
            browser.close()
    common.report("register_load", results, **extra)
    for key, value in extra.items():
        if key != "largest_responses":
            print(f"{key}: {value}")
