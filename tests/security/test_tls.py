"""Serving over TLS without a proxy: gunicorn with the self-signed certificate (make serve-tls)."""

import http.client
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pos.management.commands.make_dev_cert import make_certificate

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = make_certificate(folder / "certs")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_ENV": "production",
        "SECRET_KEY": "tls-test-" + "k3y" * 20,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(folder / "static"),
        "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "pos_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--certfile",
            str(cert),
            "--keyfile",
            str(key),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail("gunicorn did not start")
    yield port, cert
    server.terminate()
    server.wait(timeout=20)


def test_login_page_over_https_with_hsts(tls_server):
    port, cert = tls_server
    context = ssl.create_default_context(cafile=str(cert))
    with urllib.request.urlopen(
        f"https://localhost:{port}/login/", context=context, timeout=30
    ) as r:
        assert r.status == 200
        assert "max-age=31536000" in r.headers["Strict-Transport-Security"]
        assert "includeSubDomains" in r.headers["Strict-Transport-Security"]
        cookie = r.headers.get("Set-Cookie", "")
        assert "csrftoken" in cookie and "Secure" in cookie
        assert b"Sign in" in r.read()


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
