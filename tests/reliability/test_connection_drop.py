"""PostgreSQL connections of the server are terminated (pg_terminate_backend) while registers
sell: the requests in flight fail cleanly and their retries, checkouts with the same
idempotency key, succeed exactly once."""

from __future__ import annotations

import time

import pytest

from bench import _live
from tests.reliability.conftest import assert_consistent, postgres_url

pytestmark = pytest.mark.skipif(
    postgres_url() is None,
    reason="terminating the server's database connection needs PostgreSQL (DATABASE_URL)",
)

REGISTERS = 4
TERMINATE_ALL = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = %s AND pid <> pg_backend_pid()"
)
# Statements only a checkout runs, seen while they run or while their transaction is open.
TERMINATE_CHECKOUT = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
    "AND state IN ('active', 'idle in transaction') AND xact_start IS NOT NULL "
    "AND query ~ "
    "'(quantity_on_hand - CASE|pos_counter|INSERT INTO \"pos_(sale|saleline|payment)\")'"
)
SALES_EACH = 6


def test_dropped_connections_fail_cleanly_and_retried_checkouts_sell_once(live):
    import psycopg

    name = live.url.rpartition("/")[2]
    admin = live.url.rpartition("/")[0].replace("postgres://", "postgresql://") + "/postgres"
    terminated: list[int] = []

    def hit(tills, kind=None):
        return [
            f
            for t in tills
            for f in t.stats.failures
            if f["status"] and (kind is None or f["kind"] == kind)
        ]

    def drop_connections(tills):
        with psycopg.connect(admin, autocommit=True) as conn:
            # Between requests: every connection of the application, idle ones included (the
            # next request finds its connection dead and must open a new one).
            time.sleep(1)
            terminated.append(len(conn.execute(TERMINATE_ALL, [name]).fetchall()))
            # During checkouts: a backend in the middle of a checkout's transaction, until a
            # few have been cut (bounded in time).
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and len(hit(tills, "checkout")) < 3:
                terminated.append(len(conn.execute(TERMINATE_CHECKOUT, [name]).fetchall()))
                time.sleep(0.002)

    run = _live.run_registers(
        live.port,
        live.seeded,
        REGISTERS,
        duration=40,
        max_sales=SALES_EACH,
        retry=True,
        during=drop_connections,
    )
    stats = run["stats"]
    assert sum(terminated) > 0, "no connection was terminated"
    failed = [f for f in stats.failures if f["status"]]
    assert any(f["kind"] == "checkout" for f in failed), "no checkout in flight was hit"
    for failure in failed:  # no traceback, no SQL, no driver message
        assert failure["status"] in (500, 503), failure
        body = failure["body"].decode(errors="replace")
        for leak in ("Traceback", 'File "', "psycopg", "OperationalError", "terminating"):
            assert leak not in body, body
        if failure["kind"] == "checkout":  # the API says what happened and that a retry is safe
            assert failure["status"] == 503, failure
            assert '"code":"database_unavailable"' in body.replace(" ", ""), body
    assert stats.errors == [], stats.errors[:5]
    assert not run["alive"], "a register did not stop"
    assert len(stats.sales) == REGISTERS * SALES_EACH

    figures = live.inspect()
    assert_consistent(figures, stats.sales)
