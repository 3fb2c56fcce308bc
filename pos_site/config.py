"""Reading configuration from the environment, with one clear message when it is wrong."""

from __future__ import annotations

import os

SQLITE_ENGINE = "pos_site.sqlite"


class ConfigError(Exception):
    """A missing or malformed environment variable; the message says what to set."""


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false (got {value!r}).")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number (got {value!r}).") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def database_config(url: str | None, sqlite_path: str) -> dict:
    """The DATABASES['default'] entry: SQLite by default, or whatever DATABASE_URL names."""
    if url is None:
        return {"ENGINE": SQLITE_ENGINE, "NAME": sqlite_path}
    import dj_database_url

    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for bad URLs
        raise ConfigError(
            "DATABASE_URL is not a valid database URL "
            f"(expected e.g. postgres://postgres@127.0.0.1:5432/test): {exc}"
        ) from None
    if not config.get("ENGINE") or not config.get("NAME"):
        raise ConfigError(
            "DATABASE_URL must name an engine and a database, "
            "e.g. postgres://postgres@127.0.0.1:5432/test."
        )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = SQLITE_ENGINE
    elif config["ENGINE"] != "django.db.backends.postgresql":
        raise ConfigError("DATABASE_URL must be a postgres:// or sqlite:// URL.")
    else:
        # No JIT: it compiles any query whose estimated cost passes jit_above_cost, ~0.5 s each
        # time, and never pays back on queries that run in milliseconds (summarising a week of
        # sales for the reports took 2.5× as long). An `options` of the URL comes after: it wins.
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"-c jit=off {options.get('options', '')}".strip()
    return config
