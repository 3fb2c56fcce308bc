"""Exports: the same URL with ?export=csv|xlsx|pdf gives what the page shows, parsed back."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from analytics.exports import chart_caption, safe_cell
from analytics.reports import REPORTS
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
    header = rows.index(["Day", "Sales", "Paid", "Refunds", "Net sales (tax incl.)"])
    series = rows[header + 1 : header + 4]
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


def _flat(text: str) -> str:
    return " ".join(text.split())


def _page(client, slug: str):
    response = client.get(f"/admin/reports/{slug}/", MARCH)
    assert response.status_code == 200
    return response.context["report"]


def _table_at(rows: list, table) -> int:
    """Where a table's header row is (its title row just above)."""
    labels = [column.label for column in table.columns]
    return next(
        i for i in range(1, len(rows)) if rows[i - 1] == [table.title] and rows[i] == labels
    )


def _csv_cell(value) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("slug", list(REPORTS))
def test_every_csv_holds_the_pages_figures_and_notes(manager_client, shop, slug):
    report = _page(manager_client, slug)
    rows = csv_rows(download(manager_client, f"/admin/reports/{slug}/", "csv"))
    for metric in report.metrics:
        assert [metric.label, str(metric.value), _csv_cell(metric.previous)] == next(
            row[:3] for row in rows if len(row) > 1 and row[0] == metric.label
        )
    for table in report.tables:
        at = _table_at(rows, table)
        body = rows[at + 1 : at + 1 + len(table.rows)]
        assert body == [[_csv_cell(value) for value in row] for row in table.rows]
        _assert_after_table(rows, at, table)
    for note in report.notes:
        assert [note] in rows


def _assert_after_table(rows: list, at: int, table) -> None:
    """Under a table: its empty-table text when it has no rows, and its note."""
    after = [row[0] for row in rows[at + 1 + len(table.rows) :] if row]
    if not table.rows:
        assert after[0] == table.empty
    if table.note:
        assert table.note in after


def _xlsx_value(value):
    if isinstance(value, Decimal):
        return pytest.approx(float(value))
    return value


@pytest.mark.parametrize("slug", list(REPORTS))
def test_every_xlsx_holds_the_pages_figures_and_notes(manager_client, shop, slug):
    report = _page(manager_client, slug)
    response = download(manager_client, f"/admin/reports/{slug}/", "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    rows = [
        row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)] for row in rows
    ]
    for metric in report.metrics:
        found = next(row for row in rows if len(row) > 1 and row[0] == metric.label)
        assert found[1] == _xlsx_value(metric.value)
    for table in report.tables:
        at = _table_at(rows, table)
        body = rows[at + 1 : at + 1 + len(table.rows)]
        expected = [[_xlsx_value(value) for value in row] for row in table.rows]
        assert [row + [None] * (len(table.columns) - len(row)) for row in body] == expected
        _assert_after_table(rows, at, table)
    for note in report.notes:
        assert [note] in rows


@pytest.mark.parametrize("slug", list(REPORTS))
def test_every_pdf_holds_the_pages_figures_notes_and_chart(manager_client, shop, slug):
    report = _page(manager_client, slug)
    response = download(manager_client, f"/admin/reports/{slug}/", "pdf")
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = _flat(" ".join(page.extract_text() for page in pages))
    for metric in report.metrics:
        assert _flat(f"{metric.label} {report.text(metric.value, metric.kind)}") in text
    for table in report.tables:
        assert _flat(table.title) in text
        for row in table.rows:
            for value, column in zip(row, table.columns, strict=True):
                assert _flat(report.text(value, column.kind)) in text, (table.title, value)
        if not table.rows:
            assert _flat(table.empty) in text
        if table.note:
            assert _flat(table.note) in text
    for note in report.notes:
        assert _flat(note) in text
    # Each chart is drawn: its caption is only ever written inside the reportlab Drawing.
    drawn = [chart for chart in report.charts if chart.labels]
    for chart in drawn:
        assert _flat(chart_caption(chart)) in text
    assert (slug not in ("inventory", "sales-heat-map")) == bool(drawn)


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
