"""`python manage.py rebuild_sales_summaries`: rewrite the closed-day summaries from the sales."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from analytics.summary import rebuild


class Command(BaseCommand):
    help = (
        "Throw away the reports' closed-day summaries and write them again from the sales "
        "(after a restore, a bulk import or a change of TIME_ZONE). Reports stay correct "
        "meanwhile: days not summarised are read from the sale lines."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        counts = rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Summaries rebuilt: {counts['hourly_rows']:,} hourly rows, "
                f"{counts['category_rows']:,} category-hour rows, "
                f"{counts['product_rows']:,} product-day rows in "
                f"{time.perf_counter() - started:.1f} s."
            )
        )
