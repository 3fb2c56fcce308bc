"""Every renderer on one real sale: line and cart discounts, two tax rates, card + cash."""

import re
import shutil
import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from receipts.models import ReceiptTemplate
from receipts.renderers.escpos import render_escpos
from receipts.renderers.pdf import render_pdf
from receipts.renderers.text import render_text
from receipts.selectors import receipt_for_sale

pytest_plugins = ["tests.receipt_fixtures"]

pytestmark = pytest.mark.django_db

MM = 72 / 25.4


def layout(**fields) -> ReceiptTemplate:
    template = ReceiptTemplate.objects.get(is_default=True)
    for key, value in fields.items():
        setattr(template, key, value)
    return template


def pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --------------------------------------------------------------------------- the data


def test_receipt_data_of_the_sale(sale):
    receipt = receipt_for_sale(sale)
    assert receipt.number == sale.number and receipt.title == "Receipt"
    assert not receipt.is_refund and receipt.original_number == ""
    assert receipt.cashier == "casey" and receipt.register == sale.register.name
    # 2 × 8.90 − 1.00, 3 × 2.40, 12.00: the lines add up to the subtotal.
    assert [
        (line.name, line.quantity, line.unit_price, line.discount, line.total)
        for line in receipt.lines
    ] == [
        ("Espresso beans 250 g", 2, "$8.90", "-$1.00", "$16.80"),
        ("Butter croissant", 3, "$2.40", "", "$7.20"),
        ("Reusable cup", 1, "$12.00", "", "$12.00"),
    ]
    totals = {t.label: t.amount for t in receipt.totals}
    assert totals == {"Subtotal": "$36.00", "Discount": "-$3.60", "Tax": "$2.30"}
    assert receipt.total == "$34.70" and receipt.total_amount == sale.total.amount
    assert [(t.key, t.label, t.tax) for t in receipt.taxes] == [
        ("A", "Reduced 2.5\xa0%", "$0.16"),
        ("B", "Standard 8.25\xa0%", "$2.14"),
    ]
    assert [line.tax_label for line in receipt.lines] == ["B", "A", "B"]
    assert [(p.label, p.amount, p.tendered) for p in receipt.payments] == [
        ("Visa •••• 4242", "$20.00", ""),
        ("Cash", "$14.70", "$50.00"),
    ]
    assert receipt.change == "$35.30" and receipt.savings == "$4.60"
    assert receipt.layout.thank_you == "Thank you for shopping at Corner Shop!"
    assert receipt.store.name == "Corner Shop"


def test_store_details_come_from_the_store_settings(sale):
    from store.selectors import current_store_settings, forget_store_settings

    store = current_store_settings()
    store.store_name, store.address = "Harbour Deli", "1 Quay Road\nPortsmouth"
    store.phone, store.tax_number, store.website = "555-0101", "GB123456789", "https://deli.example"
    store.save()
    forget_store_settings()
    receipt = receipt_for_sale(sale)
    assert receipt.store.name == "Harbour Deli"
    assert receipt.store.address_lines == ("1 Quay Road", "Portsmouth")
    text = render_text(receipt)
    for expected in ("Harbour Deli", "Portsmouth", "555-0101", "GB123456789", "deli.example"):
        assert expected in text
    assert "Thank you for shopping at Harbour Deli!" in flat(text)


# --------------------------------------------------------------------------- plain text


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_plain_text_fits_the_columns_and_shows_everything(sale, columns):
    text = render_text(receipt_for_sale(sale), columns)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert all(line == line.rstrip() for line in lines)
    for expected in (
        sale.number,
        "Espresso beans 250 g",
        "2 x $8.90",
        "-$1.00",
        "Subtotal",
        "Reduced 2.5",
        "Standard 8.25",
        "Visa •••• 4242",
        "Tendered",
        "Cashier: casey",
    ):
        assert expected in text, expected
    total_line = next(line for line in lines if line.startswith("TOTAL"))
    assert total_line.split()[-1] == "$34.70"
    change_line = next(line for line in lines if line.startswith("Change"))
    assert change_line.endswith("$35.30")


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_plain_text_amounts_share_one_right_edge(sale, columns):
    """With tax keys shown ("$17.80 B"), subtotal, total, tax breakdown, payments and change
    end in the same column as the lines' amounts, not two columns off."""
    text = render_text(receipt_for_sale(sale), columns)
    amount = re.compile(r"\s{2,}(-?\$[\d,]+\.\d\d)( [A-Z])?$")
    ends = {}
    for line in text.splitlines():
        if match := amount.search(line):
            ends[line] = match.end(1)
    assert any(line.startswith("TOTAL") for line in ends)
    assert any(line.lstrip().startswith("Tendered") for line in ends)
    assert len(set(ends.values())) == 1, ends


