"""Shared test vectors for the money rules: carts priced by ``pos.pricing``, stored as JSON.

The register's JavaScript port (``static/pos/pricing.js``) prices the same carts offline; the
tests run it over every vector and require identical results to the cent (and identical error
codes and messages). The vectors are generated from a fixed seed, so the file is reproducible and
a test fails when it no longer matches what the Python code computes (``export_pricing_vectors``
rewrites it).
"""

from __future__ import annotations

import dataclasses
import json
import random
from decimal import Decimal
from pathlib import Path

from . import pricing

VECTORS_PATH = Path(__file__).resolve().parent.parent / "tests" / "vectors" / "pricing.json"
SEED = 20261125
COUNT = 2500

# (currency, cash rounding steps to mix in): 2, 0 and 3 decimals.
CURRENCIES = [
    ("USD", [None, "0.05", "0.10"]),
    ("EUR", [None, "0.05", "0.10"]),
    ("CHF", ["0.05", "0.10"]),
    ("JPY", [None, "5", "10"]),
    ("BHD", [None, "0.005", "0.050", "0.100"]),
    ("KWD", [None, "0.005"]),
]
TAX_RATES = ["0", "5", "7.5", "8.25", "10", "12.5", "19", "20", "21", "7.125", "33.333333", "100"]
BAD_LINES = [
    ("quantity", 0),
    ("quantity", 10000),
    ("quantity", -1),
    ("unit_price", "-1.00"),
    ("unit_price", "1E+15"),
    ("unit_price", "NaN"),
    ("unit_price", "0.0001"),
    ("tax_rate", "100.5"),
    ("tax_rate", "-1"),
    ("tax_rate", "8.1234567"),
    ("discount", "-0.5"),
    ("discount", "Infinity"),
]


def _amount(rng: random.Random, places: int, low: int, high: int) -> str:
    units = rng.randint(low, high)
    return str(Decimal(units).scaleb(-places))


