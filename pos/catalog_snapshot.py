"""The register's copy of the catalog: GET /api/v1/catalog/snapshot/ (static/pos/catalog.js).

The register keeps every active product in IndexedDB so it can scan and search with no
network. It downloads the catalog in chunks of a few thousand products, each a compact array
of arrays (no field names repeated 100,000 times), walked in primary-key order from a cursor
(`after`: keyset pagination, so chunk 20 costs what chunk 1 costs, unlike an OFFSET).

After the first download it asks only for what changed (`updated_since`, the `as_of` of the
previous download's first chunk):
- a product edited, created or deactivated moves its `updated_at` (admin, API and CSV import
  all set it);
- a sale, refund, delivery or count changes stock with an UPDATE that leaves `updated_at`
  alone, but every stock change writes a `StockMovement`, so products with a movement since
  then are sent again too;
- rows changed but no longer active are listed in `deleted`;
- a product deleted outright (only possible when it was never sold) leaves no trace, so the
  first chunk carries `active_count`: when the register's count differs after applying the
  changes, it downloads the whole catalog again.
`as_of` is the server's clock minus a margin (`OVERLAP`): a transaction that set
`updated_at` a moment before the snapshot read but committed after it is still seen next time.
Rows in the margin are sent twice, which is harmless.

Tax rates and categories are a few rows: the first chunk sends all of them every time, so a
renamed category or a changed rate reaches the register without touching its products.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from catalog.models import Category, Product, TaxRate
from catalog.selectors import thumbnail_urls

from .models import StockMovement

DEFAULT_CHUNK = 5000
MAX_CHUNK = 10000
OVERLAP = timedelta(minutes=2)
# The order of the values in each row of `rows`: the API sends this list as `fields`.
FIELDS = (
    "id",
    "name",
    "sku",
    "barcode",
    "price",
    "tax_rate",
    "category",
    "quantity_on_hand",
    "low_stock_threshold",
    "thumbnail_url",
)
_COLUMNS = (
    "id",
    "name",
    "sku",
    "barcode",
    "price",
    "tax_rate_id",
    "category_id",
    "quantity_on_hand",
    "low_stock_threshold",
    "image_id",
    "is_active",
)


@dataclass(frozen=True)
class SnapshotChunk:
    as_of: datetime
    rows: list[list]
    deleted: list[int]
    # The cursor for the next chunk (the last id of this one), or None when this is the last.
    next_after: int | None
    # First chunk only (`after` == 0): the small tables and the number of active products.
    tax_rates: list[list] | None = None
    categories: list[list] | None = None
    active_count: int | None = None


def catalog_snapshot_chunk(
    *, after: int = 0, limit: int = DEFAULT_CHUNK, updated_since: datetime | None = None
) -> SnapshotChunk:
    """One chunk of the register's catalog: active products with `id > after`, in id order.

    With `updated_since`, only products changed since then (edited, or their stock moved),
    the inactive ones as ids in `deleted`. A constant number of queries whatever `limit`:
    one for the products, at most two for thumbnails not in the cache, and on the first chunk
    three more (tax rates, categories, count).
    """
    as_of = timezone.now() - OVERLAP
    products = Product.objects.filter(pk__gt=after).order_by("pk")
    if updated_since is None:
        products = products.filter(is_active=True)
    else:
        moved = StockMovement.objects.filter(created_at__gte=updated_since).values("product_id")
        products = products.filter(Q(updated_at__gte=updated_since) | Q(pk__in=moved))
    found = list(products.values_list(*_COLUMNS)[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    active = [row for row in found if row[10]]
    thumbnails = thumbnail_urls({row[9] for row in active if row[9] is not None})
    rows = [
        [
            pk,
            name,
            sku,
            barcode or "",
            str(price),
            tax_rate,
            category,
            quantity,
            threshold,
            None if image is None else thumbnails.get(image),
        ]
        for (pk, name, sku, barcode, price, tax_rate, category, quantity, threshold, image, _) in (
            active
        )
    ]
    chunk = {
        "as_of": as_of,
        "rows": rows,
        "deleted": [row[0] for row in found if not row[10]],
        "next_after": found[-1][0] if more else None,
    }
    if after == 0:
        chunk["tax_rates"] = [
            [pk, name, f"{rate:.2f}"]
            for pk, name, rate in TaxRate.objects.values_list("id", "name", "rate")
        ]
        chunk["categories"] = [
            list(values) for values in Category.objects.values_list("id", "name", "slug")
        ]
        chunk["active_count"] = Product.objects.filter(is_active=True).count()
    return SnapshotChunk(**chunk)
