"""PDF receipts with reportlab.

Thermal rolls (58/80 mm) get one page exactly as long as the receipt, the way the paper comes
out of the printer (up to `MAX_ROLL_PAGE`, then further pages of the roll's width); A4 gets an
invoice-like layout that continues over as many pages as it needs, the items table repeating
its heading. The text is real text in an embedded TrueType
font (DejaVu Sans where installed, else reportlab's bundled Vera, else Helvetica), so "•", "€",
"£" print and the PDF can be searched and parsed.
"""

from __future__ import annotations

import logging
import re
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
# The longest page a thermal receipt gets: Acrobat and most viewers refuse pages over 200 in
# (14,400 pt); a longer receipt continues on further pages of the roll's width.
MAX_ROLL_PAGE = 14_000.0
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
    return [Spacer(1, 6), drawing, Spacer(1, 1), _p(receipt.number, s.center)]


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


GAP = 4.0  # points between a label and its amount
MIN_FONT = 7.0  # nothing is shrunk below this size to make a long word fit


def _width(text: str, style: ParagraphStyle) -> float:
    # reportlab sets a narrow no-break space (Babel's times, some locales' amounts) as an
    # ordinary space between words: measure it as one, or "1:41 AM" wraps before "AM".
    text = text.replace("\u202f", " ")
    return pdfmetrics.stringWidth(text, style.fontName, style.fontSize)


def _longest_word(text: str, style: ParagraphStyle) -> float:
    return max((_width(word, style) for word in text.split()), default=0.0)


def _fitted(text: str, style: ParagraphStyle, width: float, whole: bool = False) -> Paragraph:
    """A paragraph that wraps between words only: a word wider than the line (a web address,
    a long reference) is set smaller, down to `MIN_FONT`, rather than cut in two. With
    `whole`, the text (a name, an amount) is kept on one line the same way, shrinking it
    by at most a quarter; text that still does not fit wraps between words."""
    widest = (_width(text, style) if whole else _longest_word(text, style)) + style.leftIndent
    if widest > width and style.fontSize > MIN_FONT:
        floor = max(MIN_FONT, style.fontSize * 0.75) if whole else MIN_FONT
        size = max(floor, style.fontSize * width / widest - 0.1)
        style = ParagraphStyle(f"{style.name}_fit", parent=style, fontSize=size, leading=size * 1.3)
    return _p(text, style)


