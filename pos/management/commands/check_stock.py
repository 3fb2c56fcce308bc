from django.core.management.base import BaseCommand, CommandError

from pos.inventory import ledger_mismatches


class Command(BaseCommand):
    help = "Check that every product's stock on hand equals the sum of its stock movements."

    def handle(self, *args, **options) -> None:
        rows = ledger_mismatches()
        if not rows:
            self.stdout.write(self.style.SUCCESS("Stock ledger OK: every product matches."))
            return
        for row in rows:
            on_hand, moved = row["quantity_on_hand"], row["moved"]
            self.stdout.write(
                f"{row['sku']:<16} {row['name'][:40]:<40} on hand {on_hand:>7}"
                f"  movements {moved:>7}  difference {on_hand - moved:+}"
            )
        raise CommandError(f"{len(rows)} product(s) do not match their stock movements.")
