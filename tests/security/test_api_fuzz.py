"""Schemathesis against docs/openapi.yaml: no input answers a server error, for any role.

Every operation of the POS and catalog APIs is called with requests generated from the schema
(valid ones and deliberately invalid ones), authenticated with an API token as each staff role.
Path parameters are either generated or those of a real cart, sale, shift or product, so the
requests reach the code behind the lookups too. Each request runs in a rolled-back savepoint.

Bounded for CI: a few derandomized examples per operation and role, no deadline, no example
database, so a run takes the same path every time and the suite stays within its time budget.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
import schemathesis
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core import NotSet
from schemathesis.generation import GenerationMode
from wagtail.models import APIToken

pytestmark = pytest.mark.django_db

SCHEMA = schemathesis.openapi.from_path(
    Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
FUZZED_ROLES = ("cashier", "merchandiser", "manager", "superuser")
EXAMPLES_PER_ROLE = 4


def real_parameters(shop: dict) -> dict[str, object]:
    return {
        "cart_id": shop["cart"],
        "line_id": shop["line"],
        "shift_id": shop["shift"],
        "number": shop["sale"],
        "code": shop["barcode"],
    }


def real_id(operation, shop: dict) -> int:
    if "/categories/" in operation.path:
        return shop["category"]
    if "/tax-rates/" in operation.path:
        return shop["tax_rate"]
    return shop["product"]


def send(client: Client, case, token: str):
    path = case.formatted_path
    if case.query:
        path += "?" + urlencode(case.query, doseq=True)
    if isinstance(case.body, NotSet):
        body = ""
    elif isinstance(case.body, bytes):
        body = case.body
    else:
        body = json.dumps(case.body)
    return client.generic(
        case.method.upper(),
        path,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def either_mode(operation):
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


def fuzz(operation, client: Client, role: str, token: str, real: dict) -> None:
    """Run the generated examples of one operation as one role."""

    @settings(
        max_examples=EXAMPLES_PER_ROLE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=either_mode(operation), use_real_ids=st.booleans())
    def call(case, use_real_ids):
        if use_real_ids:
            case.path_parameters = {
                name: real.get(name, value) for name, value in case.path_parameters.items()
            }
        with transaction.atomic():
            response = send(client, case, token)
            transaction.set_rollback(True)
        assert response.status_code < 500, (
            f"{role}: {case.method.upper()} {case.formatted_path} query={case.query} "
            f"body={case.body!r} → {response.status_code}"
        )

    call()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_no_generated_request_gets_a_server_error(operation, users, shop):
    client = Client()
    real = {**real_parameters(shop), "id": real_id(operation, shop)}
    for role in FUZZED_ROLES:
        _, token = APIToken.create_token(user=users[role], name="fuzz")
        fuzz(operation, client, role, token, real)
