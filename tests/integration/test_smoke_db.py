import pytest
from django.db import connection


@pytest.mark.django_db
def test_database_backend_is_the_configured_one():
    import os

    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected
