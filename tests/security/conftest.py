"""Security-suite fixtures: a small shop with one object of every kind a URL can point at."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import APIToken, Site

from catalog import services as catalog_services
from pos import services as pos_services
from pos.models import OfflineSale, StockMovement
from pos.refunds import RefundLineRequest, refund_sale
from receipts.links import make_token
from receipts.models import ReceiptTemplate
from tests import factories
from tests.conftest import client_for

ROLES = ("anonymous", "cashier", "merchandiser", "manager", "superuser")


@pytest.fixture
def role_clients(users):
    """A logged-in (session) client per role, plus an anonymous one."""
    clients = {role: client_for(user) for role, user in users.items()}
    return {"anonymous": Client(), **clients}


@pytest.fixture
def shop(users):
    """The cashier's open shift with a sale, a refund of it, a cart with a line, and the
    catalog and back-office objects the admin URLs take (ids filled into URL templates)."""
    cashier, merchandiser = users["cashier"], users["merchandiser"]
    shift = factories.open_shift(cashier)
    product = factories.product("Espresso beans", "10.00", stock=40)
    sale = factories.sale(cashier, (product, 2))
    refund = refund_sale(
        sale=sale,
        lines=[RefundLineRequest(sale.lines.get().pk, 1, True)],
        idempotency_key=uuid.uuid4(),
        user=users["manager"],
        reason="changed their mind",
    ).refund
    cart, _ = pos_services.open_cart(user=cashier)
    pos_services.add_to_cart(cart=cart, product_id=product.pk, quantity=1)
    revision = product.save_revision(user=merchandiser)
    category_revision = product.category.save_revision(user=merchandiser)
    pending = catalog_services.save_pending_import(
        b"sku,name\n", user=merchandiser, filename="products.csv"
    )
    # The admin's offline-sales listing row for the sale (as if it had synced from offline), so
    # its edit/delete URLs meet an existing object; no second sale is made.
    offline = OfflineSale.objects.create(
        sale=sale,
        client_id=sale.idempotency_key,
        provisional_number="OFF-1-0001",
        fingerprint="0" * 64,
        client_total=sale.total,
        catalog_total=sale.total,
        price_difference=sale.total * 0,
    )
    return {
        "product": product.pk,
        "offline_sale": offline.pk,
        "category": product.category_id,
        "tax_rate": product.tax_rate_id,
        "revision": revision.pk,
        "category_revision": category_revision.pk,
        "sale": sale.number,
        "sale_pk": sale.pk,
        "refund": refund.number,
        "refund_pk": refund.pk,
        "shift": shift.pk,
        "cart": cart.pk,
        "line": cart.lines.get().pk,
        "template": ReceiptTemplate.objects.get(is_default=True).pk,
        "movement": StockMovement.objects.order_by("pk").first().pk,
        "import": pending.pk,
        "token": make_token(sale.number),
        "barcode": product.barcode,
        "site": Site.objects.get(is_default_site=True).pk,
        "user": cashier.pk,
        "superuser_pk": users["superuser"].pk,
        "group": Group.objects.get(name="Cashiers").pk,
        "api_token": APIToken.create_token(user=users["manager"], name="back office")[0].pk,
        "objects": {"sale": sale, "refund": refund, "product": product, "shift": shift},
    }
