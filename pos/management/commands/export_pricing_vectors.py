from django.core.management.base import BaseCommand, CommandError

from pos.pricing_vectors import VECTORS_PATH, build_vectors, render


class Command(BaseCommand):
    help = (
        "Write tests/vectors/pricing.json: carts priced by pos/pricing.py that the register's "
        "JavaScript pricing (static/pos/pricing.js) must reproduce to the cent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="fail if the committed file is out of date"
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        text = render(build_vectors())
        if check:
            current = VECTORS_PATH.read_text() if VECTORS_PATH.exists() else ""
            if current != text:
                raise CommandError(
                    f"{VECTORS_PATH} is out of date: run `python manage.py export_pricing_vectors`."
                )
            self.stdout.write("Pricing vectors are up to date.")
            return
        VECTORS_PATH.parent.mkdir(parents=True, exist_ok=True)
        VECTORS_PATH.write_text(text)
        self.stdout.write(f"Wrote {VECTORS_PATH}.")
