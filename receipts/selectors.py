"""Reads for receipts: who may see which receipt, and the one data object every renderer uses.

`receipt_for_sale(sale)` freezes everything a receipt shows into a `ReceiptData`: the store's
details, the sale's lines, totals, taxes and tenders as formatted strings, and the template's
layout choices. The HTML, PDF, text and ESC/POS renderers read only that object, so they cannot
disagree, and a refund receipt is one more builder (`receipt_for_refund`) that fills the same
object with `is_refund=True` and `original_number`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from pos.models import Payment, Refund, Sale, SaleLine, SaleTax, Shift
from pos_site.errors import NotFoundError, PermissionDeniedError
from store.models import StoreSettings
from store.selectors import current_store_settings, format_amount

from .models import ReceiptTemplate
from .placeholders import substitute
from .richtext import Line, rich_text_lines

# --------------------------------------------------------------------------- access


def may_open_receipts(user: AbstractBaseUser) -> bool:
    """Whether the user's role has receipts at all (cashiers and managers do)."""
    return bool(
        user.is_authenticated
        and (user.has_perm("pos.view_sale") or user.has_perm("pos.use_register"))
    )


def can_view_receipt(user: AbstractBaseUser, document: Sale | Refund) -> bool:
    """The one rule for receipt pages, PDFs, reprints and emails (sales and refunds alike).

    Managers (`pos.view_sale`) see every receipt. A cashier sees the receipts of their own
    open shift (sale numbers are guessable; older receipts are a manager's business, and a
    customer's e-mailed copy carries its own signed link). Every view, API endpoint and
    service goes through this function.
    """
    if not user.is_authenticated:
        return False
    if user.has_perm("pos.view_sale"):
        return True
    shift = document.shift
    return (
        user.has_perm("pos.use_register")
        and shift is not None
        and shift.status == Shift.Status.OPEN
        and shift.cashier_id == user.pk
    )


def sale_for_receipt(number: str) -> Sale | None:
    return (
        Sale.objects.select_related("cashier", "register", "shift")
        .prefetch_related("lines", "payments", "taxes")
        .filter(number=number)
        .first()
    )


def refund_for_receipt(number: str) -> Refund | None:
    return (
        Refund.objects.select_related("cashier", "register", "sale", "shift")
        .prefetch_related("lines__sale_line", "payments__payment")
        .filter(number=number)
        .first()
    )


def document_for_number(number: str) -> Sale | Refund | None:
    """A sale (S-…) or a refund/void (R-…) by its number."""
    if number.upper().startswith("R-"):
        return refund_for_receipt(number)
    return sale_for_receipt(number)


def viewable_document(number: str, user: AbstractBaseUser) -> Sale | Refund:
    """The sale or refund behind a receipt, or an error: 403 for roles without receipts, 404
    for one that does not exist or is not the user's to see (the two look the same on purpose).
    """
    if not may_open_receipts(user):
        raise PermissionDeniedError("Your role cannot open receipts.", "receipt_forbidden")
    document = document_for_number(number)
    if document is None or not can_view_receipt(user, document):
        raise NotFoundError(f"No receipt numbered {number[:20]}.", "receipt_not_found")
    return document


def viewable_sale(number: str, user: AbstractBaseUser) -> Sale:
    """Like `viewable_document`, for actions that exist for sales only (email, print API)."""
    document = viewable_document(number, user)
    if not isinstance(document, Sale):
        raise NotFoundError(f"No sale numbered {number[:20]}.", "receipt_not_found")
    return document


def viewable_refund(number: str, user: AbstractBaseUser) -> Refund:
    """Like `viewable_document`, for a refund or void (R-…) only."""
    document = viewable_document(number, user)
    if not isinstance(document, Refund):
        raise NotFoundError(f"No refund numbered {number[:20]}.", "receipt_not_found")
    return document


def recent_sales(limit: int = 10) -> list[Sale]:
    return list(Sale.objects.select_related("cashier", "register").order_by("-created_at")[:limit])


def default_template() -> ReceiptTemplate:
    """The default template; an unsaved one with the model defaults if none exists."""
    template = (
        ReceiptTemplate.objects.select_related("logo").filter(is_default=True).first()
        or ReceiptTemplate.objects.select_related("logo").first()
    )
    return template or ReceiptTemplate(name="Standard", is_default=True)


# --------------------------------------------------------------------------- the data object


@dataclass(frozen=True)
class StoreDetails:
    name: str
    address_lines: tuple[str, ...]
    phone: str
    tax_number: str
    website: str


