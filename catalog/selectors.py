"""Reading the catalog: search, filters, barcode lookup, export rows.

The admin listing, the product chooser and the API all filter through these functions, so a
search for "esp" finds the same products everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.cache import cache
from django.db.models import F, Prefetch, Q, QuerySet
from wagtail.images import get_image_model
from wagtail.images.models import Filter

from catalog import search
from catalog.models import Category, Product
from catalog.validators import BARCODE_LENGTHS, barcode_variants

THUMBNAIL_SPEC = "fill-160x160"
ADMIN_THUMBNAIL_SPEC = "fill-80x80"
THUMBNAIL_SPECS = (THUMBNAIL_SPEC, ADMIN_THUMBNAIL_SPEC)


_FILTERS: dict[str, Filter] = {}


def rendition(image, spec: str):
    """`image.get_rendition(spec)`, reading prefetched renditions without touching the cache.

    Wagtail's `get_rendition` writes the rendition to the cache on every call, even when it
    was prefetched; on a 50-product page that pickling is most of the thumbnail cost.
    """
    image_filter = _FILTERS.get(spec) or _FILTERS.setdefault(spec, Filter(spec=spec))
    try:
        return image.find_existing_rendition(image_filter)
    except image.get_rendition_model().DoesNotExist:
        return image.get_rendition(image_filter)


def low_stock_q() -> Q:
    """Products at or below their own threshold (a column-to-column comparison)."""
    return Q(quantity_on_hand__lte=F("low_stock_threshold"))


# What the API reads of a product, as plain values: building model instances (a product, its
# category, tax rate, image and rendition) cost more than the rest of a 60-product page.
PRODUCT_ROW = (
    "id",
    "name",
    "slug",
    "sku",
    "barcode",
    "description",
    "price",
    "price_currency",
    "cost_price",
    "cost_price_currency",
    "quantity_on_hand",
    "low_stock_threshold",
    "image_id",
    "is_active",
    "created_at",
    "updated_at",
    "tax_rate_id",
    "tax_rate__name",
    "tax_rate__rate",
    "category_id",
    "category__name",
    "category__slug",
)
THUMBNAIL_CACHE_SECONDS = 600


def product_rows(queryset: QuerySet) -> QuerySet:
    """`queryset` as dicts of `PRODUCT_ROW` (category and tax rate joined in)."""
    return queryset.values(*PRODUCT_ROW)


def _thumbnail_key(image_id: int, spec: str) -> str:
    return f"catalog:thumbnail:{spec}:{image_id}"


def thumbnail_urls(image_ids: set[int], spec: str = THUMBNAIL_SPEC) -> dict[int, str | None]:
    """{image id: URL of its `spec` rendition}, from the cache, else two queries for all the
    missing ones (renditions are made on first use). None when the image file is gone.

    Saving or deleting an image or a rendition forgets its URLs (`forget_thumbnails`); other
    server processes, whose caches that cannot reach, keep an old URL for 10 minutes at most.
    """
    keys = {_thumbnail_key(image_id, spec): image_id for image_id in image_ids}
    urls = {keys[key]: url for key, url in cache.get_many(list(keys)).items()}
    missing = set(image_ids) - urls.keys()
    if missing:
        found = {}
        for image in get_image_model().objects.filter(pk__in=missing).prefetch_renditions(spec):
            try:
                url = rendition(image, spec).url
            except OSError:  # includes Wagtail's SourceImageIOError: the file is missing
                url = None
            urls[image.pk] = found[_thumbnail_key(image.pk, spec)] = url
        cache.set_many(found, THUMBNAIL_CACHE_SECONDS)
    return urls


def forget_thumbnails(sender, instance, **kwargs) -> None:
    """`post_save`/`post_delete` of an image or a rendition: its thumbnail URLs are stale."""
    image_id = getattr(instance, "image_id", None) or instance.pk
    cache.delete_many([_thumbnail_key(image_id, spec) for spec in THUMBNAIL_SPECS])


def products_with_thumbnails(queryset: QuerySet | None = None, *, spec: str = THUMBNAIL_SPEC):
    """Products with their category, tax rate, image and the image's `spec` rendition loaded
    in a fixed number of queries, whatever the number of products."""
    queryset = Product.objects.all() if queryset is None else queryset
    images = get_image_model().objects.prefetch_renditions(spec)
    return queryset.select_related("category", "tax_rate").prefetch_related(
        Prefetch("image", queryset=images)
    )


def search_q(term: str) -> Q:
    """Name contains the term, or SKU / barcode starts with it (case-insensitive).

    `catalog.search` adds the index that keeps this fast on a large catalog; the conditions
    here alone decide what matches.
    """
    term = term.strip()
    query = Q(name__icontains=term) | Q(sku__istartswith=term)
    if term.isdigit():
        query |= Q(barcode__startswith=term)
    return search.candidates_q(term) & query


def search_products(queryset: QuerySet, term: str) -> QuerySet:
    return queryset.filter(search_q(term)) if term and term.strip() else queryset


def category_by_key(key: str | int) -> Category | None:
    """A category by id or by slug (`?category=3` and `?category=coffee` both work)."""
    key = str(key).strip()
    lookup = {"pk": int(key)} if key.isdigit() else {"slug": key}
    return Category.objects.filter(**lookup).first()


def filter_products(
    queryset: QuerySet,
    *,
    search: str | None = None,
    category: Category | None = None,
    active: bool | None = None,
    low_stock: bool | None = None,
) -> QuerySet:
    """Narrow a product queryset by the listing filters; None means "don't filter"."""
    if search:
        queryset = search_products(queryset, search)
    if category is not None:
        queryset = queryset.filter(category=category)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    if low_stock is True:
        queryset = queryset.filter(low_stock_q())
    elif low_stock is False:
        queryset = queryset.exclude(low_stock_q())
    return queryset


def product_by_barcode(code: str, queryset: QuerySet | None = None):
    """The product with this barcode (one indexed query), or None. With a `values()`
    queryset (`product_rows`) the product comes as a dict."""
    code = code.strip()
    if not code.isdigit() or len(code) not in BARCODE_LENGTHS:
        return None
    queryset = Product.objects.all() if queryset is None else queryset
    matches = list(queryset.filter(barcode__in=barcode_variants(code))[:2])
    # An exact match wins over the leading-zero variant.
    matches.sort(key=lambda p: (p["barcode"] if isinstance(p, dict) else p.barcode) != code)
    return matches[0] if matches else None


def low_stock_products() -> QuerySet:
    """Active products at or below their threshold, lowest stock first."""
    return (
        Product.objects.filter(is_active=True)
        .filter(low_stock_q())
        .select_related("category")
        .order_by("quantity_on_hand", "name")
    )


def product_export_rows() -> Iterator[list[str]]:
    """Every product as a CSV row in `catalog.services.CSV_COLUMNS` order (header first).

    Streams in chunks with one query per chunk, so exporting 100,000 products stays flat on
    memory; the file reads back into the import unchanged.
    """
    from catalog.services import CSV_COLUMNS

    yield list(CSV_COLUMNS)
    rows = Product.objects.order_by("sku").values_list(
        "sku",
        "name",
        "barcode",
        "category__name",
        "price",
        "cost_price",
        "tax_rate__name",
        "quantity_on_hand",
        "low_stock_threshold",
        "is_active",
        "description",
    )
    for row in rows.iterator(chunk_size=2000):
        (sku, name, barcode, category, price, cost, tax, qty, threshold, active, text) = row
        yield [
            sku,
            name,
            barcode or "",
            category or "",
            "" if price is None else f"{price}",
            "" if cost is None else f"{cost}",
            tax or "",
            str(qty),
            str(threshold),
            "true" if active else "false",
            text or "",
        ]
