"""Shift reports as documents: a printable HTML page and an A4 PDF (reportlab).

An open shift prints its X report (the figures so far), a closed one its Z report as frozen at
closing. Both documents are built from the same `report_context`, so they never disagree.
Available to the shift's cashier and to managers (`pos.view_shift`); anybody else gets a 404,
as the API does.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.sax.saxutils import escape  # text for reportlab markup, no XML parsed  # nosec B406

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pos_site.errors import NotFoundError
from store.selectors import current_store_settings

from . import admin_selectors as selectors
from .models import Payment, Shift
from .shifts import shift_for_user

logger = logging.getLogger(__name__)


def report_urls(shift: Shift) -> dict[str, str]:
    return {"html": f"/shifts/{shift.pk}/report/", "pdf": f"/shifts/{shift.pk}/report.pdf"}


def _when(value: str | datetime | None, locale: str) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return selectors.store_datetime_text(value, locale)


def _signed(figure: dict | None) -> str:
    """Over/short as `+$1.20` / `−$0.50` from a report amount."""
    if not figure:
        return selectors.EMPTY
    try:
        amount = Decimal(figure["amount"])
    except (KeyError, InvalidOperation):
        return figure.get("formatted", selectors.EMPTY)
    text = figure["formatted"].lstrip("-−")
    if amount > 0:
        return f"+{text}"
    if amount < 0:
        return f"−{text}"
    return text


def _rate(value: str) -> str:
    try:
        return f"{Decimal(value).normalize():f}"
    except InvalidOperation:
        return value


def _method_label(method: str) -> str:
    try:
        return Payment.Method(method).label
    except ValueError:
        return method.title()


def report_context(shift: Shift) -> dict:
    """The X or Z report of a shift, laid out as sections of (label, value) rows."""
    store = current_store_settings()
    locale = store.locale
    figures = selectors.shift_figures(shift)
    closed = shift.status == Shift.Status.CLOSED

    def f(key: str) -> str:
        return figures[key]["formatted"]

    tenders = {row["method"]: row for row in figures["tenders"]}
    cash = tenders.get("cash")
    sales = [
        ("Sales", str(figures["sales_count"]), False),
        ("Items sold", str(figures["items_sold"]), False),
        ("Gross sales (before discounts)", f("gross"), False),
        ("Discounts", f("discounts"), False),
        ("Sales total", f("sales_total"), False),
        (f"Refunds and voids ({figures['refunds_count']})", f("refunds"), False),
        ("Net sales", f("net"), True),
    ]
    drawer = [
        ("Opening float", f("opening_float"), False),
        ("Cash taken", cash["taken"]["formatted"] if cash else selectors.EMPTY, False),
        ("Cash refunded", cash["refunded"]["formatted"] if cash else selectors.EMPTY, False),
        ("Paid in", f("paid_in"), False),
        ("Paid out", f("paid_out"), False),
        ("Expected cash in the drawer", f("expected_cash"), True),
    ]
    if figures.get("counted_cash"):
        drawer += [
            ("Counted cash", figures["counted_cash"]["formatted"], True),
            ("Over (+) / short (−)", _signed(figures.get("over_short")), True),
        ]
    if Decimal(figures["cash_rounding"]["amount"]):
        sales.insert(5, ("Cash rounding", f("cash_rounding"), False))
    return {
        "shift": shift,
        "kind": "Z report" if closed else "X report",
        "closed": closed,
        "store_name": store.store_name,
        "register": figures["register"],
        "cashier": figures["cashier"],
        "opened": _when(figures["opened_at"], locale),
        "closed_at": _when(figures.get("closed_at"), locale) if closed else "",
        "closed_by": selectors.user_text(shift.closed_by) if closed else "",
        "printed": selectors.store_datetime_text(timezone.now(), locale),
        "sales": sales,
        "tax": [(f"Tax {_rate(row['rate'])} %", row["tax"]["formatted"]) for row in figures["tax"]],
        "tenders": [
            {
                "method": _method_label(row["method"]),
                "taken": row["taken"]["formatted"],
                "refunded": row["refunded"]["formatted"],
                "net": row["net"]["formatted"],
            }
            for row in figures["tenders"]
        ],
        "drawer": drawer,
        "urls": report_urls(shift),
    }


# --------------------------------------------------------------------------- views


def _shift_or_404(pk: int, request: HttpRequest) -> Shift:
    try:
        return shift_for_user(pk, request.user)
    except NotFoundError as error:
        raise Http404(error.message) from None


@login_required
def shift_report_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Printable X/Z report (the browser's print dialog, A4 or a receipt printer)."""
    shift = _shift_or_404(pk, request)
    context = report_context(shift)
    response = render(request, "pos/shift_report.html", {**context, "report": context})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def shift_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift_or_404(pk, request)
    context = report_context(shift)
    response = HttpResponse(render_report_pdf(context), content_type="application/pdf")
    name = f"shift-{shift.pk}-{'z' if context['closed'] else 'x'}-report.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- PDF