@dataclass(frozen=True)
class Layout:
    """The template's choices, copied so renderers never touch the database."""

    paper: str  # "58mm", "80mm" or "a4"
    font_size: int
    header: tuple[Line, ...]
    footer: tuple[Line, ...]
    thank_you: str  # placeholders already substituted
    show_tax_breakdown: bool
    show_cashier: bool
    show_register: bool
    show_payment_details: bool
    show_sku: bool
    code: str  # "", "code128" or "qr"
    logo_path: str = ""  # a file the PDF renderer can read ("" = no logo)
    logo_url: str = ""  # the same picture for the HTML page
    template_name: str = ""

    @property
    def is_thermal(self) -> bool:
        return self.paper != ReceiptTemplate.Paper.A4

    @property
    def columns(self) -> int:
        """Characters per line of the plain-text receipt for this paper."""
        return {"58mm": 32, "80mm": 42}.get(self.paper, 48)


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    sku: str
    quantity: int
    unit_price: str  # "" when there is no exact price per unit (some refunds)
    gross: str  # quantity × unit price
    discount: str  # the line's own discount as a negative amount; "" when there is none
    total: str  # gross minus the line's discount (the cart discount is shown in the totals)
    tax_label: str  # e.g. "A" keyed to the tax breakdown, "" with one rate

    @property
    def quantity_text(self) -> str:
        """ "2 × $8.90", or "2 ×" without a unit price."""
        return f"{self.quantity} × {self.unit_price}" if self.unit_price else f"{self.quantity} ×"


@dataclass(frozen=True)
class TaxLine:
    key: str
    label: str  # "Standard 8.25 %"
    taxable: str
    tax: str


@dataclass(frozen=True)
class PaymentLine:
    method: str  # cash, card, other
    label: str  # "Cash", "Visa •••• 4242"
    amount: str
    tendered: str  # "" unless cash was handed over beyond the amount
    change: str  # "" unless change was given
    reference: str


@dataclass(frozen=True)
class Total:
    label: str
    amount: str
    emphasis: bool = False


@dataclass(frozen=True)
class ReceiptData:
    """Everything a receipt shows, formatted for the store's locale. Renderers read only this."""

    number: str
    title: str  # "Receipt" or "Refund"
    is_refund: bool
    original_number: str  # the refunded sale's number on a refund receipt, else ""
    is_voided: bool
    created_at: datetime  # in the store's time zone
    date: str
    time: str
    cashier: str
    register: str
    store: StoreDetails
    layout: Layout
    lines: tuple[ReceiptLine, ...]
    totals: tuple[Total, ...]  # subtotal, discounts, tax (exclusive prices)
    total: str
    total_label: str  # "Total", or "Refunded" on a refund receipt
    after_total: tuple[Total, ...]  # cash rounding and the rounded total, when cash was rounded
    total_amount: Decimal
    currency: str
    taxes: tuple[TaxLine, ...]
    tax_note: str  # "Prices include tax" / "" (shown near the tax breakdown)
    payments: tuple[PaymentLine, ...]
    amount_paid: str
    change: str  # "" when no change was given
    item_count: int
    savings: str = ""  # all discounts together, "" without discounts
    is_sample: bool = False


def _store_details(store: StoreSettings) -> StoreDetails:
    return StoreDetails(
        name=store.store_name,
        address_lines=tuple(
            line.strip() for line in (store.address or "").splitlines() if line.strip()
        ),
        phone=store.phone,
        tax_number=store.tax_number,
        website=store.website,
    )


def _logo(template: ReceiptTemplate) -> tuple[str, str]:
    if not template.logo_id:
        return "", ""
    try:
        rendition = template.logo.get_rendition("max-600x240|format-png")
        path = rendition.file.path
    except (OSError, ValueError, NotImplementedError):  # missing file or remote storage
        return "", ""
    return (path if Path(path).exists() else ""), rendition.url


def _layout(template: ReceiptTemplate, values: dict[str, object]) -> Layout:
    logo_path, logo_url = _logo(template)
    return Layout(
        paper=template.paper,
        font_size=int(template.font_size),
        header=rich_text_lines(template.header),
        footer=rich_text_lines(template.footer),
        thank_you=substitute(template.thank_you_message, values).strip(),
        show_tax_breakdown=template.show_tax_breakdown,
        show_cashier=template.show_cashier,
        show_register=template.show_register,
        show_payment_details=template.show_payment_details,
        show_sku=template.show_sku,
        code=template.code,
        logo_path=logo_path,
        logo_url=logo_url,
        template_name=template.name,
    )


