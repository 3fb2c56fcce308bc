"""Exports: the same URL with ?export=csv|xlsx|pdf gives what the page shows, parsed back."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from analytics.exports import safe_cell
from tests.reports_data import build_shop

pytestmark = pytest.mark.django_db

OVERVIEW = "/admin/reports/sales-overview/"
MARCH = {"preset": "custom", "start": "2026-03-10", "end": "2026-03-12"}


@pytest.fixture(autouse=True)
def _new_york(settings):
    settings.TIME_ZONE = "America/New_York"


@pytest.fixture
def shop(cashier, manager):
    return build_shop(cashier, manager)


def download(client, url, kind, **params):
    response = client.get(url, {**MARCH, **params, "export": kind})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_overview(manager_client, shop):
    response = download(manager_client, OVERVIEW, "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="sales-overview_20260310-20260312.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["Sales overview"]
    assert ["2026-03-10 to 2026-03-12 (Custom range)"] in rows
    metrics = {row[0]: row[1:] for row in rows if len(row) == 4}
    assert metrics["Net sales (tax incl.)"][0] == "44.38"
    assert metrics["Gross sales"][0] == "52.00"
    assert metrics["Refunds"][0] == "10.83"
    series = rows[rows.index(["Day", "Sales", "Paid", "Refunds", "Net sales (tax incl.)"]) + 1 :]
    assert [row[1:] for row in series] == [
        ["2", "46.55", "0.00", "46.55"],
        ["1", "8.66", "0.00", "8.66"],
        ["0", "0.00", "10.83", "-10.83"],
    ]


def test_csv_respects_filters(manager_client, shop):
    rows = csv_rows(download(manager_client, OVERVIEW, "csv", product=shop["mug"].sku))
    assert any(row[0].startswith("Product: Mug") for row in rows)
    metrics = {row[0]: row[1] for row in rows if len(row) == 4}
    assert metrics["Net sales (tax incl.)"] == "12.99"


def test_csv_neutralises_formulas(manager_client, shop):
    refund = shop["refund"]
    type(refund).objects.filter(pk=refund.pk).update(reason='=HYPERLINK("http://evil")')
    rows = csv_rows(download(manager_client, "/admin/reports/refunds/", "csv"))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert not any(cell.startswith("=") for cell in cells)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+A2", "@SUM(A1)", "\t=1"])
def test_safe_cell(value):
    assert safe_cell(value) == "'" + value


def test_xlsx_overview_with_money_formats(manager_client, shop):
    response = download(manager_client, OVERVIEW, "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    net = values["Net sales (tax incl.)"]
    assert Decimal(str(net[1].value)) == Decimal("44.38")
    assert "USD" in net[1].number_format and "0.00" in net[1].number_format
    assert values["Sales"][1].value == 3
    header = next(r for r in sheet.iter_rows() if r[0].value == "Day")
    first_day = sheet[header[0].row + 1]
    assert first_day[2].value == pytest.approx(46.55) and "USD" in first_day[2].number_format


def test_xlsx_top_products(manager_client, shop):
    response = download(manager_client, "/admin/reports/top-products/", "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    beans = next(row for row in rows if row[0] == "Beans")
    assert beans[2] == 4 and beans[6] == pytest.approx(15)
    assert beans[7] == pytest.approx(38.5)


def test_pdf_has_the_figures_and_a_chart(manager_client, shop):
    response = download(manager_client, OVERVIEW, "pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Sales overview" in text
    assert "$44.38" in text and "$52.00" in text and "$10.83" in text
    assert "Net sales (tax incl.) by day" in text


@pytest.mark.parametrize(
    "slug",
    [
        "top-products",
        "sales-by-category",
        "sales-by-cashier",
        "sales-by-register",
        "sales-by-payment-method",
        "sales-heat-map",
        "refunds",
        "inventory",
    ],
)
@pytest.mark.parametrize("kind", ["csv", "xlsx", "pdf"])
def test_every_report_exports(manager_client, shop, slug, kind):
    response = download(manager_client, f"/admin/reports/{slug}/", kind)
    assert len(response.content) > 100


def test_exports_of_an_empty_range(manager_client, shop):
    empty = {"start": "2026-04-01", "end": "2026-04-02"}
    for kind in ("csv", "xlsx", "pdf"):
        download(manager_client, OVERVIEW, kind, **empty)
    text = (
        PdfReader(
            io.BytesIO(download(manager_client, "/admin/reports/refunds/", "pdf", **empty).content)
        )
        .pages[0]
        .extract_text()
    )
    assert "Nothing in this period." in text
