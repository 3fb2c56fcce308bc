"""The register's HTML shell, checked without a browser: CSP-ready markup and its config.

It lives with the browser tests because it guards what they rely on (config, element ids).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db


class Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.inline_handlers: list[str] = []
        self.style_attributes: list[str] = []
        self.ids: set[str] = set()
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        for name, _value in attrs:
            if name.startswith("on"):
                self.inline_handlers.append(f"<{tag} {name}>")
            if name == "style":
                self.style_attributes.append(f"<{tag} style>")
        if tag == "script":
            self._in_script = {**attributes, "text": ""}
            self.scripts.append(self._in_script)

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script["text"] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def page(client) -> tuple[Markup, dict]:
    response = client.get("/register/")
    assert response.status_code == 200
    markup = Markup()
    markup.feed(response.content.decode())
    config = next(s for s in markup.scripts if s.get("id") == "register-config")
    return markup, json.loads(config["text"])


def test_no_inline_script_handler_or_style_for_a_strict_csp(cashier_client):
    markup, _config = page(cashier_client)
    for script in markup.scripts:
        assert script.get("src") or script.get("type") == "application/json", script
    assert markup.inline_handlers == []
    assert markup.style_attributes == []
    assert {"search", "product-grid", "cart-lines", "pay-dialog", "help-dialog"} <= markup.ids
    assert {"sales-dialog", "refund-form", "void-form", "cash-dialog"} <= markup.ids


def test_config_carries_urls_money_rules_and_translated_messages(cashier_client):
    _markup, config = page(cashier_client)
    assert config["urls"]["carts"] == "/api/v1/carts/"
    assert config["urls"]["first_products"].startswith("/api/v1/products/?active=true")
    assert config["currency"] == "USD" and config["currency_places"] == 2
    assert re.fullmatch(r"\d+\.\d\d", config["cash_rounding"])
    assert config["can_discount"] is False
    assert config["email_receipts"] is True  # the receipts API is there
    assert config["urls"]["shift_sales"] == "/api/v1/shifts/current/sales/"
    assert config["urls"]["refunds"] == "/api/v1/refunds/"
    messages = config["messages"]
    assert messages["network"] == "Cannot reach the server; check the network and try again."
    assert messages["session"] == "Your session ended; sign in again."
    assert all(isinstance(text, str) and text for text in messages.values())


def test_discount_controls_only_for_those_allowed(cashier_client, manager_client):
    cashier_markup, cashier_config = page(cashier_client)
    manager_markup, manager_config = page(manager_client)
    assert cashier_config["can_discount"] is False
    assert "discount-button" not in cashier_markup.ids
    assert manager_config["can_discount"] is True
    assert "discount-button" in manager_markup.ids


def test_refund_and_void_need_a_managers_approval_for_a_cashier(cashier_client, manager_client):
    _markup, cashier_config = page(cashier_client)
    _markup, manager_config = page(manager_client)
    assert (cashier_config["can_refund"], cashier_config["can_void"]) == (False, False)
    assert (manager_config["can_refund"], manager_config["can_void"]) == (True, True)