def _rate_text(rate: Decimal, locale: str) -> str:
    """A tax rate in the store's locale ("8.25 %", "2,5 %"); never "8.25" and "%" on two
    lines."""
    return f"{format_decimal(rate, format='#,##0.###', locale=locale)}\u00a0%"


def user_display_name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class ReceiptSource:
    """A document as a receipt needs it, before formatting. Sales fill it from `Sale`; refunds
    will fill it from `Refund` (`is_refund=True`, `original_number` = the sale's number)."""

    number: str
    created_at: datetime
    cashier: str
    register: str
    prices_include_tax: bool
    currency: str
    lines: Sequence[SaleLine]  # or any object with the same attributes
    taxes: Sequence[SaleTax]
    payments: Sequence[Payment]
    subtotal: Decimal  # sum of the lines' gross amounts
    line_discounts: Decimal
    cart_discount: Decimal
    tax_total: Decimal
    cash_rounding: Decimal
    total: Decimal
    amount_paid: Decimal
    change: Decimal
    item_count: int
    is_refund: bool = False
    original_number: str = ""
    is_voided: bool = False
    is_sample: bool = False
    title: str = ""  # default: "Refund" for refunds, else "Receipt"


def build_receipt(
    source: ReceiptSource,
    *,
    template: ReceiptTemplate | None = None,
    store: StoreSettings | None = None,
) -> ReceiptData:
    """Format a document for printing with a template (the default one when not given)."""
    store = store or current_store_settings()
    template = template or default_template()
    currency, locale = source.currency, store.locale

    def fmt(amount: Decimal) -> str:
        return format_amount(amount, currency, locale)

    created = timezone.localtime(source.created_at)
    date_text = format_date(created, format="medium", locale=locale)
    time_text = format_time(created, format="short", locale=locale)

    names = {line.tax_rate: line.tax_rate_name for line in source.lines}
    rates = sorted({line.tax_rate for line in source.lines} | {t.rate for t in source.taxes})
    keys = {rate: chr(ord("A") + i) for i, rate in enumerate(rates)} if len(rates) > 1 else {}
    taxes = tuple(
        TaxLine(
            key=keys.get(t.rate, ""),
            label=" ".join(filter(None, [names.get(t.rate, "Tax"), _rate_text(t.rate, locale)])),
            taxable=fmt(t.taxable.amount),
            tax=fmt(t.tax.amount),
        )
        for t in source.taxes
    )

    lines = tuple(
        ReceiptLine(
            name=line.name,
            sku=line.sku,
            quantity=line.quantity,
            unit_price=fmt(line.unit_price.amount) if line.unit_price is not None else "",
            gross=fmt(line.gross.amount),
            discount=fmt(-line.discount.amount) if line.discount.amount else "",
            total=fmt(line.gross.amount - line.discount.amount),
            tax_label=keys.get(line.tax_rate, ""),
        )
        for line in sorted(source.lines, key=lambda line: line.position)
    )

    # The lines' amounts add up to the subtotal; the cart discount comes off below it.
    totals = [Total("Subtotal", fmt(source.subtotal - source.line_discounts))]
    if source.cart_discount:
        totals.append(Total("Discount", fmt(-source.cart_discount)))
    if source.prices_include_tax:
        what = "Refund" if source.is_refund else "Total"
        tax_note = f"{what} includes {fmt(source.tax_total)} tax"
    else:
        totals.append(Total("Tax", fmt(source.tax_total)))
        tax_note = ""
    after_total = []
    if source.cash_rounding:
        after_total.append(Total("Cash rounding", fmt(source.cash_rounding)))
        after_total.append(Total("Rounded total", fmt(source.total + source.cash_rounding)))

    payments = []
    for payment in sorted(source.payments, key=lambda p: p.position):
        label = payment.get_method_display()
        if payment.method == Payment.Method.CARD and payment.card_last4:
            label = payment.card_display
        tendered = payment.tendered.amount
        payments.append(
            PaymentLine(
                method=payment.method,
                label=label,
                amount=fmt(payment.amount.amount),
                tendered=fmt(tendered) if tendered != payment.amount.amount else "",
                change=fmt(payment.change.amount) if payment.change.amount else "",
                reference=payment.reference,
            )
        )

    grand_total = source.total
    values = {
        "store_name": store.store_name,
        "sale_number": source.number,
        "cashier": source.cashier,
        "register": source.register,
        "date": date_text,
        "time": time_text,
        "total": fmt(grand_total),
        "item_count": source.item_count,
        "website": store.website,
        "phone": store.phone,
    }
    return ReceiptData(
        number=source.number,
        title=source.title or ("Refund" if source.is_refund else "Receipt"),
        is_refund=source.is_refund,
        original_number=source.original_number,
        is_voided=source.is_voided,
        created_at=created,
        date=date_text,
        time=time_text,
        cashier=source.cashier,
        register=source.register,
        store=_store_details(store),
        layout=_layout(template, values),
        lines=lines,
        totals=tuple(totals),
        after_total=tuple(after_total),
        total=fmt(grand_total),
        total_label="Refunded" if source.is_refund else "Total",
        total_amount=grand_total,
        currency=currency,
        taxes=taxes,
        tax_note=tax_note,
        payments=tuple(payments),
        amount_paid=fmt(source.amount_paid),
        change=fmt(source.change) if source.change else "",
        item_count=source.item_count,
        savings=(
            fmt(source.line_discounts + source.cart_discount)
            if source.line_discounts + source.cart_discount
            else ""
        ),
        is_sample=source.is_sample,
    )


