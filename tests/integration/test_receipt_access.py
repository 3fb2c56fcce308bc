"""Who may open a receipt: never the world (sale numbers are guessable)."""

import time
from unittest import mock

import pytest
from django.test import Client

from receipts import links
from receipts.selectors import can_view_receipt

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.receipt_fixtures"]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("suffix", ["/", ".pdf"])
def test_anonymous_is_sent_to_the_login_page(sale, suffix):
    url = f"/receipts/{sale.number}{suffix}"
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("suffix", ["/", ".pdf"])
def test_cashier_opens_own_receipts_only(sale, cashier, other_cashier, suffix):
    url = f"/receipts/{sale.number}{suffix}"
    assert client_for(cashier).get(url).status_code == 200
    assert client_for(other_cashier).get(url).status_code == 404
    assert can_view_receipt(cashier, sale) and not can_view_receipt(other_cashier, sale)


def test_cashier_loses_access_when_the_shift_closes(sale, cashier, manager):
    from pos.shifts import close_shift

    close_shift(shift=sale.shift, counted_cash="0", user=cashier)
    sale.refresh_from_db()
    assert client_for(cashier).get(f"/receipts/{sale.number}/").status_code == 404
    assert not can_view_receipt(cashier, sale)
    assert client_for(manager).get(f"/receipts/{sale.number}/").status_code == 200


@pytest.mark.parametrize("suffix", ["/", ".pdf"])
def test_managers_open_every_receipt(sale, manager, suffix):
    assert client_for(manager).get(f"/receipts/{sale.number}{suffix}").status_code == 200


def test_roles_without_receipts_are_refused(sale, merchandiser):
    assert client_for(merchandiser).get(f"/receipts/{sale.number}/").status_code == 403


def test_unknown_and_malformed_numbers(cashier_client):
    assert cashier_client.get("/receipts/S-999999/").status_code == 404
    assert cashier_client.get("/receipts/not a number/").status_code == 404
    assert cashier_client.get("/receipts/S-1;DROP/").status_code == 404


def test_signed_link_works_without_login(sale):
    path = links.link_path(sale.number)
    response = Client().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert sale.number in html and "$34.70" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    pdf_path = path.rstrip("/") + ".pdf"
    assert pdf_path in html
    pdf = Client().get(pdf_path)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_signed_link_expires(sale, settings):
    settings.RECEIPT_LINK_MAX_AGE = 3600
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 3601):
        old = links.link_path(sale.number)
    response = Client().get(old)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert Client().get(old.rstrip("/") + ".pdf").status_code == 410
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 3500):
        recent = links.link_path(sale.number)
    assert Client().get(recent).status_code == 200


def test_forged_links_are_refused(sale, other_cashier):
    from tests.receipt_fixtures import simple_sale

    other = simple_sale(cashier=other_cashier)
    token = links.make_token(sale.number)
    forged = token.replace(sale.number, other.number, 1)
    assert Client().get(f"/receipts/link/{forged}/").status_code == 404
    assert Client().get(f"/receipts/link/{sale.number}:abc:def/").status_code == 404
    # A token signed for something else (another salt) is not a receipt link.
    from django.core import signing

    foreign = signing.TimestampSigner(salt="other").sign(sale.number)
    assert Client().get(f"/receipts/link/{foreign}/").status_code == 404
