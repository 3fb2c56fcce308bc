"""First load of the register: under 300 KB (product images aside) and interactive within 1 s."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests import factories
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET_BYTES = 300_000
BUDGET_MS = 1000
RUNS = 3


def load_once(browser, base_url: str, session: str) -> dict:
    """/register/ in a fresh context: empty cache, already signed in."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])
    page = context.new_page()
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
    total = sum(r["bytes"] for r in requests if r["type"] != "image")
    return {"bytes_without_images": total, "ready_ms": round(ready_ms), "requests": requests}


def test_first_load_is_small_and_interactive_within_a_second(browser, live_server, artifacts):
    cashier = make_user("casey", "Cashiers")
    for n in range(40):  # the demo shop's size
        factories.product(f"Demo product {n:02d} with a realistic name", f"{n + 1}.25", stock=20)
    client = Client()
    client.force_login(cashier)  # signed in, but nothing of the register in the cache yet
    session = client.cookies["sessionid"].value

    load_once(browser, live_server.url, session)  # warms the server up, not the browser
    loads = [load_once(browser, live_server.url, session) for _ in range(RUNS)]
    (artifacts / "register-first-load.json").write_text(json.dumps(loads, indent=2))
    size = max(load["bytes_without_images"] for load in loads)
    # The best of a few cold loads: the machine running the suite is often busy with other
    # work, and the budget is about the page, not about that.
    ready = min(load["ready_ms"] for load in loads)
    print(
        f"\nregister first load: {size / 1000:.1f} KB without images; ready in {ready} ms "
        f"(runs: {', '.join(str(load['ready_ms']) for load in loads)} ms)"
    )
    assert size < BUDGET_BYTES
    assert ready < BUDGET_MS
