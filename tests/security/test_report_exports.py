"""Reports (analytics) show hostile names inert and export them as text, never as formulas."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests import factories

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"
FORMULA_USERNAME = "-1+cmd"  # what Django's username rules let through
REPORTS = ["top-products", "sales-by-category", "sales-by-cashier"]


@pytest.fixture
def hostile_sale(cashier):
    cashier.username = FORMULA_USERNAME
    cashier.first_name = FORMULA
    cashier.save()
    factories.open_shift(cashier)
    script = factories.product(SCRIPT)
    formula = factories.product(FORMULA)
    script.category = factories.category(SCRIPT)
    formula.category = factories.category(FORMULA)
    script.save()
    formula.save()
    return factories.sale(cashier, (script, 1), (formula, 1))


def export(client, report: str, kind: str) -> bytes:
    response = client.get(f"/admin/reports/{report}/?export={kind}")
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("report", ["top-products", "sales-by-category"])
def test_report_pages_show_hostile_names_inert(report, hostile_sale, manager_client):
    html = manager_client.get(f"/admin/reports/{report}/").content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("report", REPORTS)
def test_csv_exports_write_formulas_as_text(report, hostile_sale, manager_client):
    text = export(manager_client, report, "csv").decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + FORMULA in cells or "'" + FORMULA_USERNAME in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)


@pytest.mark.parametrize("report", REPORTS)
def test_xlsx_exports_hold_no_formulas(report, hostile_sale, manager_client):
    book = load_workbook(io.BytesIO(export(manager_client, report, "xlsx")))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert any(str(cell.value) in ("'" + FORMULA, "'" + FORMULA_USERNAME) for cell in cells)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]


def test_pdf_export_prints_hostile_names_literally(hostile_sale, manager_client):
    pdf = PdfReader(io.BytesIO(export(manager_client, "top-products", "pdf")))
    text = "".join("".join(page.extract_text().split()) for page in pdf.pages)
    assert "<script>alert(1)</script>" in text
