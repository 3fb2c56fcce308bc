"""The shared pricing vectors: up to date with pos/pricing.py, and reproduced by pricing.js in Node.

The same module runs in Chromium in tests/browser/test_pricing_vectors.py (CI's browser job); here
Node runs it unchanged when it is installed, for a fast answer while editing the rules.
"""

from __future__ import annotations

import json
import shutil
import subprocess  # nosec B404 - runs node on our own files
from pathlib import Path

import pytest

from pos.pricing_vectors import VECTORS_PATH, build_vectors, render

RUNNER = Path(__file__).resolve().parents[1] / "vectors" / "run_pricing.mjs"


def test_committed_vectors_match_the_python_rules():
    assert VECTORS_PATH.read_text() == render(build_vectors()), (
        "tests/vectors/pricing.json is stale: run `python manage.py export_pricing_vectors`"
    )


def test_vectors_cover_every_rule_and_error():
    vectors = json.loads(VECTORS_PATH.read_text())["vectors"]
    assert len(vectors) >= 2000
    rules = {(v["rules"]["prices_include_tax"], v["rules"]["tax_per_line"]) for v in vectors}
    assert rules == {(a, b) for a in (True, False) for b in (True, False)}
    assert {v["rules"]["currency_places"] for v in vectors} == {0, 2, 3}
    assert {v["rules"]["cash_rounding"] for v in vectors} >= {"0.05", "0.10", "5", "0.005"}
    kinds = {(v["cart_discount"] or {}).get("kind") for v in vectors}
    assert kinds >= {None, "amount", "percent"}
    assert any(float(line["discount"]) > 0 for v in vectors for line in v["lines"])
    codes = {v["expected"]["error"]["code"] for v in vectors if "error" in v["expected"]}
    assert codes >= {
        "discount_too_large",
        "invalid_discount",
        "invalid_price",
        "invalid_quantity",
        "invalid_tax_rate",
        "invalid_cash_rounding",
        "card_exceeds_due",
        "invalid_tender_amount",
        "invalid_tender_method",
        "no_tenders",
        "nothing_due_in_cash",
        "tender_not_needed",
        "tenders_short",
    }
    settled = [v for v in vectors if "settlement" in v["expected"]]
    assert len(settled) > len(vectors) // 2
    assert any(
        v["expected"]["settlement"]["cash_rounding"] not in {"0", "0.00", "0.000"} for v in settled
    )


@pytest.mark.skipif(shutil.which("node") is None, reason="Node is not installed")
def test_javascript_pricing_reproduces_every_vector_in_node():
    completed = subprocess.run(  # noqa: S603  # nosec B603
        [shutil.which("node"), str(RUNNER)], capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(completed.stdout)
    assert report["checked"] == len(json.loads(VECTORS_PATH.read_text())["vectors"])
    assert report["failed"] == 0, report["failures"]
