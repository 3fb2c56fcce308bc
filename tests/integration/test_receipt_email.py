"""Emailing receipts: service, API and the managers' admin page."""

from io import BytesIO
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from pos_site.errors import NotFoundError, ServiceError
from receipts.services import ReceiptDeliveryError, email_receipt

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.receipt_fixtures"]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_email_has_text_body_pdf_attachment_and_signed_link(sale, cashier):
    sent = email_receipt(sale=sale, to=" ann@example.com ", by_user=cashier)
    assert sent.to == "ann@example.com"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann@example.com"]
    assert message.subject == f"Your receipt {sale.number} from Corner Shop"
    assert "TOTAL" in message.body and "$34.70" in message.body
    assert "Visa •••• 4242" in message.body and "4242424242424242" not in message.body
    assert sent.link in message.body and "/receipts/link/" in sent.link
    ((name, content, mimetype),) = message.attachments
    assert name == f"receipt-{sale.number}.pdf" and mimetype == "application/pdf"
    assert "$34.70" in PdfReader(BytesIO(content)).pages[0].extract_text()
    path = sent.link[sent.link.index("/receipts/") :]
    assert Client().get(path).status_code == 200


@pytest.mark.parametrize(
    "address",
    [
        "",
        "not-an-address",
        "a@b",
        "ann@example.com, bob@example.com",
        "x@example.com\nBcc: y@z.com",
    ],
)
def test_invalid_addresses_are_rejected(sale, cashier, address):
    with pytest.raises(ServiceError) as error:
        email_receipt(sale=sale, to=address, by_user=cashier)
    assert error.value.code in {"invalid_email", "email_missing"}
    assert mail.outbox == []


def test_mail_failure_is_reported_and_the_sale_untouched(sale, cashier):
    before = (sale.status, sale.total, sale.amount_paid, sale.change_given)
    with (
        mock.patch(
            "django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("no smtp")
        ),
        pytest.raises(ReceiptDeliveryError) as error,
    ):
        email_receipt(sale=sale, to="ann@example.com", by_user=cashier)
    assert error.value.code == "email_failed" and "sale is saved" in error.value.message
    sale.refresh_from_db()
    assert (sale.status, sale.total, sale.amount_paid, sale.change_given) == before


def test_only_who_may_see_the_receipt_may_email_it(sale, other_cashier, manager):
    with pytest.raises(NotFoundError):
        email_receipt(sale=sale, to="ann@example.com", by_user=other_cashier)
    email_receipt(sale=sale, to="ann@example.com", by_user=manager)
    assert len(mail.outbox) == 1


# --------------------------------------------------------------------------- API


def api_email(client, number, email):
    return client.post(
        f"/api/v1/sales/{number}/email-receipt/", {"email": email}, content_type="application/json"
    )


def test_api_emails_the_receipt(sale, cashier_client):
    response = api_email(cashier_client, sale.number, "ann@example.com")
    assert response.status_code == 200
    assert response.json() == {
        "detail": f"Receipt {sale.number} sent to ann@example.com.",
        "number": sale.number,
        "email": "ann@example.com",
    }
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments


def test_api_rejects_a_bad_address_with_the_error_format(sale, cashier_client):
    response = api_email(cashier_client, sale.number, "nope")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_email"
    assert "not a valid email address" in response.json()["detail"]


def test_api_reports_mail_failures_as_503(sale, cashier_client):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("down")):
        response = api_email(cashier_client, sale.number, "ann@example.com")
    assert response.status_code == 503 and response.json()["code"] == "email_failed"


def test_api_permissions(sale, other_cashier, merchandiser, manager):
    assert api_email(Client(), sale.number, "a@example.com").status_code in (401, 403)
    assert api_email(client_for(merchandiser), sale.number, "a@example.com").status_code == 403
    response = api_email(client_for(other_cashier), sale.number, "a@example.com")
    assert response.status_code == 404 and response.json()["code"] == "receipt_not_found"
    assert api_email(client_for(manager), sale.number, "a@example.com").status_code == 200
    assert api_email(client_for(manager), "S-999999", "a@example.com").status_code == 404
    assert len(mail.outbox) == 1


def test_api_needs_csrf_with_session_auth(sale, cashier):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cashier)
    assert api_email(client, sale.number, "a@example.com").status_code == 403
    assert mail.outbox == []


def test_api_prints_to_the_configured_printer(sale, cashier_client, settings, tmp_path):
    target = tmp_path / "lp0"
    target.write_bytes(b"")
    settings.RECEIPT_PRINTER = str(target)
    response = cashier_client.post(f"/api/v1/sales/{sale.number}/print-receipt/")
    assert response.status_code == 200 and b"$34.70" in target.read_bytes()
    settings.RECEIPT_PRINTER = ""
    response = cashier_client.post(f"/api/v1/sales/{sale.number}/print-receipt/")
    assert response.status_code == 400 and response.json()["code"] == "no_printer"


# --------------------------------------------------------------------------- admin


def test_managers_find_reprint_and_email_in_the_admin(sale, manager_client):
    page = manager_client.get("/admin/receipts/find/")
    assert page.status_code == 200 and sale.number in page.content.decode()  # latest sales
    found = manager_client.get("/admin/receipts/find/", {"number": sale.number.lower()})
    html = found.content.decode()
    assert found.status_code == 200 and "$34.70" in html
    assert f"/receipts/{sale.number}/?print=1" in html and f"/receipts/{sale.number}.pdf" in html
    missing = manager_client.get("/admin/receipts/find/", {"number": "S-424242"})
    assert "No sale or refund numbered S-424242" in missing.content.decode()

    bad = manager_client.post(
        "/admin/receipts/find/", {"number": sale.number, "action": "email", "email": "x@"}
    )
    assert bad.status_code == 400 and "not a valid email address" in bad.content.decode()
    response = manager_client.post(
        "/admin/receipts/find/",
        {"number": sale.number, "action": "email", "email": "ann@example.com"},
        follow=True,
    )
    assert f"Receipt {sale.number} emailed to ann@example.com" in response.content.decode()
    assert len(mail.outbox) == 1


def test_managers_find_a_refund_by_its_number_in_the_admin(refund, sale, manager_client):
    found = manager_client.get("/admin/receipts/find/", {"number": refund.number.lower()})
    html = found.content.decode()
    assert found.status_code == 200, html
    assert f"Refund {refund.number}" in html and sale.number in html
    assert f"/receipts/{refund.number}/?print=1" in html
    assert f"/receipts/{refund.number}.pdf" in html
    response = manager_client.post(
        "/admin/receipts/find/",
        {"number": refund.number, "action": "email", "email": "ann@example.com"},
        follow=True,
    )
    assert f"Receipt {refund.number} emailed to ann@example.com" in response.content.decode()
    assert len(mail.outbox) == 1 and refund.number in mail.outbox[0].subject
    missing = manager_client.get("/admin/receipts/find/", {"number": "R-424242"})
    assert "No sale or refund numbered R-424242" in missing.content.decode()


def refused(response) -> bool:
    """Wagtail answers an admin user without the permission with a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def test_find_a_receipt_is_for_managers_only(sale, cashier_client, merchandiser_client):
    assert cashier_client.get("/admin/receipts/find/").status_code == 403
    assert refused(merchandiser_client.get("/admin/receipts/find/"))
    response = merchandiser_client.post(
        "/admin/receipts/find/", {"number": sale.number, "email": "a@example.com"}
    )
    assert refused(response) and mail.outbox == []
