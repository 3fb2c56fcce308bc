"""PDF receipts with reportlab.

Thermal rolls (58/80 mm) get one page exactly as long as the receipt, the way the paper comes
out of the printer; A4 gets an invoice-like layout that continues over as many pages as it
needs, the items table repeating its heading. The text is real text in an embedded TrueType
font (DejaVu Sans where installed, else reportlab's bundled Vera, else Helvetica), so "•", "€",
"£" print and the PDF can be searched and parsed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape  # text for reportlab markup, no XML parsed  # nosec B406

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..richtext import Line
from ..selectors import ReceiptData
from .codes import code_drawing

logger = logging.getLogger(__name__)

FAMILY = "ReceiptSans"
PAPER_WIDTH = {"58mm": 58 * mm, "80mm": 80 * mm}
THERMAL_MARGIN = {"58mm": 3 * mm, "80mm": 4 * mm}
A4_MARGIN = 18 * mm
GREY = colors.HexColor("#555555")

# (regular, bold, italic, bold italic) file names, tried in order.
_FONT_SETS = [
    (
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique.ttf",
        "DejaVuSans-BoldOblique.ttf",
    ),
    ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf"),
]


# --------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str


_fonts: Fonts | None = None


def _font_dirs() -> list[Path]:
    import reportlab

    configured = getattr(settings, "RECEIPT_FONT_DIR", "") or ""
    dirs = [Path(configured)] if configured else []
    dirs += [Path("/usr/share/fonts/truetype/dejavu"), Path(reportlab.__file__).parent / "fonts"]
    return dirs


def receipt_fonts() -> Fonts:
    """Register the receipt font family once; fall back to Helvetica if no TTF is found."""
    global _fonts
    if _fonts is not None:
        return _fonts
    for names in _FONT_SETS:
        for folder in _font_dirs():
            paths = [folder / name for name in names]
            if not all(path.is_file() for path in paths):
                continue
            try:
                faces = [f"{FAMILY}{suffix}" for suffix in ("", "-Bold", "-Italic", "-BoldItalic")]
                for face, path in zip(faces, paths, strict=True):
                    pdfmetrics.registerFont(TTFont(face, str(path)))
                pdfmetrics.registerFontFamily(
                    FAMILY, normal=faces[0], bold=faces[1], italic=faces[2], boldItalic=faces[3]
                )
            except Exception:  # a broken font file: try the next candidate
                logger.warning("Could not load receipt fonts from %s", folder, exc_info=True)
                continue
            _fonts = Fonts(faces[0], faces[1])
            return _fonts
    logger.warning("No TrueType font for receipts found; using Helvetica")
    _fonts = Fonts("Helvetica", "Helvetica-Bold")
    return _fonts


# --------------------------------------------------------------------------- building blocks


class _Styles:
    def __init__(self, size: int, fonts: Fonts):
        leading = size * 1.3
        self.size = size
        self.fonts = fonts
        base = ParagraphStyle("base", fontName=fonts.regular, fontSize=size, leading=leading)
        self.left = base
        self.center = ParagraphStyle("center", parent=base, alignment=TA_CENTER)
        self.right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
        self.small = ParagraphStyle(
            "small", parent=base, fontSize=size - 1, leading=(size - 1) * 1.3, textColor=GREY
        )
        self.small_right = ParagraphStyle("small_right", parent=self.small, alignment=TA_RIGHT)
        self.small_indent = ParagraphStyle("small_indent", parent=self.small, leftIndent=size)
        self.indent = ParagraphStyle("indent", parent=base, leftIndent=size)
        self.store = ParagraphStyle(
            "store",
            parent=base,
            fontName=fonts.bold,
            fontSize=size + 4,
            leading=(size + 4) * 1.25,
            alignment=TA_CENTER,
        )
        self.banner = ParagraphStyle(
            "banner",
            parent=base,
            fontName=fonts.bold,
            fontSize=size + 3,
            leading=(size + 3) * 1.3,
            alignment=TA_CENTER,
        )
        self.total = ParagraphStyle(
            "total", parent=base, fontName=fonts.bold, fontSize=size + 3, leading=(size + 3) * 1.3
        )
        self.total_right = ParagraphStyle("total_right", parent=self.total, alignment=TA_RIGHT)
        self.bold = ParagraphStyle("bold", parent=base, fontName=fonts.bold)
        self.bold_right = ParagraphStyle("bold_right", parent=self.bold, alignment=TA_RIGHT)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _rich(line: Line) -> str:
    parts = []
    for run in line:
        text = escape(run.text)
        if run.italic:
            text = f"<i>{text}</i>"
        if run.bold:
            text = f"<b>{text}</b>"
        parts.append(text)
    return "".join(parts)


def _rich_block(lines: tuple[Line, ...], style: ParagraphStyle) -> list[Flowable]:
    return [
        Paragraph(_rich(line), style) if line else Spacer(1, style.leading * 0.6) for line in lines
    ]


def _rule(width: float, thick: bool = False) -> HRFlowable:
    return HRFlowable(
        width=width,
        thickness=1.2 if thick else 0.5,
        color=colors.black if thick else GREY,
        spaceBefore=3,
        spaceAfter=3,
        dash=None if thick else (2, 2),
    )


def _logo(receipt: ReceiptData, max_width: float, max_height: float) -> Flowable | None:
    path = receipt.layout.logo_path
    if not path:
        return None
    try:
        reader = ImageReader(path)
        width, height = reader.getSize()
    except Exception:  # unreadable image: the receipt prints without it
        logger.warning("Receipt logo %s could not be read", path)
        return None
    scale = min(max_width / width, max_height / height)
    image = Image(path, width=width * scale, height=height * scale)
    image.hAlign = "CENTER"
    return image


def _code(receipt: ReceiptData, frame_width: float, s: _Styles) -> list[Flowable]:
    drawing = code_drawing(receipt.number, receipt.layout.code, frame_width)
    if drawing is None:
        return []
    return [Spacer(1, 6), drawing, Spacer(1, 2), _p(receipt.number, s.center)]


def _table(rows, widths, style_commands=()) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
                *style_commands,
            ]
        )
    )
    return table


def _amount_width(receipt: ReceiptData, s: _Styles, minimum: float) -> float:
    amounts = [receipt.total] + [line.gross for line in receipt.lines]
    amounts += [t.amount for t in receipt.totals] + [p.amount for p in receipt.payments]
    widest = max(pdfmetrics.stringWidth(text + " A", s.fonts.bold, s.size + 3) for text in amounts)
    return max(minimum, widest + 4)


def _pairs(rows: list[tuple], widths) -> Table:
    """Label/amount rows. With three widths the third column holds the tax key (or nothing),
    so every amount lines up whether or not its row has a key."""
    cells = []
    spans = []
    for i, (label, amount, label_style, amount_style, *key) in enumerate(rows):
        row = [_p(label, label_style), _p(amount, amount_style) if amount else ""]
        if len(widths) == 3:
            row.append(_p(key[0], amount_style) if key and key[0] else "")
        if not amount and not key:
            spans.append(("SPAN", (0, i), (-1, i)))  # a label alone may use the whole width
        cells.append(row)
    return _table(cells, widths, spans)


def _header(receipt: ReceiptData, width: float, s: _Styles, align_style) -> list[Flowable]:
    store, layout = receipt.store, receipt.layout
    story: list[Flowable] = []
    logo = _logo(receipt, width * 0.7, 22 * mm)
    if logo is not None:
        story += [logo, Spacer(1, 4)]
    story.append(_p(store.name, s.store if align_style is s.center else s.total))
    for line in store.address_lines:
        story.append(_p(line, align_style))
    contact = [f"Tel. {store.phone}" if store.phone else "", store.website]
    for text in filter(None, contact):
        story.append(_p(text, align_style))
    if store.tax_number:
        story.append(_p(f"Tax no. {store.tax_number}", align_style))
    if layout.header:
        story.append(Spacer(1, 4))
        story += _rich_block(layout.header, align_style)
    return story


def _banner(receipt: ReceiptData, s: _Styles) -> list[Flowable]:
    story: list[Flowable] = []
    if receipt.is_refund:
        story.append(_p(receipt.title.upper(), s.banner))
        if receipt.original_number:
            story.append(_p(f"of sale {receipt.original_number}", s.center))
    elif receipt.is_voided:
        story.append(_p("VOIDED", s.banner))
    return story


def _meta_rows(receipt: ReceiptData, s: _Styles):
    rows = [
        (receipt.title.upper(), receipt.number, s.bold, s.bold_right),
        (receipt.date, receipt.time, s.left, s.right),
    ]
    if receipt.layout.show_cashier and receipt.cashier:
        rows.append(("Cashier", receipt.cashier, s.left, s.right))
    if receipt.layout.show_register and receipt.register:
        rows.append(("Register", receipt.register, s.left, s.right))
    return rows


def _totals_block(receipt: ReceiptData, widths, s: _Styles) -> list[Flowable]:
    rows = [(t.label, t.amount, s.left, s.right) for t in receipt.totals]
    label = receipt.total_label.upper()
    total_row = [_p(label, s.total), _p(receipt.total, s.total_right)]
    total_row += [""] * (len(widths) - 2)
    total = _table(
        [total_row],
        widths,
        [
            ("LINEABOVE", (0, 0), (-1, 0), 1.2, colors.black),
            ("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.black),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ],
    )
    story: list[Flowable] = [_pairs(rows, widths), Spacer(1, 3), total]
    after = [(t.label, t.amount, s.left, s.right) for t in receipt.after_total]
    if after:
        story += [Spacer(1, 2), _pairs(after, widths)]
    if receipt.tax_note:
        story.append(_p(receipt.tax_note, s.small))
    return story


def _tax_block(receipt: ReceiptData, widths, s: _Styles) -> list[Flowable]:
    if not (receipt.layout.show_tax_breakdown and receipt.taxes):
        return []
    rows: list[tuple] = [("Tax", "", s.bold, s.right)]
    for tax in receipt.taxes:
        label = f"{tax.key}  {tax.label}" if tax.key else tax.label
        rows.append((label, "", s.left, s.right))
        rows.append((f"on {tax.taxable}", tax.tax, s.indent, s.right))
    return [Spacer(1, 6), _pairs(rows, widths)]


def _payment_block(receipt: ReceiptData, widths, s: _Styles) -> list[Flowable]:
    rows: list[tuple] = []
    details = receipt.layout.show_payment_details
    for payment in receipt.payments:
        label = payment.label if details or payment.method != "card" else "Card"
        rows.append((label, payment.amount, s.left, s.right))
        if details and payment.tendered:
            rows.append(("Tendered", payment.tendered, s.small_indent, s.small_right))
        if details and payment.reference and payment.method != "cash":
            rows.append((f"Ref. {payment.reference}", "", s.small_indent, s.small_right))
    if receipt.change:
        rows.append(("Change", receipt.change, s.bold, s.bold_right))
    if not rows:
        return []
    return [Spacer(1, 6), _pairs(rows, widths)]


def _closing(receipt: ReceiptData, width: float, s: _Styles) -> list[Flowable]:
    layout = receipt.layout
    story: list[Flowable] = []
    if receipt.savings:
        story += [Spacer(1, 6), _p(f"You saved {receipt.savings}", s.center)]
    if layout.thank_you:
        thanks = ParagraphStyle("thanks", parent=s.center, fontName=s.fonts.bold)
        story += [Spacer(1, 8), _p(layout.thank_you, thanks)]
    if layout.footer:
        story += [Spacer(1, 6), *_rich_block(layout.footer, s.center)]
    story += _code(receipt, width, s)
    if receipt.is_sample:
        story += [Spacer(1, 4), _p("Sample receipt: not a real sale", s.small)]
    return story


def thermal_story(receipt: ReceiptData, width: float) -> list[Flowable]:
    s = _Styles(receipt.layout.font_size, receipt_fonts())
    keyed = any(line.tax_label for line in receipt.lines)
    amount = _amount_width(receipt, s, 16 * mm)
    key = s.size * 1.2 if keyed else 0
    widths = [width - amount - key, amount, key] if keyed else [width - amount, amount]

    story = _header(receipt, width, s, s.center)
    story += [_rule(width, thick=True), *_banner(receipt, s)]
    meta = _meta_rows(receipt, s)
    left = max(pdfmetrics.stringWidth(row[0], s.fonts.bold, s.size) for row in meta) + 6
    left = min(left, width * 0.6)
    story.append(_pairs(meta, [left, width - left]))
    story.append(_rule(width))

    rows: list[tuple] = []
    for line in receipt.lines:
        rows.append((line.name, "", s.left, s.right))
        if receipt.layout.show_sku and line.sku:
            rows.append((f"SKU {line.sku}", "", s.small_indent, s.right))
        rows.append(
            (
                line.quantity_text,
                line.gross if line.discount else line.total,
                s.indent,
                s.right,
                line.tax_label,
            )
        )
        if line.discount:
            rows.append(("Discount", line.discount, s.indent, s.right))
    story.append(_pairs(rows, widths))
    story.append(_rule(width))
    story += _totals_block(receipt, widths, s)
    story += _tax_block(receipt, widths, s)
    story += _payment_block(receipt, widths, s)
    story += _closing(receipt, width, s)
    return story


def a4_story(receipt: ReceiptData, width: float) -> list[Flowable]:
    s = _Styles(receipt.layout.font_size + 1, receipt_fonts())
    keyed = any(line.tax_label for line in receipt.lines)
    head_left = _header(receipt, width * 0.55, s, s.left)
    meta = _pairs(_meta_rows(receipt, s), [width * 0.18, width * 0.27])
    top = _table(
        [[head_left, [*_banner(receipt, s), meta]]],
        [width * 0.55, width * 0.45],
    )
    story: list[Flowable] = [top, Spacer(1, 8 * mm)]

    head = ["Item", "Qty", "Unit price", "Discount", "Amount"] + (["Tax"] if keyed else [])
    bold = [s.bold, s.bold_right, s.bold_right, s.bold_right, s.bold_right, s.bold_right]
    rows = [[_p(text, style) for text, style in zip(head, bold, strict=False)]]
    for line in receipt.lines:
        name = escape(line.name)
        if receipt.layout.show_sku and line.sku:
            name += f'<br/><font size="{s.size - 1}" color="#555555">SKU {escape(line.sku)}</font>'
        row = [
            Paragraph(name, s.left),
            _p(str(line.quantity), s.right),
            _p(line.unit_price, s.right),
            _p(line.discount, s.right),
            _p(line.total, s.right),
        ]
        if keyed:
            row.append(_p(line.tax_label, s.right))
        rows.append(row)
    numbers = [16 * mm, 28 * mm, 26 * mm, 28 * mm] + ([12 * mm] if keyed else [])
    widths = [width - sum(numbers), *numbers]
    items = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    items.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
            ]
        )
    )
    story.append(items)
    story.append(Spacer(1, 5 * mm))

    side = width * 0.45
    amount = _amount_width(receipt, s, 30 * mm)
    side_widths = [side - amount, amount]
    totals = _totals_block(receipt, side_widths, s)
    right = [*totals, *_payment_block(receipt, side_widths, s)]
    left = _tax_block(receipt, [width * 0.4, width * 0.1], s)[1:]  # no top gap beside totals
    story.append(
        KeepTogether(
            _table(
                [[left or "", right]], [width - side, side], [("LEFTPADDING", (1, 0), (1, 0), 0)]
            )
        )
    )
    story += _closing(receipt, width, s)
    return story


# --------------------------------------------------------------------------- documents


def _measure(story: list[Flowable], width: float) -> float:
    height = 0.0
    for flowable in story:
        _, h = flowable.wrap(width, 10_000 * mm)
        height += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return height


def _thermal_pdf(receipt: ReceiptData) -> bytes:
    paper = receipt.layout.paper
    page_width, margin = PAPER_WIDTH[paper], THERMAL_MARGIN[paper]
    width = page_width - 2 * margin
    height = _measure(thermal_story(receipt, width), width) + 2 * margin + 6
    for _ in range(5):  # measured heights are estimates: grow the roll until it fits one page
        buffer = BytesIO()
        doc = _document(buffer, receipt, (page_width, height), margin, margin)
        doc.build(thermal_story(receipt, width))
        if doc.page == 1:
            return buffer.getvalue()
        height *= 1.1
    return buffer.getvalue()


def _document(buffer, receipt: ReceiptData, pagesize, side, vertical, on_page=None):
    frame = Frame(
        side,
        vertical,
        pagesize[0] - 2 * side,
        pagesize[1] - 2 * vertical,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="receipt",
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=side,
        rightMargin=side,
        topMargin=vertical,
        bottomMargin=vertical,
        title=f"{receipt.title} {receipt.number}",
        author=receipt.store.name,
        subject=f"{receipt.title} {receipt.number} of {receipt.date}",
        creator="Corner Shop POS",
    )
    extra = {"onPage": on_page} if on_page else {}
    doc.addPageTemplates([PageTemplate(id="receipt", frames=[frame], **extra)])
    return doc


def _a4_pdf(receipt: ReceiptData) -> bytes:
    fonts = receipt_fonts()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(fonts.regular, 8)
        canvas.setFillColor(GREY)
        text = f"{receipt.store.name} · {receipt.title} {receipt.number} · page {doc.page}"
        canvas.drawCentredString(A4[0] / 2, A4_MARGIN / 2, text)
        canvas.restoreState()

    buffer = BytesIO()
    doc = _document(buffer, receipt, A4, A4_MARGIN, A4_MARGIN, footer)
    doc.build(a4_story(receipt, A4[0] - 2 * A4_MARGIN))
    return buffer.getvalue()


def render_pdf(receipt: ReceiptData) -> bytes:
    """The receipt as a PDF document (bytes)."""
    if receipt.layout.is_thermal:
        return _thermal_pdf(receipt)
    return _a4_pdf(receipt)


__all__ = ["render_pdf", "receipt_fonts"]
