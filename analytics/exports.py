"""A report as CSV, XLSX or PDF: the same metrics and tables as the page, with its filters."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from babel.numbers import get_currency_precision
from django.http import HttpResponse
from django.utils import timezone

from pos_site.spreadsheet import safe_cell

from .reports import Chart, Report, Table, change_text

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def filename(report: Report, extension: str) -> str:
    return f"{report.slug}_{report.flt.start:%Y%m%d}-{report.flt.end:%Y%m%d}.{extension}"


def export_response(report: Report, kind: str) -> HttpResponse:
    body = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}[kind](report)
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{filename(report, kind)}"'
    return response


def _header_lines(report: Report) -> list[str]:
    return [report.title, *report.flt.describe(), f"Currency: {report.currency}"]


def _table_notes(table: Table) -> list[str]:
    """What the page prints under a table: its "nothing here" line, then its note."""
    return [*([table.empty] if not table.rows else []), *([table.note] if table.note else [])]


# --------------------------------------------------------------------------- CSV


def _csv_value(value, kind: str) -> str:
    """Plain machine-readable values: amounts as 12.50 (no symbol), text neutralised."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return str(value)
    return safe_cell(str(value))


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in _header_lines(report):
        writer.writerow([safe_cell(line)])
    if report.metrics:
        writer.writerow([])
        writer.writerow(["Metric", "Value", "Previous period", "Change %"])
        for metric in report.metrics:
            writer.writerow(
                [
                    metric.label,
                    str(metric.value),
                    "" if metric.previous is None else str(metric.previous),
                    "" if metric.change is None else str(metric.change),
                ]
            )
    for table in report.tables:
        writer.writerow([])
        writer.writerow([safe_cell(table.title)])
        writer.writerow([column.label for column in table.columns])
        for row in table.rows:
            writer.writerow(
                [_csv_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
            )
        for line in _table_notes(table):
            writer.writerow([safe_cell(line)])
    if report.notes:
        writer.writerow([])
        for note in report.notes:
            writer.writerow([safe_cell(note)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8 right


# --------------------------------------------------------------------------- XLSX


def money_format(currency: str) -> str:
    places = get_currency_precision(currency)
    digits = "0." + "0" * places if places else "0"
    return f'#,##{digits} "{currency}";-#,##{digits} "{currency}"'


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = report.title[:31]
    money = money_format(report.currency)
    bold = Font(bold=True)
    for line in _header_lines(report):
        sheet.append([safe_cell(line)])
    sheet["A1"].font = Font(bold=True, size=14)
    if report.metrics:
        sheet.append([])
        sheet.append(["Metric", "Value", "Previous period", "Change %"])
        _bold_row(sheet, bold)
        for metric in report.metrics:
            sheet.append([metric.label, metric.value, metric.previous, metric.change])
            if metric.kind == "money":
                for cell in sheet[sheet.max_row][1:3]:
                    cell.number_format = money
    for table in report.tables:
        _xlsx_table(sheet, table, money, bold)
    if report.notes:
        sheet.append([])
        for note in report.notes:
            sheet.append([safe_cell(note)])
    sheet.column_dimensions["A"].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bold_row(sheet, bold) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = bold


def _xlsx_table(sheet, table: Table, money: str, bold) -> None:
    sheet.append([])
    sheet.append([safe_cell(table.title)])
    _bold_row(sheet, bold)
    sheet.append([column.label for column in table.columns])
    _bold_row(sheet, bold)
    formats = {"money": money, "percent": '0.0" %"', "int": "#,##0", "decimal": "#,##0.0"}
    for row in table.rows:
        sheet.append([v if isinstance(v, Decimal | int) else _xlsx_text(v) for v in row])
        for cell, column in zip(sheet[sheet.max_row], table.columns, strict=False):
            if column.kind in formats and cell.value is not None:
                cell.number_format = formats[column.kind]
    for line in _table_notes(table):
        sheet.append([safe_cell(line)])


def _xlsx_text(value) -> str | None:
    return None if value is None else safe_cell(str(value))


# --------------------------------------------------------------------------- PDF


def to_pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as PdfTable

    styles = getSampleStyleSheet()
    wide = any(len(table.columns) > 8 for table in report.tables)
    pagesize = landscape(A4) if wide else A4
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=pagesize, leftMargin=12 * mm, rightMargin=12 * mm, title=report.title
    )
    story = [Paragraph(_escape(report.title), styles["Title"])]
    for line in report.flt.describe():
        story.append(Paragraph(_escape(line), styles["Normal"]))
    story.append(Paragraph(f"Printed {timezone.now():%Y-%m-%d %H:%M} UTC", styles["Italic"]))
    if report.metrics:
        rows = [["Metric", "Value", "Previous period", "Change"]]
        rows += [
            [
                m.label,
                _glyphs(report.text(m.value, m.kind)),
                _glyphs(report.text(m.previous, m.kind)),
                change_text(m),
            ]
            for m in report.metrics
        ]
        story += [Spacer(1, 4 * mm), _pdf_table(PdfTable, rows, colors)]
    width = pagesize[0] - 24 * mm
    for chart in report.charts:
        if chart.labels:
            story += [Spacer(1, 4 * mm), pdf_chart(chart, width)]
    for table in report.tables:
        story += [Spacer(1, 5 * mm), Paragraph(_escape(table.title), styles["Heading3"])]
        if not table.rows:
            story.append(Paragraph(_escape(table.empty), styles["Normal"]))
        else:
            rows = [[c.label for c in table.columns]]
            rows += [
                [_glyphs(report.text(v, c.kind)) for v, c in zip(row, table.columns, strict=True)]
                for row in table.rows
            ]
            story.append(_pdf_table(PdfTable, rows, colors, small=len(table.columns) > 8))
        if table.note:
            story.append(Paragraph(_escape(table.note), styles["Italic"]))
    for note in report.notes:
        story.append(Paragraph(_escape(note), styles["Italic"]))
    doc.build(story)
    return out.getvalue()


def _glyphs(text: str) -> str:
    """Babel's narrow no-break space (before AM/PM, in some amounts) has no glyph in the PDF's
    Helvetica and printed as a black box: an ordinary no-break space instead."""
    return text.replace("\u202f", "\u00a0")


def _escape(text: str) -> str:
    return _glyphs(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pdf_table(table_class, rows, colors, small: bool = False):
    table = table_class(rows, repeatRows=1)
    table.setStyle(
        [
            ("FONTSIZE", (0, 0), (-1, -1), 5.5 if small else 8),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eef2")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    return table


def chart_caption(chart: Chart) -> str:
    """The drawn chart's own caption (the table under it has the bare title)."""
    return f"Chart: {chart.title}"


def pdf_chart(chart: Chart, width: float):
    """The page's chart redrawn with reportlab.graphics (bars; a pie for doughnuts)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.piecharts import Pie
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    height = 190
    drawing = Drawing(width, height)
    drawing.add(
        String(0, height - 12, chart_caption(chart), fontName="Helvetica-Bold", fontSize=10)
    )
    values = [float(value) for value in chart.series[0].values]  # drawing coordinates only
    if chart.kind == "doughnut" and any(v > 0 for v in values):
        pie = Pie()
        pie.x, pie.y, pie.width, pie.height = 60, 15, 130, 130  # room for labels
        pie.data = [max(v, 0) for v in values]
        pie.labels = [label[:24] for label in chart.labels]
        pie.slices.strokeWidth = 0.5
        drawing.add(pie)
        return drawing
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 40, 40, width - 50, height - 70
    bars.data = [values]
    bars.bars[0].fillColor = colors.HexColor("#007d7e")
    bars.valueAxis.valueMin = min(0, min(values, default=0))
    bars.categoryAxis.categoryNames = _sparse_labels(chart.labels)
    bars.categoryAxis.labels.angle = 30
    bars.categoryAxis.labels.boxAnchor = "ne"
    bars.categoryAxis.labels.fontSize = 6
    bars.valueAxis.labels.fontSize = 7
    drawing.add(bars)
    return drawing


def _sparse_labels(labels: list[str], most: int = 16) -> list[str]:
    """Every label when few, else every n-th, so axis labels never overlap."""
    step = max(1, -(-len(labels) // most))
    return [label[:22] if i % step == 0 else "" for i, label in enumerate(labels)]
