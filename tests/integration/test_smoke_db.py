import pytest
from django.db import connection


@pytest.mark.django_db
def test_database_backend_is_the_configured_one():
    import os

    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """Compiling plans costs more than the reports' and summaries' queries take (see
    pos_site.config.database_config)."""
    from pos_site.config import database_config

    config = database_config("postgres://u@db:5432/pos?options=-c%20work_mem%3D64MB", "x")
    assert config["OPTIONS"]["options"] == "-c jit=off -c work_mem=64MB"
    assert "OPTIONS" not in database_config(None, "db.sqlite3")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
