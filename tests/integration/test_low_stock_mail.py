"""Low-stock mail is sent after the sale commits, never holds or breaks the sale, and gives up
on a mail server that does not answer (EMAIL_TIMEOUT)."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from pos import inventory
from pos.models import LowStockAlert, Sale
from tests import factories
from tests.integration.test_settings import manage

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    """A mail server that is down: every send raises."""

    def send_messages(self, email_messages):
        raise OSError("SMTP server unreachable")


@pytest.fixture
def manager_with_mail(manager):
    manager.email = "max@example.com"
    manager.save()
    return manager


def test_checkout_below_threshold_with_a_broken_mail_server_still_sells(
    cashier, cashier_client, manager_with_mail, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.integration.test_low_stock_mail.BrokenBackend"
    factories.open_shift(cashier)
    beans = factories.product("Beans", "10.00", stock=5, threshold=3)
    cart = cashier_client.post("/api/v1/carts/", {}, content_type="application/json").json()
    cashier_client.post(
        f"/api/v1/carts/{cart['id']}/lines/",
        {"product": beans.pk, "quantity": 3},
        content_type="application/json",
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = cashier_client.post(
            f"/api/v1/carts/{cart['id']}/checkout/",
            {
                "idempotency_key": str(uuid.uuid4()),
                "payments": [{"method": "cash", "amount": "40.00"}],
            },
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert callbacks  # the mail was attempted after the commit, and failed
    assert "Could not send the low-stock e-mail" in caplog.text
    assert Sale.objects.filter(number=response.json()["number"]).exists()
    beans.refresh_from_db()
    assert beans.quantity_on_hand == 2
    assert LowStockAlert.objects.filter(product=beans, cleared_at__isnull=True).count() == 1


def test_rolled_back_transaction_sends_no_mail(
    manager_with_mail, django_capture_on_commit_callbacks
):
    beans = factories.product("Beans", "10.00", stock=5, threshold=3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            inventory.sync_low_stock_alerts({beans.pk: (2, 3)})
            raise RuntimeError("the sale failed after the alert was raised")
    assert callbacks == [] and mail.outbox == []
    assert not LowStockAlert.objects.exists()


def test_smtp_connections_time_out(settings):
    assert settings.EMAIL_TIMEOUT == 10
    smtp = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert smtp.timeout == 10


def test_email_timeout_comes_from_the_environment():
    code = "from django.conf import settings; print(settings.EMAIL_TIMEOUT)"
    result = manage("shell", "-c", code, EMAIL_TIMEOUT="3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "3"
