"""pricing.js in Chromium, served by the site like the register loads it, over every vector."""

from __future__ import annotations

import pytest

from pos.pricing_vectors import VECTORS_PATH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHECKER = VECTORS_PATH.parent / "check_pricing.js"


def test_javascript_pricing_reproduces_every_vector_in_chromium(page, live_server):
    # The checker and the vectors are test files, not static files: served same-origin by the
    # test itself, so the page's Content-Security-Policy (script-src/connect-src 'self') holds.
    page.route(
        "**/__tests__/check_pricing.js",
        lambda route: route.fulfill(path=str(CHECKER), content_type="text/javascript"),
    )
    page.route(
        "**/__tests__/pricing.json",
        lambda route: route.fulfill(path=str(VECTORS_PATH), content_type="application/json"),
    )
    page.goto("/login/")
    report = page.evaluate(
        """async () => {
            const pricing = await import("/static/pos/pricing.js");
            const { checkVectors } = await import("/__tests__/check_pricing.js");
            const { vectors } = await (await fetch("/__tests__/pricing.json")).json();
            return checkVectors(pricing, vectors);
        }"""
    )
    assert report["checked"] >= 2000
    assert report["failed"] == 0, report["failures"]
