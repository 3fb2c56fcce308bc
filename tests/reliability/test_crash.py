"""The server is killed (SIGKILL, master and workers) while registers sell; it restarts and the
registers retry their requests, checkouts with the same idempotency keys."""

from __future__ import annotations

import threading
import time

from bench import _live
from tests.reliability.conftest import assert_consistent

REGISTERS = 4
SALES_EACH = 4


def test_sigkill_mid_run_then_retries_sell_each_cart_exactly_once(live):
    sold = threading.Semaphore(0)
    killed_at: list[float] = []

    def crash_and_restart(tills):
        # Let the registers get going, then kill everything at once, mid-request.
        deadline = time.monotonic() + 20
        for _ in range(REGISTERS * 2):
            if not sold.acquire(timeout=max(0.1, deadline - time.monotonic())):
                break
        killed_at.append(time.monotonic())
        live.server.kill()  # SIGKILL to the process group: no graceful shutdown
        time.sleep(0.5)  # requests arriving now are refused
        live.server.start()

    run = _live.run_registers(
        live.port,
        live.seeded,
        REGISTERS,
        duration=45,
        max_sales=SALES_EACH,
        retry=True,
        on_sale=sold.release,
        during=crash_and_restart,
    )
    stats = run["stats"]
    assert killed_at, "the server was never killed"
    assert not run["alive"], "a register did not stop"
    assert stats.errors == [], stats.errors[:5]
    assert stats.failures, "the kill hit no request in flight: nothing was tested"
    assert len(stats.sales) == REGISTERS * SALES_EACH

    figures = live.inspect()
    assert_consistent(figures, stats.sales)
    assert figures["sales"] == REGISTERS * SALES_EACH
