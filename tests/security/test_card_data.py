"""The card number and security code never reach the database, the logs or an error page."""

import logging
import re
import uuid

import pytest
from django.db import connection

from pos.models import Payment
from tests import factories

pytestmark = pytest.mark.django_db

NUMBER = "4242424242424242"
DECLINED = "4000000000000002"
CVC = "7391"  # four digits no other value in the shop is made of
# The code as a word of its own (not inside a longer run of digits or hex, e.g. a timestamp or
# a UUID): however it might be stored or logged — a column, cvc=7391, a JSON or repr form.
BARE_CVC = re.compile(rf"(?<![0-9a-fA-F]){CVC}(?![0-9a-fA-F])")


@pytest.fixture(autouse=True)
def shift_on_register_1(cashier):
    return factories.open_shift(cashier)


def database_dump() -> str:
    """Every row of every table, as text: what a thief with a backup would see."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def pay(client, number, expect):
    product = factories.product(price="20.00")
    cart = client.post("/api/v1/carts/", {}, content_type="application/json").json()
    client.post(
        f"/api/v1/carts/{cart['id']}/lines/",
        {"product": product.pk},
        content_type="application/json",
    )
    card = {
        "number": " ".join(number[i : i + 4] for i in range(0, 16, 4)),
        "exp_month": 11,
        "exp_year": 2034,
        "cvc": CVC,
    }
    response = client.post(
        f"/api/v1/carts/{cart['id']}/checkout/",
        {
            "idempotency_key": str(uuid.uuid4()),
            "payments": [{"method": "card", "amount": "21.65", "card": card}],
        },
        content_type="application/json",
    )
    assert response.status_code == expect, response.content
    return response


def test_card_numbers_are_nowhere_after_a_sale_and_a_decline(cashier_client, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("pos").warning("client sent %s", NUMBER)  # even a careless log line
    logging.getLogger("pos").warning("card %s", {"number": NUMBER, "cvc": CVC})
    assert BARE_CVC.search(f"cvc={CVC}") and not BARE_CVC.search(f"ts 02:07:3{CVC}5 a{CVC}")
    sold = pay(cashier_client, NUMBER, 201)
    declined = pay(cashier_client, DECLINED, 400)

    everything = database_dump() + caplog.text + sold.content.decode() + declined.content.decode()
    for secret in (NUMBER, DECLINED, "4242 4242 4242 4242"):
        assert secret not in everything
    hit = BARE_CVC.search(everything)
    assert not hit, everything[hit.start() - 300 : hit.end() + 100] if hit else ""
    payment = Payment.objects.get(method="card")
    assert payment.card_last4 == "4242" and payment.gateway_token
    assert NUMBER not in payment.gateway_token


def test_error_report_filter_masks_numbers():
    from django.test import RequestFactory

    from pos_site.logging import PanSafeExceptionReporterFilter

    request = RequestFactory().post("/x", {"number": NUMBER})
    cleaned = PanSafeExceptionReporterFilter().get_post_parameters(request)
    assert NUMBER not in str(cleaned)


def test_the_simulated_gateway_approves_nothing_in_production(cashier_client, settings):
    settings.PRODUCTION = True
    response = pay(cashier_client, NUMBER, 400)
    assert response.json()["code"] == "gateway_not_configured"
    assert not Payment.objects.exists()


def test_a_server_error_during_a_card_payment_leaks_no_card_data(
    cashier_client, caplog, settings, monkeypatch
):
    """The developer's error page (DEBUG) and the e-mail to the admins show the failing frames
    with their variables: the card number and CVC must not be among them."""
    from django.core import mail

    from pos.payments import SimulatedGateway

    def broken_charge(self, *args, **kwargs):
        raise RuntimeError("gateway timed out")

    monkeypatch.setattr(SimulatedGateway, "charge", broken_charge)
    monkeypatch.setattr(SimulatedGateway, "tokenize", broken_charge)
    settings.DEBUG = True
    settings.ADMINS = [("Ops", "ops@example.com")]
    cashier_client.raise_request_exception = False
    caplog.set_level(logging.ERROR)

    page = pay(cashier_client, NUMBER, 500)

    reports = [page.content.decode(), caplog.text]
    for message in mail.outbox:
        reports.append(message.body)
        reports.extend(str(content) for content, _ in message.alternatives)
    assert "gateway timed out" in page.content.decode()  # the report is there…
    everything = "\n".join(reports)
    for secret in (NUMBER, "4242 4242 4242 4242"):
        assert secret not in everything  # …without the card
    hit = BARE_CVC.search(everything)
    assert not hit, everything[hit.start() - 300 : hit.end() + 100] if hit else ""


def test_gateway_tokens_are_never_shown_to_cashiers(cashier, cashier_client):
    sale = pay(cashier_client, NUMBER, 201).json()
    token = Payment.objects.get(method="card").gateway_token
    answers = [
        cashier_client.get(f"/api/v1/sales/{sale['number']}/"),
        cashier_client.get("/api/v1/shifts/current/sales/"),
        cashier_client.get(f"/receipts/{sale['number']}/"),
    ]
    for response in answers:
        assert response.status_code == 200
        assert token not in response.content.decode()
    assert token not in str(sale)


@pytest.mark.parametrize(
    "text",
    [
        f"cvc={CVC}",
        f"'cvc': '{CVC}'",
        f'"cvv": {CVC}',
        f"CardDetails(cvc='{CVC}')",
        f"&#x27;cvc&#x27;: &#x27;{CVC}&#x27;",
    ],
)
def test_security_codes_are_masked_in_any_form(text):
    from pos_site.logging import mask_pans

    assert not BARE_CVC.search(mask_pans(text))
