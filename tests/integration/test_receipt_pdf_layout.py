"""The PDF receipt's layout, read back with `pdftotext -layout`: on every paper and font size
no amount, sale number, label or word is cut across two lines, the receipt shows the store's
local time, and the sale's barcode or QR code is drawn."""

import re
import shutil
import subprocess
import uuid
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from pos import services
from pos.models import Sale
from pos.services import PaymentRequest
from receipts.models import ReceiptTemplate
from receipts.renderers.pdf import render_pdf
from receipts.selectors import receipt_for_sale
from tests import factories
from tests.receipt_fixtures import VISA, ensure_open_shift, staff

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
]


def layout(**fields) -> ReceiptTemplate:
    template = ReceiptTemplate.objects.get(is_default=True)
    for key, value in fields.items():
        setattr(template, key, value)
    return template


def pdftotext_lines(data: bytes) -> list[str]:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return [re.sub(r"\s+", " ", line).strip() for line in result.stdout.decode().splitlines()]


def expensive_sale() -> Sale:
    """Four-digit prices, a discount, two tax rates, a long cashier name, card + cash."""
    from store.selectors import current_store_settings, forget_store_settings

    store = current_store_settings()
    store.store_name = "Harbour Deli & Coffee Roasters"
    store.website = "https://deli.example.co.uk"
    store.save()
    forget_store_settings()
    cashier = staff("casey", "Cashiers")
    cashier.first_name, cashier.last_name = "Casey", "Montgomery-Smythe"
    cashier.save()
    manager = staff("max", "Managers")
    standard = factories.tax_rate("Standard", "8.25")
    reduced = factories.tax_rate("Reduced", "2.50")
    machine = factories.product("Espresso machine Deluxe", "1299.00", stock=20, rate=standard)
    jug = factories.product("Milk jug", "24.90", stock=20, rate=reduced)
    ensure_open_shift(cashier)
    cart, _ = services.open_cart(user=cashier)
    line = services.add_to_cart(cart=cart, product_id=machine.pk, quantity=2)
    services.add_to_cart(cart=cart, product_id=jug.pk, quantity=1)
    services.set_line_discount(cart=cart, line_id=line.pk, amount="100.00", user=manager)
    total = services.priced_cart(cart).priced.total
    result = services.checkout_cart(
        cart=cart,
        payments=[
            PaymentRequest(method="card", amount=Decimal("1000.00"), card=VISA),
            PaymentRequest(method="cash", amount=total - Decimal("1000.00") + Decimal("50.00")),
        ],
        idempotency_key=uuid.uuid4(),
        user=cashier,
    )
    return Sale.objects.get(pk=result.sale.pk)


@pytest.fixture
def big_sale(db):
    return expensive_sale()


@pytest.mark.parametrize("font_size", [8, 9, 12])
@pytest.mark.parametrize("paper", ["58mm", "80mm", "a4"])
def test_nothing_is_cut_across_lines(big_sale, paper, font_size):
    receipt = receipt_for_sale(big_sale, template=layout(paper=paper, font_size=font_size))
    lines = pdftotext_lines(render_pdf(receipt))
    text = "\n".join(lines)
    whole = [
        receipt.number,
        receipt.total,
        receipt.cashier,  # "Casey Montgomery-Smythe", never "Casey Montgom" / "ery-Smythe"
        receipt.time,
        "deli.example.co.uk",
        "Visa •••• 4242",
        "Subtotal",
        "Discount",
        "Tendered",
        "Change",
        "Standard 8.25 %",
        *(t.amount for t in receipt.totals),
        *(p.amount for p in receipt.payments),
        *(line.unit_price for line in receipt.lines),
        *(line.total for line in receipt.lines),
        *(line.gross for line in receipt.lines if paper != "a4"),
        *(tax.tax for tax in receipt.taxes),
        *(tax.taxable for tax in receipt.taxes),
    ]
    for token in (re.sub(r"\s+", " ", token) for token in whole):
        assert any(token in line for line in lines), (token, text)
    # Long names may wrap, between words only.
    words = "TOTAL Espresso machine Deluxe Harbour Deli Coffee Roasters Thank you shopping"
    for word in words.split():
        assert any(re.search(rf"(^|\s){word}(\s|!|$)", line) for line in lines), (word, text)
    if paper != "a4":  # "2 × $1,299.00" stays on one line, beside its amount or on its own
        for line in receipt.lines:
            assert any(line.quantity_text in row for row in lines), (line.quantity_text, text)
    else:  # the item table's headings do not wrap
        assert any(re.search(r"Qty\s+Unit price\s+Discount\s+Amount", row) for row in lines), text


def test_the_receipt_shows_the_store_local_time(big_sale, settings):
    settings.TIME_ZONE = "America/New_York"
    Sale.objects.filter(pk=big_sale.pk).update(
        created_at=big_sale.created_at.replace(hour=3, minute=7, tzinfo=ZoneInfo("UTC"))
    )
    big_sale.refresh_from_db()
    receipt = receipt_for_sale(big_sale, template=layout(paper="80mm"))
    local = big_sale.created_at.astimezone(ZoneInfo("America/New_York"))
    assert local.hour != 3
    expected = local.strftime("%-I:%M %p")  # en_US short time: "11:07 PM"
    assert receipt.time.replace("\u202f", " ") == expected
    lines = pdftotext_lines(render_pdf(receipt))
    assert any(line.replace("\u202f", " ").endswith(expected) for line in lines), lines


def _vector_rectangles(data: bytes) -> int:
    page = PdfReader(BytesIO(data)).pages[0]
    content = page.get_contents().get_data().decode("latin-1")
    return len(re.findall(r"\bre\b", content))


@pytest.mark.parametrize("code", ["code128", "qr"])
@pytest.mark.parametrize("paper", ["58mm", "a4"])
def test_pdf_draws_the_sale_code(big_sale, paper, code):
    """The barcode's bars and the QR code's modules are filled rectangles in the page."""
    plain = render_pdf(receipt_for_sale(big_sale, template=layout(paper=paper, code="")))
    coded = render_pdf(receipt_for_sale(big_sale, template=layout(paper=paper, code=code)))
    assert _vector_rectangles(coded) - _vector_rectangles(plain) >= 20


def test_a_very_long_thermal_receipt_continues_on_further_roll_pages():
    """Hundreds of lines: no page longer than Acrobat's 200 in, every page the roll's width."""
    from dataclasses import replace

    from receipts.renderers.pdf import MAX_ROLL_PAGE
    from receipts.selectors import sample_receipt

    sample = sample_receipt(layout(paper="58mm", font_size=12))
    lines = tuple(
        replace(line, name=f"Item {i:03d} {line.name}") for i, line in enumerate(sample.lines * 150)
    )
    reader = PdfReader(BytesIO(render_pdf(replace(sample, lines=lines))))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert float(page.mediabox.height) <= MAX_ROLL_PAGE < 200 * 72
        assert float(page.mediabox.width) == pytest.approx(58 * 72 / 25.4, abs=0.5)
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))
    assert "Item 000 " in text and "Item 449 " in text and "TOTAL" in text