def sale_source(sale: Sale) -> ReceiptSource:
    return ReceiptSource(
        number=sale.number,
        created_at=sale.created_at,
        cashier=user_display_name(sale.cashier),
        register=sale.register.name,
        prices_include_tax=sale.prices_include_tax,
        currency=str(sale.total.currency),
        lines=list(sale.lines.all()),
        taxes=list(sale.taxes.all()),
        payments=list(sale.payments.all()),
        subtotal=sale.subtotal.amount,
        line_discounts=sale.line_discounts.amount,
        cart_discount=sale.cart_discount.amount,
        tax_total=sale.tax_total.amount,
        cash_rounding=sale.cash_rounding.amount,
        total=sale.total.amount,
        amount_paid=sale.amount_paid.amount,
        change=sale.change_given.amount,
        item_count=sale.item_count,
        is_voided=sale.status == Sale.Status.VOIDED,
    )


def receipt_for_sale(sale: Sale, *, template: ReceiptTemplate | None = None) -> ReceiptData:
    """The receipt of a sale, laid out with the given (or the default) template."""
    return build_receipt(sale_source(sale), template=template)


def refund_source(refund: Refund) -> ReceiptSource:
    """A refund (or void) as a receipt: the refunded lines with the money returned for each
    (tax included), the tax in it per rate, and where the money went back."""
    from djmoney.money import Money

    currency = str(refund.total.currency)
    zero = Money(Decimal(0), currency)
    lines, taxes = [], {}
    for refund_line in refund.lines.all():
        sold = refund_line.sale_line
        # What the customer gets back per unit (discounts and tax included); when that is not
        # a whole number of cents the receipt shows the quantity and the amount only.
        each = refund_line.amount.amount / refund_line.quantity
        exact = each == each.quantize(Decimal("0.01")) if refund_line.quantity else False
        lines.append(
            SaleLine(
                position=sold.position,
                name=sold.name,
                sku=sold.sku,
                quantity=refund_line.quantity,
                unit_price=Money(each, currency) if exact else None,
                tax_rate=sold.tax_rate,
                tax_rate_name=sold.tax_rate_name,
                gross=refund_line.amount,
                discount=zero,
                cart_discount=zero,
                total=refund_line.amount,
                tax=refund_line.tax,
            )
        )
        net, tax = taxes.get(sold.tax_rate, (Decimal(0), Decimal(0)))
        taxes[sold.tax_rate] = (
            net + refund_line.amount.amount - refund_line.tax.amount,
            tax + refund_line.tax.amount,
        )
    payments = []
    for position, paid_back in enumerate(refund.payments.all(), start=1):
        original = paid_back.payment
        payments.append(
            Payment(
                position=position,
                method=paid_back.method,
                tendered=paid_back.amount,
                amount=paid_back.amount,
                change=zero,
                reference=paid_back.reference,
                card_brand=original.card_brand if original else "",
                card_last4=original.card_last4 if original else "",
            )
        )
    is_void = refund.kind == Refund.Kind.VOID
    return ReceiptSource(
        number=refund.number,
        created_at=refund.created_at,
        cashier=user_display_name(refund.cashier),
        register=refund.register.name,
        prices_include_tax=True,  # refund amounts are what the customer gets back, tax included
        currency=currency,
        lines=lines,
        taxes=[
            SaleTax(rate=rate, taxable=Money(net, currency), tax=Money(tax, currency))
            for rate, (net, tax) in sorted(taxes.items())
        ],
        payments=payments,
        subtotal=sum((line.gross.amount for line in lines), Decimal(0)),
        line_discounts=Decimal(0),
        cart_discount=Decimal(0),
        tax_total=refund.tax_total.amount,
        cash_rounding=Decimal(0),
        total=refund.total.amount,
        amount_paid=refund.total.amount,
        change=Decimal(0),
        item_count=sum(line.quantity for line in lines),
        is_refund=True,
        original_number=refund.sale.number,
        is_voided=is_void,
        title="Void" if is_void else "Refund",
    )