def test_plain_text_width_follows_the_paper(sale):
    assert (
        max(
            map(
                len, render_text(receipt_for_sale(sale, template=layout(paper="58mm"))).splitlines()
            )
        )
        <= 32
    )
    text = render_text(receipt_for_sale(sale, template=layout(paper="80mm")))
    assert max(map(len, text.splitlines())) == 42


def test_toggles_hide_what_the_template_switches_off(sale):
    template = layout(
        show_cashier=False,
        show_register=False,
        show_tax_breakdown=False,
        show_payment_details=False,
        show_sku=True,
        code="",
    )
    text = render_text(receipt_for_sale(sale, template=template))
    assert "Cashier" not in text and "Register:" not in text
    assert "Standard 8.25" not in text
    assert "4242" not in text and "Tendered" not in text and "Ref." not in text
    assert "SKU TST-" in text
    assert "TOTAL" in text and "Change" in text


# --------------------------------------------------------------------------- PDF


@pytest.mark.parametrize(("paper", "width_mm"), [("58mm", 58), ("80mm", 80), ("a4", 210)])
def test_pdf_for_each_paper(sale, paper, width_mm):
    data = render_pdf(receipt_for_sale(sale, template=layout(paper=paper)))
    assert data.startswith(b"%PDF")
    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(width_mm * MM, abs=0.5)
    if paper != "a4":  # a roll is exactly as long as the receipt, not a fixed page
        assert 100 * MM < float(box.height) < 400 * MM
    text = flat(pdf_text(data))
    for expected in (
        "Corner Shop",
        sale.number,
        "Espresso beans 250 g",
        "Butter croissant",
        "Reusable cup",
        "$8.90",
        "-$1.00",
        "$36.00",
        "-$3.60",
        "TOTAL $34.70",
        "Reduced 2.5 %",
        "Standard 8.25 %",
        "Visa •••• 4242",
        "$35.30",
        "Thank you for shopping at Corner Shop!",
    ):
        assert expected in text, (expected, text)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_lines_read_back_with_pdftotext(sale):
    data = render_pdf(receipt_for_sale(sale, template=layout(paper="80mm")))
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    lines = [flat(line).strip() for line in result.stdout.decode().splitlines()]
    assert "TOTAL $34.70" in lines
    assert "Espresso beans 250 g" in lines
    assert any(line.startswith("2 × $8.90") and line.endswith("$17.80 B") for line in lines)
    assert "Change $35.30" in lines


def test_long_receipts_continue_on_the_roll_and_across_a4_pages(cashier, manager):
    import uuid

    from pos import services
    from pos.services import PaymentRequest
    from tests import factories
    from tests.receipt_fixtures import ensure_open_shift

    ensure_open_shift(cashier)
    cart, _ = services.open_cart(user=cashier)
    for i in range(70):
        item = factories.product(f"Item number {i:02d} with a longish name", "1.00", stock=5)
        services.add_to_cart(cart=cart, product_id=item.pk, quantity=1)
    total = services.priced_cart(cart).priced.total
    sale = services.checkout_cart(
        cart=cart,
        payments=[PaymentRequest(method="cash", amount=total)],
        idempotency_key=uuid.uuid4(),
        user=cashier,
    ).sale

    roll = PdfReader(BytesIO(render_pdf(receipt_for_sale(sale, template=layout(paper="80mm")))))
    assert len(roll.pages) == 1 and float(roll.pages[0].mediabox.height) > 600 * MM
    assert "Item number 69" in roll.pages[0].extract_text()

    sheet_data = render_pdf(receipt_for_sale(sale, template=layout(paper="a4")))
    sheet = PdfReader(BytesIO(sheet_data))
    assert len(sheet.pages) >= 2
    second = sheet.pages[1].extract_text()
    assert "Item" in second and "Qty" in second  # the table heading repeats
    assert "page 2" in second
    text = flat(pdf_text(sheet_data))
    assert "Item number 00" in text and "Item number 69" in text
    assert f"TOTAL {receipt_for_sale(sale).total}" in text


