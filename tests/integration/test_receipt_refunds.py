"""Refund and void receipts: the same renderers, marked as such, naming the original sale."""

import re
from io import BytesIO

import pytest
from django.test import Client
from pypdf import PdfReader

from receipts import links
from receipts.renderers.escpos import render_escpos
from receipts.renderers.pdf import render_pdf
from receipts.renderers.text import render_text
from receipts.selectors import receipt_for_refund

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.receipt_fixtures"]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_refund_receipt_data(refund, sale):
    receipt = receipt_for_refund(refund)
    assert receipt.is_refund and receipt.title == "Refund"
    assert receipt.number == refund.number and refund.number.startswith("R-")
    assert receipt.original_number == sale.number
    assert [(line.name, line.quantity) for line in receipt.lines] == [
        ("Espresso beans 250 g", 1),
        ("Reusable cup", 1),
    ]
    assert receipt.total_label == "Refunded"
    assert receipt.total_amount == refund.total.amount
    # The money goes back to the card first.
    assert receipt.payments[0].label == "Visa •••• 4242"
    assert sum((p.amount for p in refund.payments.all()), start=refund.total * 0) == refund.total
    assert receipt.tax_note.startswith("Refund includes")
    assert [t.label for t in receipt.taxes] == ["Standard 8.25\xa0%"]


def test_refund_receipt_in_every_renderer(refund, sale):
    receipt = receipt_for_refund(refund)
    total = receipt.total
    text = render_text(receipt)
    assert "*** REFUND ***" in text and f"of sale {sale.number}" in text
    assert re.search(rf"^REFUNDED\s+{re.escape(total)}$", text, re.M)
    pdf = flat(PdfReader(BytesIO(render_pdf(receipt))).pages[0].extract_text())
    assert f"Of sale {sale.number}" in pdf and f"REFUNDED {total}" in pdf
    # "REFUND" once, in the title row, not a banner repeating it right above.
    assert len(re.findall(r"\bREFUND\b", pdf)) == 1
    assert f"REFUND {refund.number}" in pdf
    escpos = render_escpos(receipt)
    assert b"REFUND" in escpos and total.encode() in escpos


def test_refund_receipt_pages_and_access(refund, sale, cashier, other_cashier, manager):
    for user, status in ((manager, 200), (other_cashier, 404)):
        client = Client()
        client.force_login(user)
        assert client.get(f"/receipts/{refund.number}/").status_code == status
        assert client.get(f"/receipts/{refund.number}.pdf").status_code == status
    assert Client().get(f"/receipts/{refund.number}/").status_code == 302
    client = Client()
    client.force_login(manager)
    html = client.get(f"/receipts/{refund.number}/").content.decode()
    assert "REFUND" in html and f"of sale {sale.number}" in html and "Refunded" in html
    link = Client().get(links.link_path(refund.number))
    assert link.status_code == 200 and refund.number in link.content.decode()


def test_void_receipt(sale, manager):
    from pos.refunds import void_sale

    void = void_sale(sale=sale, user=manager).refund
    receipt = receipt_for_refund(void)
    assert receipt.title == "Void" and receipt.is_voided
    text = render_text(receipt)
    assert "*** VOID ***" in text and f"of sale {sale.number}" in text
    assert receipt.total_amount == sale.total.amount + sale.cash_rounding.amount
    assert len(receipt.lines) == 3
