"""The OpenAPI schema describes the real shapes of the shift reports and refunds: every field
a response carries is in the schema, and every required field of the schema is in it."""

from __future__ import annotations

import uuid

import pytest
import yaml

from catalog.management.commands.export_openapi import generate_openapi_yaml
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def components():
    return yaml.safe_load(generate_openapi_yaml())["components"]["schemas"]


def check(payload: dict, name: str, components: dict) -> None:
    schema = components[name]
    properties = schema["properties"]
    assert set(payload) <= set(properties), set(payload) - set(properties)
    assert set(schema.get("required", [])) <= set(payload)
    for key, value in payload.items():
        ref = properties[key].get("$ref") or properties[key].get("items", {}).get("$ref")
        if ref and isinstance(value, dict):
            check(value, ref.rsplit("/", 1)[-1], components)
        elif ref and isinstance(value, list):
            for item in value:
                check(item, ref.rsplit("/", 1)[-1], components)


def test_x_report_z_report_and_refund_match_the_schema(
    cashier, cashier_client, manager_client, components
):
    shift = factories.open_shift(cashier)
    beans = factories.product("Beans", "10.00", stock=20)
    sale = factories.sale(cashier, (beans, 2), payments=[("card", "21.65")])
    response = cashier_client.post(
        f"/api/v1/shifts/{shift.pk}/cash-movements/",
        {"kind": "pay_in", "amount": "5.00", "reason": "change"},
        content_type="application/json",
    )
    assert response.status_code == 201
    check(response.json(), "ShiftReport", components)
    refund = manager_client.post(
        f"/api/v1/sales/{sale.number}/refunds/",
        {
            "idempotency_key": str(uuid.uuid4()),
            "lines": [{"line": sale.lines.get().pk, "quantity": 1}],
        },
        content_type="application/json",
    )
    assert refund.status_code == 201
    check(refund.json(), "Refund", components)
    assert components["Refund"]["properties"]["payments"]["type"] == "array"
    x_report = cashier_client.get(f"/api/v1/shifts/{shift.pk}/report/").json()
    check(x_report, "ShiftReport", components)
    assert x_report["tenders"] and x_report["tax"]
    z_report = cashier_client.post(
        f"/api/v1/shifts/{shift.pk}/close/",
        {"counted_cash": "105.00"},
        content_type="application/json",
    ).json()
    check(z_report, "ShiftReport", components)
    assert {"counted_cash", "over_short"} <= set(z_report)
    assert {"counted_cash", "over_short"} <= set(components["ShiftReport"]["properties"])
