"""HTTPS without a proxy: `make serve-tls` (gunicorn with the self-signed certificate)."""

import http.client
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "tls-Sign-in-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """`make serve-tls` exactly as the deployment guide gives it, on a free port."""
    folder = tmp_path_factory.mktemp("tls")
    (folder / "media").mkdir()
    (folder / "media" / "probe.txt").write_text("an uploaded file")
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "MAKEFLAGS")
        },
        "SECRET_KEY": "tls-test-" + "k3y" * 20,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
    }
    port = free_port()
    server = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "serve-tls",
            f"VENV={sys.prefix}",
            "HOST=127.0.0.1",
            f"TLS_PORT={port}",
            f"CERT_DIR={folder / 'certs'}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # make, gunicorn and its workers stop together
    )
    try:
        wait_for_port(port, server)
        create_user(env)
        yield port, folder / "certs" / "cert.pem"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def wait_for_port(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300  # migrate and collectstatic run first
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"make serve-tls exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail("make serve-tls did not start gunicorn")


def create_user(env: dict) -> None:
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            f"User.objects.create_user('tls-manager', password='{PASSWORD}', is_staff=True)",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_ENV": "production"},
        check=True,
        timeout=120,
    )


def https(port: int, cert: Path) -> http.client.HTTPSConnection:
    context = ssl.create_default_context(cafile=str(cert))
    return http.client.HTTPSConnection("localhost", port, context=context, timeout=30)


def set_cookie(headers, name: str) -> str:
    return next(v for v in headers.get_all("Set-Cookie") if v.startswith(name + "="))


def test_login_page_over_https_with_hsts(tls_server):
    port, cert = tls_server
    context = ssl.create_default_context(cafile=str(cert))
    with urllib.request.urlopen(
        f"https://localhost:{port}/login/", context=context, timeout=30
    ) as r:
        assert r.status == 200
        assert "max-age=31536000" in r.headers["Strict-Transport-Security"]
        assert "includeSubDomains" in r.headers["Strict-Transport-Security"]
        assert "preload" in r.headers["Strict-Transport-Security"]
        csrf = set_cookie(r.headers, "csrftoken")
        assert "Secure" in csrf and "SameSite=Lax" in csrf
        assert b"Sign in" in r.read()


def test_signed_in_session_cookie_is_secure_httponly_samesite(tls_server):
    port, cert = tls_server
    connection = https(port, cert)
    connection.request("GET", "/login/")
    page = connection.getresponse()
    csrf_cookie = set_cookie(page.headers, "csrftoken").split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())[1]
    form = {"csrfmiddlewaretoken": token, "username": "tls-manager", "password": PASSWORD}
    connection.request(
        "POST",
        "/login/",
        body=urllib.parse.urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": csrf_cookie,
            "Referer": f"https://localhost:{port}/login/",
        },
    )
    signed_in = connection.getresponse()
    assert signed_in.status == 302, signed_in.read()[:500]
    session = set_cookie(signed_in.headers, "sessionid")
    assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session


def test_uploaded_images_are_served_without_a_proxy(tls_server):
    port, cert = tls_server
    connection = https(port, cert)
    connection.request("GET", "/media/probe.txt")
    response = connection.getresponse()
    assert response.status == 200 and response.read() == b"an uploaded file"


def test_untrusted_certificate_is_rejected_by_default(tls_server):
    port, _ = tls_server
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"https://localhost:{port}/login/", timeout=30)


def test_plain_http_is_refused(tls_server):
    port, _ = tls_server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/login/")
        response = connection.getresponse()
        body = response.read()
    except (http.client.HTTPException, OSError):
        return  # refused: the TLS port does not speak plain HTTP
    # If anything answered, it must be a redirect to HTTPS, never the page in clear text.
    assert response.status in (301, 302, 400) and b"Sign in" not in body
