"""Actions on receipts: email one, send one to the receipt printer.

Neither touches the sale: a failure is reported to whoever asked and the sale stays exactly as
it was (it is already complete and paid when a receipt is printed or sent).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email

from pos.models import Refund, Sale
from pos_site.errors import NotFoundError, ServiceError

from . import links
from .renderers.escpos import PrinterError, render_escpos, send_to_printer
from .renderers.pdf import render_pdf
from .renderers.text import render_text
from .selectors import ReceiptData, can_view_receipt, receipt_for_document

logger = logging.getLogger(__name__)

EMAIL_TEXT_COLUMNS = 48
MAX_EMAIL_LENGTH = 254


class ReceiptDeliveryError(ServiceError):
    """The mail server or the printer did not take the receipt; the sale is unaffected."""

    status_code = 503


@dataclass(frozen=True)
class EmailedReceipt:
    number: str
    to: str
    link: str


def _check_access(sale: Sale | Refund, user: AbstractBaseUser) -> None:
    if not can_view_receipt(user, sale):
        raise NotFoundError(f"No receipt numbered {sale.number}.", "receipt_not_found")


def clean_email_address(value: object) -> str:
    """A single, plain email address, or a ServiceError a cashier can act on."""
    address = str(value or "").strip()
    if not address:
        raise ServiceError("Type the customer's email address.", "email_missing")
    try:
        if len(address) > MAX_EMAIL_LENGTH or any(c in address for c in ",;\r\n"):
            raise ValidationError("not one address")
        validate_email(address)
    except ValidationError:
        raise ServiceError(
            f"“{address[:80]}” is not a valid email address; check it with the customer.",
            "invalid_email",
        ) from None
    return address


def absolute_url(path: str, base_url: str | None = None) -> str:
    base = (base_url or getattr(settings, "RECEIPT_BASE_URL", "") or "").rstrip("/")
    if not base:
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return base + path


def receipt_email(receipt: ReceiptData, to: str, link: str) -> EmailMessage:
    store = receipt.store.name
    days = max(links.max_age() // 86400, 1)
    intro = (
        f"Hello,\n\nhere is your receipt {receipt.number} from {store} "
        f"({receipt.date}, {receipt.total}). The PDF is attached.\n\n"
        f"View it online for {days} days: {link}\n\n"
    )
    body = intro + render_text(receipt, EMAIL_TEXT_COLUMNS)
    message = EmailMessage(
        subject=f"Your receipt {receipt.number} from {store}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach(f"receipt-{receipt.number}.pdf", render_pdf(receipt), "application/pdf")
    return message


def email_receipt(
    *, sale: Sale | Refund, to: object, by_user: AbstractBaseUser, base_url: str | None = None
) -> EmailedReceipt:
    """Email a sale's (or a refund's) receipt: text in the body, the PDF attached, and a signed
    link that works without login until RECEIPT_LINK_MAX_AGE. The address is checked first; a
    mail server failure raises `ReceiptDeliveryError` and changes nothing."""
    _check_access(sale, by_user)
    address = clean_email_address(to)
    receipt = receipt_for_document(sale)
    link = absolute_url(links.link_path(sale.number), base_url)
    message = receipt_email(receipt, address, link)
    try:
        sent = message.send(fail_silently=False)
    except Exception as error:  # SMTP errors, refused connections, timeouts...
        logger.warning("Emailing receipt %s failed: %s", sale.number, error)
        raise ReceiptDeliveryError(
            "The email could not be sent (the mail server did not accept it). "
            "The sale is saved; try again or print the receipt.",
            "email_failed",
        ) from error
    if not sent:
        raise ReceiptDeliveryError(
            "The email could not be sent. The sale is saved; try again or print the receipt.",
            "email_failed",
        )
    logger.info("Receipt %s emailed by user %s", sale.number, by_user.pk)
    return EmailedReceipt(number=sale.number, to=address, link=link)


def print_receipt(
    *, sale: Sale | Refund, by_user: AbstractBaseUser, target: str | None = None
) -> int:
    """Send a sale's (or a refund's) receipt to the ESC/POS printer (RECEIPT_PRINTER); returns
    bytes sent."""
    _check_access(sale, by_user)
    target = target if target is not None else getattr(settings, "RECEIPT_PRINTER", "")
    if not target:
        raise ServiceError(
            "No receipt printer is set up; print the receipt page from the browser instead.",
            "no_printer",
        )
    receipt = receipt_for_document(sale)
    data = render_escpos(receipt, columns=getattr(settings, "RECEIPT_PRINTER_COLUMNS", None))
    try:
        send_to_printer(data, target, timeout=getattr(settings, "RECEIPT_PRINTER_TIMEOUT", 10))
    except PrinterError as error:
        logger.warning("Printing receipt %s failed: %s", sale.number, error)
        raise ReceiptDeliveryError(
            f"{error} The sale is saved; check the printer and print again.",
            "printer_unavailable",
        ) from error
    return len(data)
