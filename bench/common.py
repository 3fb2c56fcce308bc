"""Shared plumbing for benchmarks: a throw-away database, timing, results as JSON + a table.

The database is never the developer's: SQLite goes to a temporary file; with DATABASE_URL set
to PostgreSQL, a fresh `pos_bench_<pid>` database is created on that server and dropped after.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

_state: dict = {}


def setup_django() -> None:
    """Point Django at a throw-away database, migrate it, and set Django up."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pos_site.settings")
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = f"pos_bench_{os.getpid()}"
        base, _, _ = url.rpartition("/")
        with psycopg.connect(
            f"{base}/postgres".replace("postgres://", "postgresql://"), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        _state["pg"] = (base, name)
        os.environ["DATABASE_URL"] = f"{base}/{name}"
    else:
        folder = tempfile.mkdtemp(prefix="pos-bench-")
        _state["sqlite"] = folder
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ.setdefault("MEDIA_ROOT", f"{folder}/media")

    import warnings

    import django
    from django.core.management import call_command

    warnings.filterwarnings("ignore", message="No directory at")

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def teardown_django() -> None:
    from django.db import connections

    connections.close_all()
    if "pg" in _state:
        import psycopg

        base, name = _state.pop("pg")
        with psycopg.connect(
            f"{base}/postgres".replace("postgres://", "postgresql://"), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    if "sqlite" in _state:
        import shutil

        shutil.rmtree(_state.pop("sqlite"), ignore_errors=True)


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "database": database_label(),
        # Shared machine: the 1-minute load average when the figures were taken says how noisy.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def summary(samples: list[float]) -> dict:
    """Median, 95th percentile, min and max of millisecond samples."""
    samples = sorted(samples)
    return {
        "runs": len(samples),
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 3),
        "min_ms": round(samples[0], 3),
        "max_ms": round(samples[-1], 3),
    }


def timed(fn: Callable[[], object], *, runs: int, warmup: int = 5) -> dict:
    """Run `fn` `warmup` times untimed, then `runs` times; milliseconds statistics."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return summary(samples)


def report(scenario: str, results: dict[str, dict], **extra) -> Path:
    """Print a table and write bench/results/<scenario>[-postgresql].json."""
    info = machine()
    width = max(len(name) for name in results) + 2
    print(f"{info['database']} · {info['cpu']} · Python {info['python']}")
    print(
        f"{'measurement':<{width}}{'median':>10}{'p95':>10}{'min':>10}{'max':>10}{'runs':>7}"
        f"{'queries':>9}"
    )
    for name, row in results.items():
        print(
            f"{name:<{width}}{row['median_ms']:>8.2f}ms{row['p95_ms']:>8.2f}ms"
            f"{row['min_ms']:>8.2f}ms{row['max_ms']:>8.2f}ms{row['runs']:>7}"
            f"{row.get('queries', ''):>9}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if info["database"].startswith("SQLite") else "-postgresql"
    path = RESULTS / f"{scenario}{suffix}.json"
    payload = {
        "scenario": scenario,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        **extra,
        "results": results,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"written {path.relative_to(ROOT)}")
    return path
