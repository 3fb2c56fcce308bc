"""The sale number as a Code 128 barcode or a QR code, drawn by reportlab (no extra package):
a `Drawing` for the PDF and the same drawing as inline SVG for the HTML page."""

from __future__ import annotations

import re

from reportlab.graphics import renderSVG
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm

BAR_WIDTH = 0.75  # points per module: two dots of a 203 dpi thermal head
BAR_HEIGHT = 12 * mm
QR_SIDE = 26 * mm
QR_BORDER = 2  # modules of white around a QR code


def code_drawing(number: str, kind: str, max_width: float) -> Drawing | None:
    """A centred drawing of the number no wider than `max_width` points, or None."""
    if kind == "code128":
        drawing = createBarcodeDrawing(
            "Code128", value=number, barWidth=BAR_WIDTH, barHeight=BAR_HEIGHT, quiet=False
        )
        if drawing.width > max_width:  # long numbers on 58 mm paper: narrower bars
            drawing = createBarcodeDrawing(
                "Code128",
                value=number,
                barWidth=BAR_WIDTH * max_width / drawing.width,
                barHeight=BAR_HEIGHT,
                quiet=False,
            )
    elif kind == "qr":
        side = min(QR_SIDE, max_width)
        # A two-module quiet zone instead of reportlab's four: the paper around the code is
        # blank anyway, and the sale number printed under it then sits close to the code.
        drawing = createBarcodeDrawing(
            "QR", value=number, width=side, height=side, barBorder=QR_BORDER
        )
    else:
        return None
    drawing.hAlign = "CENTER"
    return drawing


def code_svg(number: str, kind: str) -> str:
    """Inline SVG markup (no XML prologue) of the code, or "" for none."""
    drawing = code_drawing(number, kind, max_width=60 * mm)
    if drawing is None:
        return ""
    svg = renderSVG.drawToString(drawing)
    start = svg.find("<svg")
    return _presentation_attributes(svg[start:]) if start >= 0 else ""


STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def _presentation_attributes(svg: str) -> str:
    """reportlab writes `style="fill: …; stroke: …"`; the page's Content Security Policy blocks
    style attributes (every bar would turn black), so each property becomes an SVG
    presentation attribute (`fill="…"`), which a CSP does not touch."""

    def attributes(match: re.Match) -> str:
        pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
        return "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)

    return STYLE_ATTRIBUTE.sub(attributes, svg)