def _pairs(rows: list[tuple], width: float, key: float = 0.0, commands=()) -> Table:
    """Label/amount rows as one table whose amounts end at one right edge (`key` points
    before the edge of `width`, where a row's tax key goes).

    A label and its amount share a line only when both fit whole: an amount, a sale number,
    "2 × $1,299.00" or a card label is never cut. Otherwise the label gets the full width
    and the amount its own line under it, right-aligned. The amount column is as wide as
    its widest amount, capped at half the width (a wider amount takes its own line).
    """
    usable = width - key
    cap = usable * 0.5
    values = [_width(row[1], row[3]) for row in rows if row[1]]
    amount = min(cap, max([v for v in values if v <= cap], default=0.0)) + 1
    label_room = usable - amount - GAP
    cells: list[list] = []
    spans: list[tuple] = []
    for label, value, label_style, value_style, *rest in rows:
        tax_key = rest[0] if rest else ""
        key_cell = _p(tax_key, value_style) if key and tax_key else ""
        i = len(cells)
        if not value and not tax_key:  # a label alone may use the whole width
            cells.append([_fitted(label, label_style, width), "", ""])
            spans.append(("SPAN", (0, i), (-1, i)))
            continue
        label_width = _width(label, label_style) + label_style.leftIndent
        value_width = _width(value, value_style) if value else 0.0
        if value_width <= amount and label_width <= label_room:
            cells.append([_p(label, label_style), _p(value, value_style), key_cell])
            continue
        if label_width + GAP + value_width <= usable:
            # Fits on one line, not in this table's columns (a long date beside a short
            # time): the row gets its own columns inside the spanned cell, same right edge.
            own = value_width + 1
            inner = _table(
                [[_p(label, label_style), _p(value, value_style)]],
                [usable - own, own],
                [("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)],
            )
            cells.append([inner, "", key_cell])
            spans.append(("SPAN", (0, i), (1, i)))
            continue
        if label:
            cells.append([_fitted(label, label_style, width), "", ""])
            spans.append(("SPAN", (0, i), (-1, i)))
            i += 1
        right = ParagraphStyle(f"{value_style.name}_own", parent=value_style, alignment=TA_RIGHT)
        cells.append([_fitted(value, right, usable, whole=True), "", key_cell])
        spans.append(("SPAN", (0, i), (1, i)))
    widths = [usable - amount, amount, key]
    return _table(cells, widths, [*spans, *commands])


def _display_url(url: str) -> str:
    """A web address as people read it: no scheme, no trailing slash."""
    return re.sub(r"^https?://", "", url, flags=re.IGNORECASE).rstrip("/")


def _header(receipt: ReceiptData, width: float, s: _Styles, align_style) -> list[Flowable]:
    store, layout = receipt.store, receipt.layout
    story: list[Flowable] = []
    logo = _logo(receipt, width * 0.7, 22 * mm)
    if logo is not None:
        story += [logo, Spacer(1, 4)]
    story.append(_fitted(store.name, s.store if align_style is s.center else s.total, width))
    for line in store.address_lines:
        story.append(_fitted(line, align_style, width))
    contact = [f"Tel. {store.phone}" if store.phone else "", _display_url(store.website)]
    if store.tax_number:
        contact.append(f"Tax no. {store.tax_number}")
    for text in filter(None, contact):
        story.append(_fitted(text, align_style, width))
    if layout.header:
        story.append(Spacer(1, 4))
        story += _rich_block(layout.header, align_style)
    return story


def _banner(receipt: ReceiptData, s: _Styles) -> list[Flowable]:
    # A refund says so once, in its title row ("REFUND R-000001"); a voided sale's receipt
    # keeps its title and gets a banner.
    if receipt.is_voided and not receipt.is_refund:
        return [_p("VOIDED", s.banner)]
    return []


def _meta_rows(receipt: ReceiptData, s: _Styles):
    rows = [(receipt.title.upper(), receipt.number, s.bold, s.bold_right)]
    if receipt.is_refund and receipt.original_number:
        rows.append(("Of sale", receipt.original_number, s.left, s.right))
    rows.append((receipt.date, receipt.time, s.left, s.right))
    if receipt.layout.show_cashier and receipt.cashier:
        rows.append(("Cashier", receipt.cashier, s.left, s.right))
    if receipt.layout.show_register and receipt.register:
        rows.append(("Register", receipt.register, s.left, s.right))
    return rows


def _totals_block(receipt: ReceiptData, width: float, key: float, s: _Styles) -> list[Flowable]:
    rows = [(t.label, t.amount, s.left, s.right) for t in receipt.totals]
    total = _pairs(
        [(receipt.total_label.upper(), receipt.total, s.total, s.total_right)],
        width,
        key,
        [
            ("LINEABOVE", (0, 0), (-1, 0), 1.2, colors.black),
            ("LINEBELOW", (0, -1), (-1, -1), 1.2, colors.black),
            ("TOPPADDING", (0, 0), (-1, 0), 3),
            ("BOTTOMPADDING", (0, -1), (-1, -1), 3),
        ],
    )
    story: list[Flowable] = [_pairs(rows, width, key), Spacer(1, 3), total]
    after = [(t.label, t.amount, s.left, s.right) for t in receipt.after_total]
    if after:
        story += [Spacer(1, 2), _pairs(after, width, key)]
    if receipt.tax_note:
        story.append(_p(receipt.tax_note, s.small))
    return story


def _tax_block(receipt: ReceiptData, width: float, key: float, s: _Styles) -> list[Flowable]:
    if not (receipt.layout.show_tax_breakdown and receipt.taxes):
        return []
    rows: list[tuple] = [("Tax", "", s.bold, s.right)]
    for tax in receipt.taxes:
        label = f"{tax.key}  {tax.label}" if tax.key else tax.label
        rows.append((label, "", s.left, s.right))
        rows.append((f"on {tax.taxable}", tax.tax, s.indent, s.right))
    return [Spacer(1, 6), _pairs(rows, width, key)]


def _payment_block(receipt: ReceiptData, width: float, key: float, s: _Styles) -> list[Flowable]:
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
    return [Spacer(1, 6), _pairs(rows, width, key)]


def _closing(receipt: ReceiptData, width: float, s: _Styles) -> list[Flowable]:
    layout = receipt.layout
    story: list[Flowable] = []
    if receipt.savings:
        story += [Spacer(1, 6), _p(f"You saved {receipt.savings}", s.center)]
    if layout.thank_you:
        thanks = ParagraphStyle("thanks", parent=s.center, fontName=s.fonts.bold)
        story += [Spacer(1, 8), _fitted(layout.thank_you, thanks, width)]
    if layout.footer:
        story += [Spacer(1, 6), *_rich_block(layout.footer, s.center)]
    story += _code(receipt, width, s)
    if receipt.is_sample:
        story += [Spacer(1, 4), _p("Sample receipt: not a real sale", s.small)]
    return story


def thermal_story(receipt: ReceiptData, width: float) -> list[Flowable]:
    s = _Styles(receipt.layout.font_size, receipt_fonts())
    keyed = any(line.tax_label for line in receipt.lines)
    key = s.size * 1.2 if keyed else 0.0

    story = _header(receipt, width, s, s.center)
    story += [_rule(width, thick=True), *_banner(receipt, s)]
    story.append(_pairs(_meta_rows(receipt, s), width))
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
    story.append(_pairs(rows, width, key))
    story.append(_rule(width))
    story += _totals_block(receipt, width, key, s)
    story += _tax_block(receipt, width, key, s)
    story += _payment_block(receipt, width, key, s)
    story += _closing(receipt, width, s)
    return story


CELL_PADDING = 6  # reportlab's default left and right padding of a table cell


def a4_story(receipt: ReceiptData, width: float) -> list[Flowable]:
    s = _Styles(receipt.layout.font_size + 1, receipt_fonts())
    keyed = any(line.tax_label for line in receipt.lines)
    head_left = _header(receipt, width * 0.55, s, s.left)
    meta = _pairs(_meta_rows(receipt, s), width * 0.45)
    top = _table(
        [[head_left, [*_banner(receipt, s), meta]]],
        [width * 0.55, width * 0.45],
    )
    story: list[Flowable] = [top, Spacer(1, 8 * mm)]

    head = ["Item", "Qty", "Unit price", "Discount", "Amount"] + (["Tax"] if keyed else [])
    bold = [s.bold, s.bold_right, s.bold_right, s.bold_right, s.bold_right, s.bold_right]
    rows = [[_p(text, style) for text, style in zip(head, bold, strict=False)]]
    columns: list[list[str]] = [[] for _ in head[1:]]
    for line in receipt.lines:
        name = escape(line.name)
        if receipt.layout.show_sku and line.sku:
            name += f'<br/><font size="{s.size - 1}" color="#555555">SKU {escape(line.sku)}</font>'
        numbers = [str(line.quantity), line.unit_price, line.discount, line.total]
        if keyed:
            numbers.append(line.tax_label)
        for column, text in zip(columns, numbers, strict=True):
            column.append(text)
        rows.append([Paragraph(name, s.left), *(_p(text, s.right) for text in numbers)])
    # Number columns as wide as their widest heading or value: nothing in them wraps.
    number_widths = [
        max([_width(title, s.bold), *(_width(text, s.right) for text in column)])
        + 2 * CELL_PADDING
        + 1
        for title, column in zip(head[1:], columns, strict=True)
    ]
    widths = [width - sum(number_widths), *number_widths]
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
    gap = 6 * mm
    right = [*_totals_block(receipt, side, 0.0, s), *_payment_block(receipt, side, 0.0, s)]
    left = _tax_block(receipt, width - side - gap, 0.0, s)[1:]  # no top gap beside totals
    story.append(
        KeepTogether(
            _table(
                [[left or "", "", right]],
                [width - side - gap, gap, side],
                [("LEFTPADDING", (2, 0), (2, 0), 0)],
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
        height = min(height, MAX_ROLL_PAGE)
        buffer = BytesIO()
        doc = _document(buffer, receipt, (page_width, height), margin, margin)
        doc.build(thermal_story(receipt, width))
        if doc.page == 1 or height >= MAX_ROLL_PAGE:  # a very long roll: more roll-wide pages
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
