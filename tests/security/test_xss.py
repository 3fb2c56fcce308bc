"""Hostile text typed into the shop renders inert everywhere it is shown.

Product names and descriptions, a category name, the receipt template's header, footer and
thank-you line, and a cashier's first name all carry a script tag and an attribute break-out.
Descriptions and receipt texts are planted straight in the database (as an old revision or a
careless import could leave them), so the test does not rely on the editor having cleaned them.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.utils.html import escape
from pypdf import PdfReader

from catalog.models import Category, Product
from receipts.models import ReceiptTemplate
from tests import factories

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PAYLOADS = (SCRIPT, ATTRIBUTE)
# What the payloads may look like once escaped: the tags survive only as text.
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Rich text as it could sit in the database: the payloads typed as text (stored escaped), and
# as well-formed markup the editor would never have produced.
STORED_HTML = (
    f"<p>{escape(SCRIPT + ATTRIBUTE)}</p>{SCRIPT}"
    '<p><img src="x" onerror="alert(1)"/><a href="javascript:alert(1)">x</a></p>'
)


def assert_inert(html: str) -> None:
    for payload in PAYLOADS:
        assert payload not in html
    assert "<img src=x" not in html
    assert 'onerror="alert(1)"' not in html
    assert 'href="javascript:' not in html


def assert_escaped(html: str) -> None:
    assert_inert(html)
    assert ESCAPED_SCRIPT in html


@pytest.fixture
def hostile(users):
    """A sale by a cashier called <script>… of two hostile products, on a hostile template."""
    cashier = users["cashier"]
    cashier.first_name = SCRIPT
    cashier.save()
    category = Category.objects.create(name=SCRIPT + ATTRIBUTE)
    script = factories.product(SCRIPT)
    attribute = factories.product(ATTRIBUTE)
    Product.objects.filter(pk__in=[script.pk, attribute.pk]).update(
        description=STORED_HTML, category=category
    )
    template = ReceiptTemplate.objects.get(is_default=True)
    template.header = STORED_HTML
    template.footer = STORED_HTML
    template.thank_you_message = SCRIPT + ATTRIBUTE
    template.paper = ReceiptTemplate.Paper.A4
    template.save()
    factories.open_shift(cashier)
    sale = factories.sale(cashier, (script, 1), (attribute, 1))
    return {"sale": sale, "product": script, "category": category, "template": template}


@pytest.mark.parametrize(
    "path",
    [
        "/admin/catalog/products/",
        "/admin/catalog/products/?q=script",
        "/admin/catalog/products/edit/{product}/",
        "/admin/catalog/categories/",
        "/admin/catalog/categories/edit/{category}/",
        "/admin/receipts/templates/",
        "/admin/receipts/templates/edit/{template}/",
        "/admin/receipts/templates/preview/{template}/",
        "/admin/snippets/choose/catalog/product/",
    ],
)
def test_admin_pages_show_hostile_text_inert(path, hostile, merchandiser_client):
    url = path.format(**{key: obj.pk for key, obj in hostile.items()})
    response = merchandiser_client.get(url)
    assert response.status_code == 200
    assert_inert(response.content.decode())


@pytest.mark.parametrize(
    "path",
    ["/admin/pos/sale/", "/admin/pos/sale/inspect/{sale}/", "/admin/pos/shift/"],
)
def test_manager_listings_show_the_hostile_cashier_name_inert(path, hostile, manager_client):
    url = path.format(sale=hostile["sale"].pk)
    response = manager_client.get(url)
    assert response.status_code == 200
    assert_inert(response.content.decode())


def test_product_listing_escapes_the_name(hostile, merchandiser_client):
    html = merchandiser_client.get("/admin/catalog/products/").content.decode()
    assert_escaped(html)


def test_register_page_shows_hostile_text_inert(hostile, cashier_client):
    response = cashier_client.get("/register/")
    assert response.status_code == 200
    assert_escaped(response.content.decode())


def test_products_api_is_json_the_browser_never_sniffs_as_html(hostile, cashier_client):
    response = cashier_client.get("/api/v1/products/?search=script")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    names = [row["name"] for row in response.json()["results"]]
    assert SCRIPT in names  # data stays data: the register escapes it when showing it


def test_products_api_cleans_a_hostile_description(merchandiser_client, hostile):
    response = merchandiser_client.patch(
        f"/api/v1/products/{hostile['product'].pk}/",
        {"description": f"<p>ok {SCRIPT}{ATTRIBUTE}</p>"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    stored = Product.objects.get(pk=hostile["product"].pk).description
    for text in (stored, response.json()["description"]):
        assert "<script" not in text and "onerror" not in text and "<img" not in text


def test_receipt_page_shows_hostile_text_inert(hostile, cashier_client):
    response = cashier_client.get(f"/receipts/{hostile['sale'].number}/")
    assert response.status_code == 200
    assert_escaped(response.content.decode())


def test_shift_report_shows_the_hostile_cashier_name_inert(hostile, manager_client):
    response = manager_client.get(f"/shifts/{hostile['sale'].shift_id}/report/")
    assert response.status_code == 200
    assert_inert(response.content.decode())


def test_receipt_pdf_prints_hostile_text_literally(hostile, cashier_client):
    response = cashier_client.get(f"/receipts/{hostile['sale'].number}.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = "".join(text.split())
    assert "<script>alert(1)</script>" in flat
    assert '"><imgsrc=xonerror=alert(1)>' in flat


def test_product_csv_export_keeps_hostile_text_as_plain_cells(hostile, merchandiser_client):
    response = merchandiser_client.get("/admin/catalog/products/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    names = [row[1] for row in rows[1:]]
    assert SCRIPT in names and ATTRIBUTE in names
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")


HTML_SINKS = re.compile(r"\.(?:innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write")


@pytest.mark.parametrize(
    "script",
    sorted(p for p in (ROOT / "static").rglob("*.js") if "vendor" not in p.parts),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_our_scripts_build_the_page_with_text_not_html(script):
    """Product names, customer e-mails and report labels reach the page as text only: no
    script of ours writes HTML strings (static/pos/dom.js builds elements with textContent)."""
    code = re.sub(r"//[^\n]*|/\*.*?\*/", "", script.read_text(), flags=re.S)  # comments aside
    assert not HTML_SINKS.search(code), HTML_SINKS.search(code)


def test_the_html_sink_scan_finds_what_it_looks_for():
    for sink in ["el.innerHTML = x", "el.outerHTML += y", "el.insertAdjacentHTML('x', y)"]:
        assert HTML_SINKS.search(sink)
    assert not HTML_SINKS.search("el.textContent = x")
