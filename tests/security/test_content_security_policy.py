"""Content Security Policy headers, and our templates staying free of inline code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUR_TEMPLATES = [
    path
    for folder in ("templates", "catalog", "pos", "receipts", "analytics", "store")
    for path in (ROOT / folder).rglob("*.html")
]
INLINE_SCRIPT = re.compile(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>', re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)


@pytest.mark.django_db
def test_pages_outside_the_admin_get_the_strict_policy(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'self'"


def test_only_wagtails_admin_may_run_inline_code(manager_client):
    admin = manager_client.get("/admin/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in admin
    api = manager_client.get("/api/v1/products/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in api


OUR_ADMIN_SCREENS = [
    "/admin/reports/sales-overview/",
    "/admin/inventory/",
    "/admin/inventory/receive/",
    "/admin/receipts/find/",
    "/admin/catalog/products/import/",
]


@pytest.mark.parametrize("path", OUR_ADMIN_SCREENS)
def test_our_admin_screens_run_no_inline_script(manager_client, path):
    response = manager_client.get(path)
    assert response.status_code == 200
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert directives["script-src"] == "'self'"


@pytest.mark.parametrize("path", OUR_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_our_templates_carry_no_inline_scripts_handlers_or_styles(path):
    html = path.read_text()
    assert not INLINE_SCRIPT.search(html), "move the script to a static .js file"
    assert not INLINE_HANDLER.search(html), "attach the handler from a static .js file"
    assert not STYLE_ATTRIBUTE.search(html), "use a class from a static .css file"


def test_the_template_scan_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/a.js"></script>')
    assert not INLINE_SCRIPT.search('<script type="application/json" id="d">{}</script>')
    assert INLINE_HANDLER.search('<a onclick="x()">') and STYLE_ATTRIBUTE.search('<p style="">')
