"""Sign-in throttling (django-axes), idle sign-out, password rules, sign-out on password change."""

from __future__ import annotations

import time
import uuid

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from pos.models import Refund
from tests import factories
from tests.conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_account_on_that_device(settings, cashier):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, cashier.username, "wrong-password").status_code == 200
    locked = sign_in(client, cashier.username, "wrong-password")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode() and "15 minutes" in locked.content.decode()
    # Even the right password is refused until the cool-off ends.
    assert sign_in(client, cashier.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # Another device (address) is not locked out by this one.
    elsewhere = Client(REMOTE_ADDR="10.0.0.7")
    assert sign_in(elsewhere, cashier.username, PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count(settings, cashier):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, cashier.username, "wrong-password")
    assert sign_in(client, cashier.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, cashier.username, "wrong-password").status_code == 200


def test_manager_approval_on_the_register_is_throttled_too(settings, cashier, manager):
    factories.open_shift(cashier)
    sale = factories.sale(cashier, (factories.product("Beans", "10.00", stock=9), 1))
    client = client_for(cashier)

    def approve(password: str):
        return client.post(
            f"/api/v1/sales/{sale.number}/refunds/",
            {
                "idempotency_key": str(uuid.uuid4()),
                "lines": [{"line": sale.lines.get().pk, "quantity": 1}],
                "approver": {"username": manager.username, "password": password},
            },
            content_type="application/json",
        )

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert approve("guess").json()["code"] == "approval_failed"
    assert approve("guess").json()["code"] == "approval_locked"
    response = approve(PASSWORD)
    assert response.status_code == 403 and response.json()["code"] == "approval_locked"
    assert not Refund.objects.exists()


def test_an_idle_session_is_signed_out(settings, cashier):
    settings.SESSION_IDLE_TIMEOUT = 600
    client = client_for(cashier)
    assert client.get("/register/").status_code == 200
    session = client.session
    session["_last_activity"] = int(time.time()) - 601
    session.save()
    response = client.get("/register/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    page = client.get(response["Location"])
    assert "signed out after 10 minutes without activity" in page.content.decode()


def test_an_active_session_stays_signed_in(settings, cashier):
    settings.SESSION_IDLE_TIMEOUT = 600
    client = client_for(cashier)
    session = client.session
    session["_last_activity"] = int(time.time()) - 590
    session.save()
    assert client.get("/register/").status_code == 200
    assert client.session["_last_activity"] >= int(time.time()) - 5  # refreshed


def test_changing_the_password_signs_out_other_sessions(cashier):
    client = Client()
    assert sign_in(client, cashier.username, PASSWORD).status_code == 302
    assert client.get("/register/").status_code == 200
    cashier.set_password("a-new-long-passphrase-42")
    cashier.save()
    assert client.get("/register/").status_code == 302


@pytest.mark.parametrize("weak", ["short", "password123", "1234567890123", "qwertyuiop"])
def test_weak_passwords_are_refused(weak):
    user = make_user("casey")
    with pytest.raises(ValidationError):
        validate_password(weak, user)


def test_changing_the_password_in_the_admin_keeps_this_session_and_ends_the_others(manager):
    here, elsewhere = Client(), Client(REMOTE_ADDR="10.0.0.8")
    for client in (here, elsewhere):
        assert sign_in(client, manager.username, PASSWORD).status_code == 302
    new = "a-new-long-passphrase-42"
    response = here.post(
        "/admin/account/",
        {
            "password-old_password": PASSWORD,
            "password-new_password1": new,
            "password-new_password2": new,
            # The account page saves all its panels at once; these keep the others as they are.
            "name_email-email": manager.email or "manager@example.com",
            "name_email-first_name": manager.first_name or "Morgan",
            "name_email-last_name": manager.last_name or "Lee",
            "locale-preferred_language": "en",
            "locale-current_time_zone": "",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    manager.refresh_from_db()
    assert manager.check_password(new)
    assert here.get("/admin/").status_code == 200  # update_session_auth_hash kept this one
    assert elsewhere.get("/admin/").status_code == 302  # the other device is signed out


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        (0, "10.0.0.1", "203.0.113.9", "10.0.0.1"),  # no proxy: the header is the client's
        (1, "10.0.0.1", "203.0.113.9", "203.0.113.9"),  # what our proxy saw
        (1, "10.0.0.1", "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # forged entry ignored
        (2, "10.0.0.1", "198.51.100.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "10.0.0.1", "", "10.0.0.1"),  # header missing: the connection's address
    ],
)
def test_client_address_behind_trusted_proxies(settings, proxies, remote, forwarded, expected):
    from django.test import RequestFactory

    from pos_site.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_a_proxy_one_client_cannot_lock_out_another(settings, cashier):
    settings.TRUSTED_PROXY_COUNT = 1
    stranger = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(stranger, cashier.username, "wrong-password")
    assert sign_in(stranger, cashier.username, PASSWORD).status_code == 429
    till = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert sign_in(till, cashier.username, PASSWORD).status_code == 302
