"""ESC/POS bytes for thermal printers, built with python-escpos from the plain-text lines.

The bytes are composed on escpos's `Dummy` printer (which only collects output), so the same
function serves tests, downloads and real printing; `send_to_printer` then writes them to the
printer named in the settings.
"""

from __future__ import annotations

import contextlib
import io
import logging
from urllib.parse import urlsplit

from ..selectors import ReceiptData
from .text import receipt_text_lines

logger = logging.getLogger(__name__)

# Characters Babel puts in amounts that receipt code pages lack.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})


class PrinterError(Exception):
    """The receipt printer could not be reached or refused the data."""


def render_escpos(receipt: ReceiptData, *, columns: int | None = None) -> bytes:
    """The receipt as ESC/POS commands: text lines, bold/double-height where the text renderer
    marks them, the sale number's barcode or QR code, then a paper cut."""
    from escpos.printer import Dummy

    printer = Dummy()
    printer.hw("INIT")
    # The text lines are already centred with spaces for the printer's column count, so
    # everything prints left-aligned: the printer's own centring would shift them again.
    for line in receipt_text_lines(receipt, columns):
        printer.set(
            align="left",
            bold=line.bold,
            double_height=line.big,
            normal_textsize=not line.big,
        )
        printer.text(line.text.rstrip().translate(_SPACES) + "\n")
    printer.set(align="center", bold=False, normal_textsize=True)
    code = receipt.layout.code
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # escpos prints its barcode mode
            if code == "code128":
                printer.barcode(
                    "{B" + receipt.number, "CODE128", height=60, width=2, function_type="B"
                )
            elif code == "qr":
                printer.qr(receipt.number, size=6, native=True)
    except Exception:  # a code that cannot be printed must never stop the receipt
        logger.warning("Could not add the %s code to receipt %s", code, receipt.number)
    printer.cut()
    return bytes(printer.output)


def parse_target(target: str) -> tuple[str, str | tuple[str, int]]:
    """`tcp://10.0.0.5:9100` or `10.0.0.5:9100` → ("network", (host, port));
    `/dev/usb/lp0` or `file:///tmp/out.bin` → ("file", path)."""
    target = (target or "").strip()
    if not target:
        raise PrinterError("No receipt printer is configured (RECEIPT_PRINTER).")
    if target.startswith("file://"):
        return "file", urlsplit(target).path
    if target.startswith("/") or target.startswith("."):
        return "file", target
    if "://" not in target:
        target = "tcp://" + target
    parts = urlsplit(target)
    if parts.scheme != "tcp" or not parts.hostname:
        raise PrinterError(
            f"RECEIPT_PRINTER={target!r} is neither host:port nor a file or device path."
        )
    try:
        port = parts.port or 9100
    except ValueError:
        raise PrinterError(f"RECEIPT_PRINTER={target!r} has an invalid port.") from None
    return "network", (parts.hostname, port)


def send_to_printer(data: bytes, target: str, *, timeout: float = 10) -> None:
    """Write ESC/POS bytes to a network printer (raw TCP, usually port 9100) or a device file."""
    from escpos.exceptions import Error as EscposError
    from escpos.printer import File, Network

    kind, where = parse_target(target)
    if kind == "network":
        host, port = where  # type: ignore[misc]
        printer = Network(host, port=port, timeout=timeout)
    else:
        printer = File(str(where))
    try:
        printer.open()
        printer._raw(data)
    except (OSError, EscposError) as error:
        raise PrinterError(f"The receipt printer did not answer ({error}).") from error
    finally:
        try:
            printer.close()
        except OSError:  # closing a dead connection
            pass
