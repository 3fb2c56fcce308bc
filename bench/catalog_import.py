"""CSV import of 5,000 products: the dry-run preview, creating them, and updating them.

    python -m bench catalog_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench catalog_import

Each run imports into a fresh set of SKUs (so "create" really creates), through the same
service the admin's Import screen calls, including revisions and history entries.
"""

from __future__ import annotations

import os
import time

ROWS = int(os.environ.get("BENCH_ROWS", "5000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def csv_for(run: int, price: str) -> str:
    from catalog.services import CSV_COLUMNS
    from catalog.testing import barcode_for

    lines = [",".join(CSV_COLUMNS)]
    for n in range(ROWS):
        number = run * ROWS + n
        lines.append(
            f"IMP-{number:07d},Imported product {number},{barcode_for(600_000_000 + number)},"
            f"Coffee,{price},1.10,Standard,{n % 40},5,true,Line {n} of the import"
        )
    return "\n".join(lines) + "\n"


def run() -> None:
    from django.contrib.auth import get_user_model

    from bench.common import report, summary
    from catalog.services import import_products_csv
    from catalog.testing import make_category, make_tax_rate

    make_category("Coffee")
    make_tax_rate("Standard", "8.25")
    user = get_user_model().objects.create_user("bench-merchandiser")
    timings: dict[str, list[float]] = {"dry run (preview)": [], "create": [], "update": []}
    for number in range(RUNS):
        for label, text in (
            ("dry run (preview)", csv_for(number, "2.50")),
            ("create", csv_for(number, "2.50")),
            ("update", csv_for(number, "2.75")),
        ):
            start = time.perf_counter()
            result = import_products_csv(
                text, dry_run=label.startswith("dry"), user=user, filename="bench.csv"
            )
            timings[label].append((time.perf_counter() - start) * 1000)
            assert not result.errors, result.errors[:3]
            assert result.created + result.updated == ROWS
    results = {f"{ROWS:,} rows: {label}": summary(samples) for label, samples in timings.items()}
    report("catalog_import", results, rows=ROWS)