def _line(rng: random.Random, index: int, places: int) -> dict:
    scale = 10**places
    price_units = rng.choice(
        [
            rng.randint(1, 20 * scale),
            rng.randint(1, 500 * scale),
            rng.randint(0, 3),
            rng.randint(1, 10**6) * max(1, scale // 100),
        ]
    )
    quantity = rng.choice([1, 1, 1, 2, 3, rng.randint(1, 12), rng.randint(1, 9999)])
    gross = price_units * quantity
    discount = 0
    if gross and rng.random() < 0.3:
        discount = rng.choice([rng.randint(0, gross), rng.randint(0, max(1, gross // 10))])
    return {
        "key": f"L{index}",
        "unit_price": str(Decimal(price_units).scaleb(-places)),
        "quantity": quantity,
        "tax_rate": rng.choice(TAX_RATES),
        "discount": str(Decimal(discount).scaleb(-places)),
    }


def _cart_discount(rng: random.Random, places: int, lines: list[dict]) -> dict | None:
    roll = rng.random()
    if roll < 0.55:
        return None
    if roll < 0.8:
        percent = rng.choice(["5", "10", "12.5", "15", "33.333333", "50", "100", "0.5", "99.99"])
        return {"kind": "percent", "value": percent}
    value = sum(
        Decimal(line["unit_price"]) * line["quantity"] - Decimal(line["discount"]) for line in lines
    )
    units = int(value.scaleb(places))
    return {
        "kind": "amount",
        "value": _amount(rng, places, 0, max(0, rng.choice([units, units // 3, 5]))),
    }


def _tenders(
    rng: random.Random, total: Decimal, currency: str, places: int, cash_step: str | None
) -> list:
    units = int(total.scaleb(places))
    rules = pricing.PricingRules(
        currency=currency, cash_rounding=Decimal(cash_step) if cash_step else None
    )
    cash_due = int(pricing.cash_due(total, rules).scaleb(places))

    def money(value: int) -> str:
        return str(Decimal(value).scaleb(-places))

    roll = rng.random()
    if units == 0:
        return [] if roll < 0.7 else [{"method": "cash", "amount": money(rng.randint(1, 100))}]
    if roll < 0.25:
        return [{"method": "cash", "amount": money(cash_due)}]
    if roll < 0.45:
        extra = rng.choice([1, 5, 10, 100, 1000]) * 10 ** max(0, places - 2) * rng.randint(1, 20)
        return [{"method": "cash", "amount": money(cash_due + extra)}]
    if roll < 0.55:
        return [{"method": "card", "amount": money(units)}]
    if roll < 0.65 and units > 1:
        part = rng.randint(1, units - 1)
        method = rng.choice(["card", "other"])
        return [
            {"method": method, "amount": money(part)},
            {"method": "cash", "amount": money(units - part + rng.randint(0, 10**places * 5))},
        ]
    if roll < 0.72 and units > 1:
        part = rng.randint(1, units - 1)
        return [
            {"method": "cash", "amount": money(part)},
            {"method": "cash", "amount": money(cash_due - part + rng.randint(0, 10**places))},
        ]
    if roll < 0.78:
        return [{"method": "other", "amount": money(units)}]
    # Deliberately wrong payments: short, too much card, a stray tender, an unknown method.
    return rng.choice(
        [
            [{"method": "cash", "amount": money(max(1, cash_due - rng.randint(1, 10**places)))}],
            [{"method": "card", "amount": money(units + rng.randint(1, 100))}],
            [{"method": "card", "amount": money(units)}, {"method": "cash", "amount": money(1)}],
            [
                {"method": "cash", "amount": money(cash_due)},
                {"method": "cash", "amount": money(1)},
            ],
            [{"method": "voucher", "amount": money(units)}],
            [{"method": "cash", "amount": "0"}],
            [{"method": "cash", "amount": "-1"}],
            [],
            [{"method": "other", "amount": money(max(1, units - 1))}],
        ]
    )


def _error(error: pricing.PricingError) -> dict:
    key = error.key
    return {"code": error.code, "message": error.message, "key": key}


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _expected(vector: dict) -> dict:
    source = vector["rules"]
    try:
        rules = pricing.PricingRules(
            currency=source["currency"],
            prices_include_tax=source["prices_include_tax"],
            tax_per_line=source["tax_per_line"],
            cash_rounding=None
            if source["cash_rounding"] is None
            else Decimal(source["cash_rounding"]),
        )
    except pricing.PricingError as error:
        return {"error": {"stage": "rules", **_error(error)}}
    lines = [
        pricing.LineInput(
            key=line["key"],
            unit_price=Decimal(line["unit_price"]),
            quantity=line["quantity"],
            tax_rate=Decimal(line["tax_rate"]),
            discount=Decimal(line["discount"]),
        )
        for line in vector["lines"]
    ]
    discount = vector["cart_discount"]
    try:
        cart = pricing.price_cart(
            lines,
            rules,
            None
            if discount is None
            else pricing.CartDiscount(kind=discount["kind"], value=Decimal(discount["value"])),
        )
    except pricing.PricingError as error:
        return {"error": {"stage": "price", **_error(error)}}
    result: dict = {"cart": _plain(dataclasses.asdict(cart))}
    tenders = [
        pricing.TenderInput(method=item["method"], amount=Decimal(item["amount"]))
        for item in vector["tenders"]
    ]
    try:
        settlement = pricing.settle_tenders(cart.total, tenders, rules)
    except pricing.PricingError as error:
        result["error"] = {"stage": "settle", **_error(error)}
    else:
        result["settlement"] = _plain(dataclasses.asdict(settlement))
    result["cash_due"] = str(pricing.cash_due(cart.total, rules))
    return result


def _vector(rng: random.Random, number: int) -> dict:
    currency, steps = rng.choice(CURRENCIES)
    places = pricing.currency_places(currency)
    cash_step = rng.choice(steps)
    rules = {
        "currency": currency,
        "currency_places": places,
        "prices_include_tax": rng.random() < 0.5,
        "tax_per_line": rng.random() < 0.5,
        "cash_rounding": cash_step,
    }
    count = rng.choice([1, 1, 2, 2, 3, 4, 5, rng.randint(1, 15)])
    lines = [_line(rng, index, places) for index in range(1, count + 1)]
    cart_discount = _cart_discount(rng, places, lines)
    if rng.random() < 0.04:  # one bad line
        field, value = rng.choice(BAD_LINES)
        rng.choice(lines)[field] = value
    if rng.random() < 0.01:
        rules["cash_rounding"] = rng.choice(["0", "-0.05", "0.001" if places < 3 else "0.0001"])
    vector = {"id": number, "rules": rules, "lines": lines, "cart_discount": cart_discount}
    if vector["cart_discount"] and rng.random() < 0.01:
        vector["cart_discount"] = {"kind": "coupon", "value": "1"}
    preview = _expected({**vector, "tenders": []})  # sizes realistic payments
    total = Decimal(preview.get("cart", {}).get("total", "0"))
    step = rules["cash_rounding"] if "cart" in preview else None
    vector["tenders"] = _tenders(rng, total, currency, places, step)
    return vector


def build_vectors(count: int = COUNT, seed: int = SEED) -> dict:
    rng = random.Random(seed)  # noqa: S311  # nosec B311 - test data, not secrets
    vectors = []
    for number in range(1, count + 1):
        vector = _vector(rng, number)
        vector["expected"] = _expected(vector)
        vectors.append(vector)
    return {
        "generator": "python manage.py export_pricing_vectors (pos/pricing_vectors.py)",
        "seed": seed,
        "vectors": vectors,
    }


def render(data: dict) -> str:
    """One vector per line: a readable diff when the rules change, a file of modest size."""
    head = {key: value for key, value in data.items() if key != "vectors"}
    lines = [json.dumps(vector, separators=(",", ":")) for vector in data["vectors"]]
    body = ",\n".join(lines)
    prefix = json.dumps(head, indent=1)[:-2]
    return f'{prefix},\n "vectors": [\n{body}\n]}}\n'
