"""Shift reports as documents: printable HTML and A4 PDF, X while open, Z once closed."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from pos.shifts import close_shift, record_cash_movement
from tests import factories
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(cashier):
    """Float 100.00; sales 21.65 cash and 216.50 card; 20.00 paid out → 101.65 expected."""
    shift = factories.open_shift(cashier, opening_float="100.00")
    a = factories.product("Filter papers", "10.00", stock=50)
    b = factories.product("Grinder", "200.00", stock=5)
    factories.sale(cashier, (a, 2), payments=[("cash", "50.00")])
    factories.sale(cashier, (b, 1), payments=[("card", "216.50")])
    record_cash_movement(
        shift=shift, kind="pay_out", amount="20.00", reason="window cleaner", user=cashier
    )
    return shift


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    return "\n".join(page.extract_text() for page in reader.pages)


def test_cashier_prints_the_x_report_of_their_open_shift(cashier_client, day):
    response = cashier_client.get(f"/shifts/{day.pk}/report/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert "X report" in html and f"Shift #{day.pk}" in html and "Register 1" in html
    assert "$238.15" in html  # sales total 21.65 + 216.50
    assert "$18.15" in html  # tax at 8.25 %: 1.65 + 16.50
    assert "Tax 8.25 %" in html and "$20.00" in html and "$101.65" in html
    assert f'href="/shifts/{day.pk}/report.pdf"' in html
    assert "Counted cash" not in html

    text = pdf_text(cashier_client.get(f"/shifts/{day.pk}/report.pdf"))
    assert "X report" in text and f"Shift #{day.pk}" in text
    for figure in ("$238.15", "$18.15", "$101.65", "$216.50", "Register 1"):
        assert figure in text, figure


def test_closed_shift_prints_its_frozen_z_report(cashier, cashier_client, manager_client, day):
    close_shift(shift=day, counted_cash="101.00", user=cashier)
    html = manager_client.get(f"/shifts/{day.pk}/report/").content.decode()
    assert "Z report" in html and "X report" not in html
    assert "Counted cash" in html and "$101.00" in html and "−$0.65" in html
    # a sale on a new shift does not change the closed shift's report
    factories.open_shift(cashier)
    factories.sale(cashier, (factories.product("Late", "5.00"), 1))
    response = cashier_client.get(f"/shifts/{day.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="shift-{day.pk}-z-report.pdf"'
    text = pdf_text(response)
    assert "Z report" in text and "$238.15" in text and "−$0.65" in text
    assert "$101.00" in text and "$101.65" in text


def test_only_the_shifts_cashier_and_managers_get_the_report(
    client, manager_client, merchandiser_client, superuser, day
):
    other = client_for(make_user("olive", "Cashiers"))
    for suffix in ("report/", "report.pdf"):
        url = f"/shifts/{day.pk}/{suffix}"
        assert manager_client.get(url).status_code == 200
        assert client_for(superuser).get(url).status_code == 200
        assert other.get(url).status_code == 404
        assert merchandiser_client.get(url).status_code == 404
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert manager_client.get("/shifts/999999/report/").status_code == 404
    assert manager_client.get("/shifts/999999/report.pdf").status_code == 404


def test_shift_inspect_links_the_reports(manager_client, day):
    html = manager_client.get(f"/admin/pos/shift/inspect/{day.pk}/").content.decode()
    assert f'href="/shifts/{day.pk}/report/"' in html
    assert f'href="/shifts/{day.pk}/report.pdf"' in html
    assert "X report (print)" in html and "$101.65" in html


def test_empty_shift_report(cashier_client, cashier):
    shift = factories.open_shift(cashier, opening_float="50.00")
    html = cashier_client.get(f"/shifts/{shift.pk}/report/").content.decode()
    assert "No payments taken" in html and "No tax collected" in html and "$50.00" in html
    text = pdf_text(cashier_client.get(f"/shifts/{shift.pk}/report.pdf"))
    assert "No payments taken." in text and "$50.00" in text
