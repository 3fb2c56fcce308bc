"""docs/api.md's selling walk-through, run as written against a live server.

The shell blocks of the section are joined into one bash script. Only the set-up lines that
depend on the machine change: the token (made here, as `manage.py api_tokens create` would),
the server address and the manager's password. `curl` fails on any HTTP error, so a step that
stops working in the docs fails this test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from wagtail.models import APIToken

from pos.models import Refund, Register, Sale, Shift
from tests import factories
from tests.conftest import PASSWORD, make_user

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("curl"), reason="curl is not installed"),
]


def walkthrough_script() -> str:
    text = DOC.read_text()
    section = text[text.index("## Selling:") : text.index("### Test cards")]
    return "\n".join(re.findall(r"```sh\n(.*?)```", section, re.S))


def test_the_selling_walkthrough_works_as_documented(live_server):
    # As after other tests flushed the database: the till is not register 1.
    Register.objects.update(is_active=False)
    Register.objects.create(name="Front counter")
    cashier = make_user("cashier", "Cashiers")
    make_user("manager", "Managers")
    for barcode in ("2000000000015", "2000000000022"):
        factories.product(price="3.40", stock=20, barcode=barcode)
    _, token = APIToken.create_token(user=cashier, name="walk-through")

    script = walkthrough_script()
    script = re.sub(r"^TOKEN=.*$", f"TOKEN={token}", script, count=1, flags=re.M)
    script = re.sub(r"^API=.*$", f"API={live_server.url}/api/v1", script, count=1, flags=re.M)
    script = re.sub(r"^MANAGER_PASSWORD=.*$", f"MANAGER_PASSWORD={PASSWORD}", script, flags=re.M)
    prelude = 'set -euo pipefail\ncurl() { command curl --fail-with-body --max-time 20 "$@"; }\n'
    result = subprocess.run(  # noqa: S603
        ["bash", "-c", prelude + script],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "sold S-000001" in result.stdout
    sale = Sale.objects.get(number="S-000001")
    assert [p.method for p in sale.payments.all()] == ["card", "cash"]
    assert sale.lines.count() == 2 and sale.item_count == 4
    refund = Refund.objects.get()
    assert refund.approved_by.username == "manager"
    assert Shift.objects.get().status == Shift.Status.CLOSED