FONT = "ShiftReportSans"
_font_names: tuple[str, str] | None = None


def _fonts() -> tuple[str, str]:
    """DejaVu Sans where installed (any currency sign), else reportlab's Vera, else Helvetica."""
    global _font_names
    if _font_names is not None:
        return _font_names
    import reportlab

    candidates = [
        (Path("/usr/share/fonts/truetype/dejavu"), "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
        (Path(reportlab.__file__).parent / "fonts", "Vera.ttf", "VeraBd.ttf"),
    ]
    for folder, regular, bold in candidates:
        if (folder / regular).is_file() and (folder / bold).is_file():
            try:
                pdfmetrics.registerFont(TTFont(FONT, str(folder / regular)))
                pdfmetrics.registerFont(TTFont(f"{FONT}-Bold", str(folder / bold)))
            except Exception:  # a broken font file: try the next one
                logger.warning("Could not load %s for shift reports", folder, exc_info=True)
                continue
            _font_names = (FONT, f"{FONT}-Bold")
            return _font_names
    _font_names = ("Helvetica", "Helvetica-Bold")
    return _font_names


def render_report_pdf(context: dict) -> bytes:
    """The report on A4: a title block, then sales, tax, tenders and the cash drawer."""
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=10, leading=13)
    title = ParagraphStyle("title", parent=base, fontName=bold, fontSize=18, leading=22)
    heading = ParagraphStyle(
        "heading", parent=base, fontName=bold, fontSize=12, leading=15, spaceBefore=10
    )
    small = ParagraphStyle("small", parent=base, fontSize=9, textColor=colors.grey)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    strong = ParagraphStyle("strong", parent=base, fontName=bold)
    strong_right = ParagraphStyle("strong_right", parent=strong, alignment=TA_RIGHT)

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    width = A4[0] - 40 * mm

    def table(rows: list[list], widths: list[float], header: bool = False) -> Table:
        result = Table(rows, colWidths=widths, hAlign="LEFT")
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if header:
            style.append(("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black))
        result.setStyle(TableStyle(style))
        return result

    def pairs(rows) -> Table:
        return table(
            [
                [p(label, strong if em else base), p(value, strong_right if em else right)]
                for label, value, em in rows
            ],
            [width * 0.65, width * 0.35],
        )

    shift = context["shift"]
    story = [
        p(f"{context['kind']} · Shift #{shift.pk}", title),
        p(context["store_name"], strong),
        Spacer(1, 4),
        p(f"Register: {context['register']}"),
        p(f"Cashier: {context['cashier']}"),
        p(f"Opened: {context['opened']}"),
    ]
    if context["closed"]:
        story.append(p(f"Closed: {context['closed_at']} by {context['closed_by']}"))
    else:
        story.append(p("Shift still open: figures so far."))
    story += [p(f"Printed: {context['printed']}", small)]

    story += [p("Sales", heading), pairs(context["sales"])]
    story.append(p("Tax", heading))
    if context["tax"]:
        story.append(pairs([(label, value, False) for label, value in context["tax"]]))
    else:
        story.append(p("No tax collected."))
    story.append(p("Payments", heading))
    if context["tenders"]:
        rows = [[p("Method", strong), p("Taken", strong_right), p("Refunded", strong_right),
                 p("Net", strong_right)]]  # fmt: skip
        rows += [
            [p(t["method"]), p(t["taken"], right), p(t["refunded"], right), p(t["net"], right)]
            for t in context["tenders"]
        ]
        story.append(table(rows, [width * 0.4, width * 0.2, width * 0.2, width * 0.2], True))
    else:
        story.append(p("No payments taken."))
    story += [p("Cash drawer", heading), pairs(context["drawer"])]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{context['kind']} – shift {shift.pk}",
        author=context["store_name"],
    )
    document.build(story)
    return buffer.getvalue()
