"""`manage.py backup` while the server runs, restored into a fresh database: the same figures."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from bench import _live
from tests.reliability.conftest import assert_consistent, postgres_url


def restore(backup, url_of_source: str) -> str:
    """The documented restore: a file copy for SQLite, pg_restore into an empty database."""
    if not _live.is_postgres(url_of_source):
        url = _live.create_database("restored")
        shutil.copyfile(backup, url.removeprefix("sqlite:///"))
        return url
    url = _live.create_database("restored", postgres_url=postgres_url())
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={url.replace('postgres://', 'postgresql://')}"]
        + [str(backup)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return url


def test_backup_of_a_running_shop_restores_to_identical_figures(live, tmp_path):
    if _live.is_postgres(live.url) and not shutil.which("pg_restore"):
        pytest.skip("pg_dump/pg_restore (postgresql-client) are not installed")
    run = _live.run_registers(live.port, live.seeded, 3, duration=30, max_sales=2)
    assert run["stats"].errors == []
    before = live.inspect()
    assert_consistent(before, run["stats"].sales)
    assert before["sales"] == 6

    backup = tmp_path / "shop.backup"
    output = _live.manage(live.url, "backup", str(backup))  # the server is still running
    assert "Backed up to" in output and backup.stat().st_size > 0
    # Selling goes on after the backup: the copy holds the shop as it was when it was taken.
    _live.run_registers(
        live.port, {**live.seeded, "tills": live.seeded["tills"][3:]}, 1, duration=10, max_sales=1
    )

    restored = restore(backup, live.url)
    try:
        after = _live.inspect(restored)
    finally:
        _live.drop_database(restored)
    assert after == before
