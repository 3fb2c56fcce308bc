"""Plain-text receipts at a fixed number of columns (32 for 58 mm, 42 for 80 mm, 48 for email).

Used as the body of receipt emails and, line by line, by the ESC/POS renderer, so a thermal
printer prints exactly what the text preview shows.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from ..richtext import plain
from ..selectors import ReceiptData

MIN_COLUMNS, MAX_COLUMNS = 24, 80


@dataclass(frozen=True)
class TextLine:
    """One printed line and how a printer may style it."""

    text: str
    bold: bool = False
    big: bool = False  # double height on a thermal printer (the total, the shop's name)
    center: bool = False


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True) or [""]


class _Writer:
    def __init__(self, columns: int):
        self.columns = columns
        self.lines: list[TextLine] = []

    def center(self, text: str, *, bold: bool = False, big: bool = False) -> None:
        for part in _wrap(text, self.columns):
            self.lines.append(TextLine(part.center(self.columns).rstrip(), bold, big, True))

    def add(self, text: str, bold: bool = False) -> None:
        self.lines.append(TextLine(text.rstrip(), bold))

    def left(self, text: str, *, indent: int = 0, bold: bool = False) -> None:
        for part in _wrap(text, self.columns - indent):
            self.add(" " * indent + part, bold)

    def pair(self, left: str, right: str, *, indent: int = 0, bold: bool = False) -> None:
        """`left ........ right`; a long left side wraps and the amount goes on its last line."""
        room = self.columns - indent - len(right) - 1
        if room < 8:  # an absurdly long amount: give it its own line
            self.left(left, indent=indent, bold=bold)
            self.add(right.rjust(self.columns), bold)
            return
        parts = _wrap(left, room)
        for part in parts[:-1]:
            self.add(" " * indent + part, bold)
        last = " " * indent + parts[-1]
        self.add(last + right.rjust(self.columns - len(last)), bold)

    def rich(self, lines) -> None:
        """Header/footer lines, centred; a line entirely in bold prints bold."""
        for line in lines:
            text = plain(line)
            if not text:
                self.lines.append(TextLine(""))
                continue
            self.center(text, bold=all(run.bold for run in line))

    def rule(self, char: str = "-") -> None:
        self.lines.append(TextLine(char * self.columns))

    def blank(self) -> None:
        if self.lines and self.lines[-1].text:
            self.lines.append(TextLine(""))


def receipt_text_lines(receipt: ReceiptData, columns: int | None = None) -> list[TextLine]:
    columns = max(MIN_COLUMNS, min(MAX_COLUMNS, columns or receipt.layout.columns))
    layout, store = receipt.layout, receipt.store
    out = _Writer(columns)

    out.center(store.name, bold=True, big=True)
    for line in store.address_lines:
        out.center(line)
    if store.phone:
        out.center(f"Tel. {store.phone}")
    if store.website:
        out.center(store.website)
    if store.tax_number:
        out.center(f"Tax no. {store.tax_number}")
    if layout.header:
        out.blank()
        out.rich(layout.header)
    out.rule("=")

    if receipt.is_refund:
        out.center(f"*** {receipt.title.upper()} ***", bold=True)
        if receipt.original_number:
            out.center(f"of sale {receipt.original_number}")
    elif receipt.is_voided:
        out.center("*** VOIDED ***", bold=True)
    out.pair(receipt.title.upper(), receipt.number, bold=True)
    out.pair(receipt.date, receipt.time)
    if layout.show_cashier and receipt.cashier:
        out.left(f"Cashier: {receipt.cashier}")
    if layout.show_register and receipt.register:
        out.left(f"Register: {receipt.register}")
    out.rule()

    keyed = any(line.tax_label for line in receipt.lines)
    for line in receipt.lines:
        out.left(line.name)
        if layout.show_sku and line.sku:
            out.left(f"SKU {line.sku}", indent=2)
        key = f" {line.tax_label}" if keyed else ""
        if line.discount:
            out.pair(line.quantity_text.replace("×", "x"), line.gross + key, indent=2)
            out.pair("Discount", line.discount + (" " * len(key)), indent=2)
        else:
            out.pair(line.quantity_text.replace("×", "x"), line.total + key, indent=2)
    out.rule()

    pad = "  " if keyed else ""  # every amount below ends where the lines' amounts end
    for total in receipt.totals:
        out.pair(total.label, total.amount + pad)
    out.rule("=")
    out.pair(receipt.total_label.upper(), receipt.total + pad, bold=True)
    out.rule("=")
    for total in receipt.after_total:
        out.pair(total.label, total.amount + pad)
    if receipt.tax_note:
        out.left(receipt.tax_note)

    if layout.show_tax_breakdown and receipt.taxes:
        out.blank()
        out.left("Tax")
        for tax in receipt.taxes:
            label = f"{tax.key} {tax.label}" if tax.key else tax.label
            out.pair(label, tax.tax + pad, indent=2)
            out.left(f"on {tax.taxable}", indent=4)

    out.blank()
    for payment in receipt.payments:
        if layout.show_payment_details:
            out.pair(payment.label, payment.amount + pad)
            if payment.tendered:
                out.pair("Tendered", payment.tendered + pad, indent=2)
            if payment.reference and payment.method != "cash":
                out.left(f"Ref. {payment.reference}", indent=2)
        else:
            label = payment.label if payment.method != "card" else "Card"
            out.pair(label, payment.amount + pad)
    if receipt.change:
        out.pair("Change", receipt.change + pad, bold=True)
    if receipt.savings:
        out.blank()
        out.center(f"You saved {receipt.savings}")

    if layout.thank_you:
        out.blank()
        out.center(layout.thank_you)
    if layout.footer:
        out.blank()
        out.rich(layout.footer)
    if layout.code:
        out.blank()
        out.center(receipt.number)
    return out.lines


def render_text(receipt: ReceiptData, columns: int | None = None) -> str:
    """The receipt as plain text, one line per printed line, ending with a newline."""
    return "\n".join(line.text for line in receipt_text_lines(receipt, columns)) + "\n"
