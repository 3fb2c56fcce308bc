"""16 registers selling the same 5 products until their stock runs out."""

from __future__ import annotations

from bench import _live
from tests.reliability.conftest import REGISTERS, SCARCE_STOCK, assert_consistent


def test_sixteen_registers_sell_out_five_products_without_overselling(live):
    scarce = live.seeded["scarce_barcodes"]
    run = _live.run_registers(
        live.port, live.seeded, REGISTERS, duration=40, max_sales=40, barcodes=scarce
    )
    stats = run["stats"]
    assert not run["alive"], "a register did not stop"
    assert stats.errors == [], stats.errors[:5]
    assert stats.failures == []  # no lost request and no 5xx under contention
    assert stats.refusals > 0, "the stock never ran out: no contention was tested"

    figures = live.inspect()
    assert_consistent(figures, stats.sales)
    left = [figures["stock"][sku] for sku in sorted(figures["stock"]) if sku >= "LOAD-00021"]
    assert len(left) == 5 and all(0 <= qty <= SCARCE_STOCK for qty in left)
    assert 0 in left, f"no product sold out: {left}"
    # What was sold is exactly what left the shelf: no unit sold twice, none lost.
    assert figures["items_sold"] == 5 * SCARCE_STOCK - sum(left)
