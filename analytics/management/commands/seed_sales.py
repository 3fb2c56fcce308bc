"""`python manage.py seed_sales --lines 1000000`: a realistic sales history for the reports."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from analytics.seeding import Seeder


class Command(BaseCommand):
    help = (
        "Bulk-insert a realistic sales history (sales, lines, taxes, payments, refunds, voids, "
        "stock movements) ending today. Adds to what is there; run on a demo or bench database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=100_000, help="sale lines to write")
        parser.add_argument("--days", type=int, default=730, help="days of history")
        parser.add_argument("--products", type=int, default=400, help="products to sell")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed (same seed, same data)"
        )

    def handle(self, *args, lines: int, days: int, products: int, seed: int, **options):
        if lines < 1 or days < 1 or products < 1:
            raise CommandError("--lines, --days and --products must be positive.")
        started = time.perf_counter()
        seeder = Seeder(lines=lines, days=days, products=products, seed=seed)
        counts = seeder.run(progress=lambda text: self.stdout.write(f"  {text}"))
        elapsed = time.perf_counter() - started
        written = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Wrote {written} in {elapsed:.1f} s."))
