"""GET /api/v1/catalog/snapshot/: the register's offline copy of the catalog."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import APIToken

from catalog.models import Product
from catalog.selectors import THUMBNAIL_SPEC
from catalog.testing import make_category, make_image, make_product, make_tax_rate
from pos.catalog_snapshot import FIELDS, OVERLAP
from pos.inventory import receive_stock
from pos.models import StockMovement

pytestmark = pytest.mark.django_db

SNAPSHOT = "/api/v1/catalog/snapshot/"


def get(client, **params):
    response = client.get(f"{SNAPSHOT}?{urlencode(params)}" if params else SNAPSHOT)
    assert response.status_code == 200, response.content
    return response.json()


def every_chunk(client, **params) -> list[dict]:
    chunks = [get(client, **params)]
    while chunks[-1]["next"]:
        response = client.get(chunks[-1]["next"])
        assert response.status_code == 200, response.content
        chunks.append(response.json())
    return chunks


def set_updated_at(product: Product, when) -> None:
    Product.objects.filter(pk=product.pk).update(updated_at=when)


def test_a_chunk_has_every_field_of_active_products_as_compact_rows(cashier_client):
    coffee = make_category("Coffee")
    rate = make_tax_rate("Reduced", "5.50")
    image = make_image()
    beans = make_product(
        name="Espresso beans",
        sku="COF-1",
        barcode="4006381333931",
        price="8.90",
        tax_rate=rate,
        category=coffee,
        quantity_on_hand=3,
        low_stock_threshold=5,
        image=image,
    )
    mug = make_product(name="Mug", sku="MUG-1", barcode=None, price="4.00")
    make_product(name="Retired", is_active=False)

    body = get(cashier_client)
    assert body["fields"] == list(FIELDS)
    assert body["currency"] == "USD"
    assert body["next"] is None and body["deleted"] == []
    rows = {row[0]: dict(zip(body["fields"], row, strict=True)) for row in body["rows"]}
    assert set(rows) == {beans.pk, mug.pk}  # active products only
    thumbnail = rows[beans.pk].pop("thumbnail_url")
    assert thumbnail == image.get_rendition(THUMBNAIL_SPEC).url
    assert thumbnail.startswith("/media/images/")
    assert rows[beans.pk] == {
        "id": beans.pk,
        "name": "Espresso beans",
        "sku": "COF-1",
        "barcode": "4006381333931",
        "price": "8.90",  # a string, never a float
        "tax_rate": rate.pk,
        "category": coffee.pk,
        "quantity_on_hand": 3,
        "low_stock_threshold": 5,
    }
    assert rows[mug.pk]["barcode"] == "" and rows[mug.pk]["category"] is None
    assert rows[mug.pk]["thumbnail_url"] is None
    assert [rate.pk, "Reduced", "5.50"] in body["tax_rates"]
    assert body["categories"] == [[coffee.pk, "Coffee", coffee.slug]]
    assert body["active_count"] == 2
    as_of = dt.datetime.fromisoformat(body["as_of"])
    assert abs(timezone.now() - OVERLAP - as_of) < timedelta(seconds=30)


def test_chunks_follow_each_other_in_id_order_without_gaps(cashier_client):
    products = [make_product(name=f"P{n}") for n in range(7)]
    chunks = every_chunk(cashier_client, limit=3)
    assert [len(chunk["rows"]) for chunk in chunks] == [3, 3, 1]
    assert [row[0] for chunk in chunks for row in chunk["rows"]] == [p.pk for p in products]
    # The small tables and the count come with the first chunk only.
    assert "active_count" in chunks[0] and "active_count" not in chunks[1]
    assert "after=" in chunks[0]["next"] and "limit=3" in chunks[0]["next"]


def test_updated_since_sends_changes_and_deactivated_products_to_delete(cashier_client, manager):
    old = timezone.now() - timedelta(hours=2)
    unchanged, renamed, retired, restocked = (make_product(name=f"P{n}") for n in range(4))
    for product in (unchanged, renamed, retired, restocked):
        set_updated_at(product, old)
    since = timezone.now() - timedelta(hours=1)
    # Movements made with the products (opening stock) are older than `since` too.
    StockMovement.objects.update(created_at=old)

    renamed.name = "Renamed"
    renamed.save()
    retired.is_active = False
    retired.save()
    # A delivery changes stock without touching updated_at: the movement brings it along.
    receive_stock(product=restocked, quantity=12, user=manager)
    added = make_product(name="New")

    body = get(cashier_client, updated_since=since.isoformat())
    rows = {row[0]: row for row in body["rows"]}
    assert set(rows) == {renamed.pk, restocked.pk, added.pk}
    assert rows[renamed.pk][1] == "Renamed"
    assert rows[restocked.pk][FIELDS.index("quantity_on_hand")] == 50 + 12
    assert body["deleted"] == [retired.pk]
    assert body["active_count"] == 4  # unchanged, renamed, restocked, added

    # Nothing changed since the answer's as_of but what the overlap margin sends again.
    later = get(cashier_client, updated_since=body["as_of"])
    assert {row[0] for row in later["rows"]} <= {renamed.pk, restocked.pk, added.pk}
    future = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert get(cashier_client, updated_since=future)["rows"] == []


def test_an_offset_sent_unencoded_and_a_naive_time_are_understood(cashier_client):
    make_product(name="P")
    past = (timezone.now() - timedelta(days=1)).replace(microsecond=0)
    # "+01:00" in a raw query string reads as " 01:00".
    raw = past.astimezone(dt.timezone(timedelta(hours=1))).isoformat()
    assert raw.endswith("+01:00")
    response = cashier_client.get(f"{SNAPSHOT}?updated_since={raw}")
    assert response.status_code == 200, response.content
    assert len(response.json()["rows"]) == 1
    naive = past.replace(tzinfo=None).isoformat()
    assert len(get(cashier_client, updated_since=naive)["rows"]) == 1


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"updated_since": "yesterday"}, "invalid_updated_since", "ISO 8601"),
        ({"updated_since": "2026-13-45T99:00:00Z"}, "invalid_updated_since", "ISO 8601"),
        ({"after": "-1"}, "invalid_after", "whole number"),
        ({"after": str(2**64)}, "invalid_after", "whole number"),
        ({"limit": "0"}, "invalid_limit", "from 1 to 10000"),
        ({"limit": "abc"}, "invalid_limit", "from 1 to 10000"),
    ],
)
def test_bad_parameters_are_a_400_with_a_clear_message(cashier_client, params, code, words):
    response = cashier_client.get(f"{SNAPSHOT}?{urlencode(params)}")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert words in response.json()["detail"]


def test_anonymous_callers_get_401_and_users_without_the_catalog_permission_403(cashier):
    anonymous = Client().get(SNAPSHOT)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    nobody = get_user_model().objects.create_user("nobody", password="x-long-password-1")
    client = Client()
    client.force_login(nobody)
    assert client.get(SNAPSHOT).status_code == 403
    _, token = APIToken.create_token(user=cashier, name="register")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(SNAPSHOT).status_code == 200


def chunk_queries(client, limit: int, **params) -> int:
    from django.core.cache import cache

    cache.clear()  # thumbnails looked up in the database, not the cache
    with CaptureQueriesContext(connection) as queries:
        body = get(client, limit=limit, **params)
    assert len(body["rows"]) == limit
    return len(queries)


def test_a_chunk_costs_the_same_queries_whatever_its_size(cashier_client):
    images = [make_image(f"Photo {n}") for n in range(3)]
    for image in images:
        image.get_rendition(THUMBNAIL_SPEC)  # made when the register first showed them
    for n in range(30):
        make_product(name=f"P{n}", image=images[n % 3] if n % 2 else None)
    get(cashier_client)  # warm: session, store settings
    small = chunk_queries(cashier_client, 2)
    # session, user, 2 × permissions, products, images + renditions (thumbnails not cached),
    # tax rates, categories, count, site + store settings (cached between requests).
    assert small <= 12, small
    assert chunk_queries(cashier_client, 25) == small
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert chunk_queries(cashier_client, 2, updated_since=since) == small
    assert chunk_queries(cashier_client, 25, updated_since=since) == small
    # Past the first chunk: no tax rates, categories or count.
    first = Product.objects.order_by("pk").first().pk
    assert chunk_queries(cashier_client, 25, after=first) < small
