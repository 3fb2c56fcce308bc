"""Write the API's OpenAPI schema to docs/openapi.yaml, so the API documentation in the
repository is generated from the code (a test fails when the file is out of date)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.validation import validate_schema

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


def generate_openapi_yaml() -> str:
    """The schema served at /api/schema/, as YAML text (validated against OpenAPI 3)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


class Command(BaseCommand):
    help = "Write the OpenAPI schema of /api/v1/ to docs/openapi.yaml (or --output)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", default=str(DEFAULT_PATH), help="Where to write it.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if the file differs from the generated schema.",
        )

    def handle(self, *args, output: str, check: bool, **options) -> None:
        path = Path(output)
        text = generate_openapi_yaml()
        if check:
            if not path.exists() or path.read_text() != text:
                raise CommandError(f"{path} is out of date: run `python manage.py export_openapi`.")
            self.stdout.write(f"{path} is up to date.")
            return
        path.write_text(text)
        self.stdout.write(f"Wrote {path}.")
