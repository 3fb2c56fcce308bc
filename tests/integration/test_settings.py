"""Start-up configuration: run manage.py in a subprocess with a controlled environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "Xy9_-Qw3rtZ" * 4


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Only what the test sets: no settings from this shell, nor the browser tests' async flag.
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ENV", "DATABASE_URL"}
    dropped.add("DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="pos.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", DJANGO_ENV="production", SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0 and "ALLOWED_HOSTS is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_database_url_is_one_clear_line():
    result = manage("check", DATABASE_URL="nonsense-url")
    assert result.returncode != 0
    assert "DATABASE_URL is not a valid database URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_boolean_is_one_clear_line():
    result = manage("check", DEBUG="perhaps")
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgres://"])
def test_unsupported_database_url_is_refused(url):
    result = manage("check", DATABASE_URL=url)
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_deploy_check_reports_no_issues():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="pos.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_hardened():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS >= 31536000,"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None) is not None)"
    )
    result = manage(
        "shell", "-c", code, DJANGO_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="x"
    )
    assert result.stdout.strip().splitlines()[-1] == "False True True True True False"
