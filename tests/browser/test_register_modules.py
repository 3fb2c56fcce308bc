"""The register's JavaScript helpers, run in the browser itself (no Node needed)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONEY = """async (config) => {
    const { createMoney } = await import("/static/pos/money.js");
    const money = createMoney(config);
    const safe = (fn) => {
        try {
            return fn();
        } catch {
            return "error";
        }
    };
    const inputs = ["20", "20.5", "12.34", "1,000", "$20", "12.340", "12.345", "abc", "", "-3"];
    return {
        parsed: inputs.map((text) => money.fromInput(text)),
        api: [
            safe(() => money.fromApi("12.50")),
            money.toApi(1234),
            money.toApi(5),
            money.toApi(-250),
        ],
        text: money.text(123456),
        cash: [1002, 1003, 1007, 1008].map((units) => money.roundCash(units)),
        quick: [money.quickAmounts(1235), money.quickAmounts(2000), money.quickAmounts(0)],
    };
}"""


def test_money_parses_what_cashiers_type_in_minor_units(page, live_server):
    page.goto("/login/")
    result = page.evaluate(
        MONEY,
        {"currency": "USD", "locale": "en-US", "currency_places": 2, "cash_rounding": "0.05"},
    )
    assert result["parsed"] == [2000, 2050, 1234, 100000, 2000, 1234, None, None, None, -300]
    assert result["api"] == [1250, "12.34", "0.05", "-2.50"]
    assert result["text"] == "$1,234.56"
    assert result["cash"] == [1000, 1005, 1005, 1010]  # half-up to 0.05, as the server does
    assert result["quick"] == [[1235, 1300, 1500, 2000, 5000], [2000, 5000, 10000], []]


def test_money_in_a_currency_without_cents_and_a_comma_locale(page, live_server):
    page.goto("/login/")
    yen = page.evaluate(
        MONEY, {"currency": "JPY", "locale": "ja-JP", "currency_places": 0, "cash_rounding": "1"}
    )
    assert yen["parsed"][:3] == [20, None, None]  # no decimals in yen
    assert yen["api"][:2] == ["error", "1234"]  # the server never sends yen with cents
    euro = page.evaluate(
        MONEY, {"currency": "EUR", "locale": "de-DE", "currency_places": 2, "cash_rounding": "0.01"}
    )
    assert euro["parsed"][:4] == [2000, 2050, 1234, 100]  # "1,000" is one euro in German
    assert euro["text"] == "1.234,56\u00a0€"
