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
# Checkouts queued behind the sale counter's row lock: their transaction has already taken the
# stock, so cutting them here tests that a half-done checkout leaves nothing behind.
TERMINATE_QUEUED_CHECKOUTS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
    "AND wait_event_type = 'Lock' AND query ~ 'pos_counter' AND pid <> %s"
)
HOLD_SALE_COUNTER = "SELECT value FROM pos_counter WHERE name = 'sale' FOR UPDATE"
CHECKOUTS_TO_CUT = 3
SALES_EACH = 6


def test_dropped_connections_fail_cleanly_and_retried_checkouts_sell_once(live):
    import psycopg

    name = live.url.rpartition("/")[2]
    app_db = live.url.replace("postgres://", "postgresql://")
    admin = app_db.rpartition("/")[0] + "/postgres"
    terminated: list[int] = []
    cut_checkouts: list[int] = []

    def drop_connections(tills):
        # Deterministic, whatever the machine's speed: the sale counter's row is held, so every
        # checkout stops inside its transaction (stock already taken, no number yet) until it is
        # cut; the retries queue up again until enough have been cut, then the lock goes.
        with psycopg.connect(admin, autocommit=True) as conn:
            with psycopg.connect(app_db) as blocker:
                blocker.execute(HOLD_SALE_COUNTER)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and sum(cut_checkouts) < CHECKOUTS_TO_CUT:
                    rows = conn.execute(
                        TERMINATE_QUEUED_CHECKOUTS, [name, blocker.info.backend_pid]
                    )
                    cut_checkouts.append(len(rows.fetchall()))
                    time.sleep(0.01)
                blocker.rollback()
            # Between requests: every connection of the application, idle ones included (the
            # next request finds its connection dead and must open a new one).
            terminated.append(len(conn.execute(TERMINATE_ALL, [name]).fetchall()))

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
    assert sum(cut_checkouts) >= CHECKOUTS_TO_CUT, "the queued checkouts were not cut"
    failed = [f for f in stats.failures if f["status"]]
    assert sum(f["kind"] == "checkout" for f in failed) >= CHECKOUTS_TO_CUT, failed
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