def receipt_for_refund(refund: Refund, *, template: ReceiptTemplate | None = None) -> ReceiptData:
    """The receipt of a refund or void: marked as such, naming the original sale."""
    return build_receipt(refund_source(refund), template=template)


def receipt_for_document(
    document: Sale | Refund, *, template: ReceiptTemplate | None = None
) -> ReceiptData:
    if isinstance(document, Refund):
        return receipt_for_refund(document, template=template)
    return receipt_for_sale(document, template=template)


# --------------------------------------------------------------------------- the sample sale


SAMPLE_ITEMS: tuple[tuple[str, str, str, int, str, str, str], ...] = (
    # name, sku, unit price, quantity, line discount, tax rate, tax name
    ("Espresso beans 250 g", "COF-0001", "8.90", 2, "1.00", "8.25", "Standard"),
    ("Butter croissant", "BAK-0002", "2.40", 3, "0", "2.50", "Reduced"),
    ("Reusable cup", "ACC-0003", "12.00", 1, "0", "8.25", "Standard"),
)


def sample_receipt(template: ReceiptTemplate) -> ReceiptData:
    """A believable receipt for the template preview: three lines, a line discount, a 10 %
    cart discount, two tax rates and a card + cash payment, priced by the real pricing rules.
    Nothing is written to the database."""
    from djmoney.money import Money

    from pos import pricing
    from pos.selectors import pricing_rules

    store = current_store_settings()
    rules = pricing_rules(store)
    currency = rules.currency
    inputs = [
        pricing.LineInput(
            key=i,
            unit_price=Decimal(price),
            quantity=qty,
            tax_rate=Decimal(rate),
            discount=Decimal(discount),
        )
        for i, (_, _, price, qty, discount, rate, _) in enumerate(SAMPLE_ITEMS)
    ]
    priced = pricing.price_cart(inputs, rules, pricing.CartDiscount("percent", Decimal("10")))
    card_part = min(Decimal("20.00"), priced.total)
    cash_part = priced.total - card_part
    cash_tendered = (cash_part // 5 + 1) * 5 if cash_part else Decimal(0)
    tenders = [pricing.TenderInput("card", card_part)]
    if cash_part:
        tenders.append(pricing.TenderInput("cash", cash_tendered))
    settlement = pricing.settle_tenders(priced.total, tenders, rules)

    def money(amount: Decimal) -> Money:
        return Money(amount, currency)

    lines = [
        SaleLine(
            position=i + 1,
            name=name,
            sku=sku,
            quantity=p.quantity,
            unit_price=money(p.unit_price),
            tax_rate=p.tax_rate,
            tax_rate_name=tax_name,
            gross=money(p.gross),
            discount=money(p.discount),
            cart_discount=money(p.cart_discount),
            total=money(p.total),
            tax=money(p.tax),
        )
        for i, (p, (name, sku, *_rest, tax_name)) in enumerate(
            zip(priced.lines, SAMPLE_ITEMS, strict=True)
        )
    ]
    taxes = [
        SaleTax(rate=band.rate, taxable=money(band.taxable), tax=money(band.tax))
        for band in priced.tax_bands
    ]
    payments = []
    for i, tender in enumerate(settlement.tenders):
        payment = Payment(
            position=i + 1,
            method=tender.method,
            tendered=money(tender.tendered),
            amount=money(tender.applied),
            change=money(tender.change),
        )
        if tender.method == "card":
            payment.card_brand, payment.card_last4 = "Visa", "4242"
            payment.reference = "SIM-AUTH-000123"
        payments.append(payment)
    source = ReceiptSource(
        number="S-000123",
        created_at=timezone.now(),
        cashier="Casey Cashier",
        register="Front counter",
        prices_include_tax=priced.prices_include_tax,
        currency=currency,
        lines=lines,
        taxes=taxes,
        payments=payments,
        subtotal=priced.subtotal,
        line_discounts=priced.line_discounts,
        cart_discount=priced.cart_discount,
        tax_total=priced.tax_total,
        cash_rounding=settlement.cash_rounding,
        total=priced.total,
        amount_paid=settlement.amount_paid,
        change=settlement.change,
        item_count=sum(qty for _, _, _, qty, *_ in SAMPLE_ITEMS),
        is_sample=True,
    )
    return build_receipt(source, template=template, store=store)