def test_pdf_draws_the_logo_and_a_qr_code(sale, tmp_path, settings):
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    settings.MEDIA_ROOT = str(tmp_path)
    buffer = BytesIO()
    PILImage.new("RGB", (300, 100), "#123456").save(buffer, "PNG")
    image = get_image_model().objects.create(
        title="Logo", file=ImageFile(BytesIO(buffer.getvalue()), name="logo.png")
    )
    template = layout(logo=image, code="qr", paper="80mm")
    receipt = receipt_for_sale(sale, template=template)
    assert receipt.layout.logo_path and receipt.layout.logo_url
    data = render_pdf(receipt)
    page = PdfReader(BytesIO(data)).pages[0]
    assert len(page.images) == 1  # the logo (the QR code is vector graphics)
    assert "TOTAL $34.70" in flat(page.extract_text())


def test_pdf_survives_a_missing_logo_file(sale, tmp_path, settings):
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    settings.MEDIA_ROOT = str(tmp_path)
    buffer = BytesIO()
    PILImage.new("RGB", (30, 10), "#000").save(buffer, "PNG")
    image = get_image_model().objects.create(
        title="Logo", file=ImageFile(BytesIO(buffer.getvalue()), name="gone.png")
    )
    for path in tmp_path.rglob("*.png"):
        path.unlink()
    receipt = receipt_for_sale(sale, template=layout(logo=image))
    assert receipt.layout.logo_path == ""
    assert render_pdf(receipt).startswith(b"%PDF")


# --------------------------------------------------------------------------- ESC/POS


def test_escpos_bytes_contain_the_lines_the_total_and_a_cut(sale):
    data = render_escpos(receipt_for_sale(sale))
    assert data.startswith(b"\x1b@")  # initialise
    assert b"TOTAL" in data and b"$34.70" in data
    assert b"Espresso beans 250 g" in data
    assert b"\x1dkI" in data  # Code 128 barcode command …
    assert sale.number.encode() in data
    assert data.endswith(b"\x1dV\x00")  # … and a full cut at the end


def test_escpos_qr_code_and_card_bullet(sale):
    data = render_escpos(receipt_for_sale(sale, template=layout(code="qr")))
    assert b"\x1d(k" in data  # native QR code commands
    assert b"4242" in data and b"\x95" in data  # "•" in code page 1252


def test_escpos_print_service_writes_to_a_file_printer(sale, cashier, tmp_path):
    from receipts.services import print_receipt

    target = tmp_path / "printer.bin"
    target.write_bytes(b"")
    sent = print_receipt(sale=sale, by_user=cashier, target=str(target))
    assert sent == target.stat().st_size and b"$34.70" in target.read_bytes()


def test_escpos_print_failure_is_reported_and_the_sale_untouched(sale, cashier):
    import socket

    from pos_site.errors import ServiceError
    from receipts.services import ReceiptDeliveryError, print_receipt

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = (sale.status, sale.total, sale.amount_paid)
    with pytest.raises(ReceiptDeliveryError) as error:
        print_receipt(sale=sale, by_user=cashier, target=f"127.0.0.1:{port}")
    assert error.value.code == "printer_unavailable" and error.value.status_code == 503
    sale.refresh_from_db()
    assert (sale.status, sale.total, sale.amount_paid) == before
    with pytest.raises(ServiceError) as error:
        print_receipt(sale=sale, by_user=cashier, target="")
    assert error.value.code == "no_printer"


@pytest.mark.parametrize(
    ("target", "parsed"),
    [
        ("10.0.0.5:9100", ("network", ("10.0.0.5", 9100))),
        ("tcp://printer.local", ("network", ("printer.local", 9100))),
        ("/dev/usb/lp0", ("file", "/dev/usb/lp0")),
        ("file:///var/spool/receipt.bin", ("file", "/var/spool/receipt.bin")),
    ],
)
def test_printer_targets(target, parsed):
    from receipts.renderers.escpos import parse_target

    assert parse_target(target) == parsed


