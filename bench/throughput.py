"""Throughput: 1, 4 and 16 registers selling at once against a live gunicorn server (issue #10).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench throughput
    python -m bench throughput                       # SQLite, for comparison

The server is gunicorn (`BENCH_WORKERS`, default 2 × cores + 1 sync workers) on the throw-away
database of bench/common.py; the load generator is this process: one thread per register, each
with its own cashier, API token and shift, talking HTTP to 127.0.0.1. A sale is a new cart,
1–8 scans by barcode and a checkout paid in cash (two in three) or card + cash, each with a
fresh idempotency key. Each level runs `BENCH_DURATION` seconds (default 20) after a warm-up.
Reported: sales per second, latency percentiles of checkouts and of every request, errors
(must be 0). The chart of sales/s against registers goes to docs/img/throughput.png.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path

LEVELS = (1, 4, 16)
DURATION = float(os.environ.get("BENCH_DURATION", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))


def _ms(samples: list[float]) -> dict:
    from bench._live import percentile

    if not samples:
        return {"count": 0}
    return {
        "count": len(samples),
        "p50_ms": round(percentile(samples, 0.50), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
        "mean_ms": round(statistics.fmean(samples), 1),
    }


def run() -> None:
    from django.db import connections

    from bench import _live, common

    seeded = _live._seed(registers=sum(LEVELS) + 1, products=200, stock=10**7)
    info = common.machine()
    connections.close_all()  # the server owns the database from here on
    url = os.environ["DATABASE_URL"]
    log = Path(tempfile.gettempdir()) / f"bench-throughput-{os.getpid()}.log"
    results = {}
    first_till = 0
    with _live.Server(url, workers=WORKERS, log=log) as server:
        # Warm-up: every worker imports, connects and fills its caches before anything counts.
        warm = {"tills": seeded["tills"][:1], "barcodes": seeded["barcodes"]}
        _live.run_registers(lambda: server.port, warm, 1, duration=3)
        first_till = 1
        for registers in LEVELS:
            tills = {
                "tills": seeded["tills"][first_till : first_till + registers],
                "barcodes": seeded["barcodes"],
            }
            first_till += registers
            load_before = os.getloadavg()[0]
            run = _live.run_registers(
                lambda: server.port, tills, registers, duration=DURATION, seed=registers
            )
            stats = run["stats"]
            everything = [ms for samples in stats.latency_ms.values() for ms in samples]
            row = {
                "registers": registers,
                "duration_s": round(run["elapsed"], 1),
                "sales": len(stats.sales),
                "sales_per_s": round(len(stats.sales) / run["elapsed"], 1),
                "requests_per_s": round(len(everything) / run["elapsed"], 1),
                "errors": len(stats.errors),
                "checkout": _ms(stats.latency_ms.get("checkout", [])),
                "scan": _ms(stats.latency_ms.get("scan", [])),
                "every_request": _ms(everything),
                "whole_sale": _ms(stats.sale_ms),
                "load_average_before": round(load_before, 2),
                "load_average_after": round(os.getloadavg()[0], 2),
                "error_samples": stats.errors[:5],
            }
            results[str(registers)] = row
    figures = _live.inspect(url)
    assert figures["incomplete_sales"] == [] and figures["ledger_mismatches"] == [], figures

    print(f"{info['database']} · {info['cpu']} × {info['cpus']} · gunicorn {WORKERS} workers")
    print(
        f"{'registers':>9}{'sales/s':>9}{'req/s':>8}{'errors':>8}"
        f"{'checkout p50':>14}{'p95':>8}{'p99':>8}{'all p99':>9}{'load':>7}"
    )
    for row in results.values():
        c, a = row["checkout"], row["every_request"]
        print(
            f"{row['registers']:>9}{row['sales_per_s']:>9}{row['requests_per_s']:>8}"
            f"{row['errors']:>8}{c.get('p50_ms', 0):>12}ms{c.get('p95_ms', 0):>6}ms"
            f"{c.get('p99_ms', 0):>6}ms{a.get('p99_ms', 0):>7}ms{row['load_average_after']:>7}"
        )
    suffix = "" if info["database"].startswith("SQLite") else "-postgresql"
    path = common.RESULTS / f"throughput{suffix}.json"
    payload = {
        "scenario": "throughput",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "server": f"gunicorn pos_site.wsgi, {WORKERS} sync workers, DJANGO_ENV=test",
        "duration_s_per_level": DURATION,
        "sales_checked": figures["sales"],
        "results": results,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"written {path.relative_to(common.ROOT)}")
    from bench import _chart

    print(f"written {_chart.throughput_chart().relative_to(common.ROOT)}")
