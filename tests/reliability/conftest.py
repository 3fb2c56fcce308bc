"""Load and fault tests against a live gunicorn server (issue #10).

The application runs in other processes on its own throw-away database: PostgreSQL when
DATABASE_URL points at it (a `pos_rel…` database next to the test database, dropped after),
else a temporary SQLite file. The database is migrated and seeded once per session and copied
for each test (`CREATE DATABASE … TEMPLATE` / a file copy), so a test costs seconds, not a
migration. Only 127.0.0.1 and free ports; every server is stopped by its fixture.

    .venv/bin/pytest -m reliability
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pos_perf .venv/bin/pytest -m reliability
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

import pytest

from bench import _live

REGISTERS = 16
SCARCE = 5  # products whose stock runs out during the contention test
SCARCE_STOCK = 8
_labels = itertools.count(1)


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if _live.is_postgres(url) else None


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/reliability/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.reliability)


@pytest.fixture(scope="session")
def seeded_template():
    """A migrated database with 16 tills (cashier, API token, register) and the products."""
    url = _live.create_database("reltpl", postgres_url=postgres_url())
    try:
        _live.manage(url, "migrate", "--noinput", "-v0")
        seeded = _live.seed(
            url,
            registers=REGISTERS,
            products=20,
            stock=100_000,
            scarce=SCARCE,
            scarce_stock=SCARCE_STOCK,
        )
        yield url, seeded
    finally:
        _live.drop_database(url)


@dataclass
class Live:
    url: str
    server: _live.Server
    seeded: dict

    def port(self) -> int:
        return self.server.port

    def inspect(self) -> dict:
        return _live.inspect(self.url)


@pytest.fixture
def fresh_database(seeded_template):
    template, seeded = seeded_template
    url = _live.create_database(
        f"rel{next(_labels)}", postgres_url=postgres_url(), template=template
    )
    try:
        yield url, seeded
    finally:
        _live.drop_database(url)


@pytest.fixture
def live(fresh_database, tmp_path):
    """gunicorn with 2 workers on a copy of the seeded database; stopped even if a test fails."""
    url, seeded = fresh_database
    server = _live.Server(url, workers=2, log=tmp_path / "gunicorn.log")
    try:
        server.start()
        yield Live(url, server, seeded)
    finally:
        server.stop()


def assert_consistent(figures: dict, acknowledged: list[dict]) -> None:
    """Every sale the registers were told about exists exactly once, fully written, and nothing
    else was sold; stock never went negative and equals the sum of its movements."""
    numbers = [sale["number"] for sale in acknowledged]
    keys = [sale["key"] for sale in acknowledged]
    assert len(set(numbers)) == len(numbers), "a register was given the same sale twice"
    assert sorted(numbers) == figures["numbers"], "sales in the database ≠ sales acknowledged"
    assert sorted(keys) == figures["keys"]
    assert figures["incomplete_sales"] == []
    assert figures["checked_out_carts_without_sale"] == 0
    assert figures["negative_stock"] == []
    assert figures["ledger_mismatches"] == []