# --------------------------------------------------------------------------- HTML


def test_html_receipt_page(sale, cashier_client):
    response = cashier_client.get(f"/receipts/{sale.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        sale.number,
        "Espresso beans 250 g",
        "$34.70",
        "Visa •••• 4242",
        "Standard 8.25",
        'data-action="print"',
        f'href="/receipts/{sale.number}.pdf"',
        "receipts/paper-80mm.css",
        "<svg",  # the barcode
    ):
        assert expected in html, expected
    assert response["Cache-Control"] == "private, no-store"
    # Same order as the PDF and the text: totals, tax breakdown, then payments.
    assert html.index('class="totals"') < html.index('class="taxes"')
    assert html.index('class="taxes"') < html.index('class="payments"')


@pytest.mark.parametrize(
    ("paper", "css"),
    [("58mm", "paper-58mm.css"), ("80mm", "paper-80mm.css"), ("a4", "paper-a4.css")],
)
def test_html_uses_the_paper_stylesheet(sale, cashier_client, paper, css):
    layout(paper=paper).save()
    html = cashier_client.get(f"/receipts/{sale.number}/").content.decode()
    assert css in html and f'class="paper-{paper}"' in html


def test_html_escapes_what_people_typed(sale, cashier_client):
    from receipts.models import ReceiptTemplate

    template = ReceiptTemplate.objects.get(is_default=True)
    template.header = "<p><b>Hi</b> <script>alert(1)</script><img src=x onerror=alert(2)></p>"
    template.thank_you_message = "<b>Thanks</b> {store_name}"
    template.save()
    html = cashier_client.get(f"/receipts/{sale.number}/").content.decode()
    assert "<script>alert" not in html and "onerror" not in html
    assert "<strong>Hi</strong>" in html
    assert "&lt;b&gt;Thanks&lt;/b&gt; Corner Shop" in html


def test_print_query_asks_the_page_to_print(sale, cashier_client):
    assert (
        "data-autoprint" in cashier_client.get(f"/receipts/{sale.number}/?print=1").content.decode()
    )
    assert "data-autoprint" not in cashier_client.get(f"/receipts/{sale.number}/").content.decode()


def test_pdf_view(sale, cashier_client):
    response = cashier_client.get(f"/receipts/{sale.number}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="receipt-{sale.number}.pdf"' in response["Content-Disposition"]
    assert "TOTAL $34.70" in flat(pdf_text(response.content))


def test_cash_rounding_is_shown(cashier, manager):
    from store.selectors import current_store_settings, forget_store_settings
    from tests.receipt_fixtures import simple_sale

    store = current_store_settings()
    store.cash_rounding = Decimal("0.05")
    store.save()
    forget_store_settings()
    sale = simple_sale(cashier=cashier, price="1.01")  # 1.01 + 8.25 % = 1.09 → 1.10 in cash
    receipt = receipt_for_sale(sale)
    after = {t.label: t.amount for t in receipt.after_total}
    assert after == {"Cash rounding": "$0.01", "Rounded total": "$1.10"}
    assert "Rounded total" in render_text(receipt)


@pytest.mark.parametrize("kind", ["code128", "qr"])
def test_the_sale_code_svg_draws_under_a_strict_content_security_policy(kind):
    """Style attributes are blocked by the CSP (every bar would turn black): presentation
    attributes only."""
    from receipts.renderers.codes import code_svg

    svg = code_svg("S-000123", kind)
    assert svg.startswith("<svg") and 'fill="' in svg
    assert "style=" not in svg


def test_tax_rates_are_written_in_the_store_locale(sale):
    from store.selectors import current_store_settings, forget_store_settings

    store = current_store_settings()
    store.locale = "de_DE"
    store.save()
    forget_store_settings()
    receipt = receipt_for_sale(sale)
    assert [t.label for t in receipt.taxes] == ["Reduced 2,5\xa0%", "Standard 8,25\xa0%"]
    assert "Standard 8,25\xa0%" in render_text(receipt)
