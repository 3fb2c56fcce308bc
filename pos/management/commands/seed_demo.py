from django.core.management.base import BaseCommand

from pos.demo import database_has_data, seed_catalog, seed_users


class Command(BaseCommand):
    help = "Create a demo shop (catalog with images, one user per role). Safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has products or users (used by make run).",
        )

    def handle(self, *args, **options) -> None:
        if options["if_empty"] and database_has_data():
            self.stdout.write("Database already has data; demo data not loaded.")
            return
        created = seed_catalog()
        self.stdout.write(f"Catalog: {created} new products.")
        rows = seed_users()
        self.stdout.write("")
        self.stdout.write("Demo logins (passwords are shown once; they are not stored anywhere):")
        for username, password, role in rows:
            shown = password if password else "(already existed, password unchanged)"
            self.stdout.write(f"  {role:<14} {username:<14} {shown}")
        self.stdout.write("")
