"""Reading the catalog: search, filters, barcode lookup, export rows.

The admin listing, the product chooser and the API all filter through these functions, so a
search for "esp" finds the same products everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F, Prefetch, Q, QuerySet
from wagtail.images import get_image_model
from wagtail.images.models import Filter

from catalog import search
from catalog.models import Category, Product
from catalog.validators import BARCODE_LENGTHS

THUMBNAIL_SPEC = "fill-160x160"
ADMIN_THUMBNAIL_SPEC = "fill-80x80"


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


def attach_thumbnail_images(products: list, spec: str = THUMBNAIL_SPEC) -> list:
    """Load the images of `products` with their `spec` renditions, in two queries, and set
    each product's `thumbnail_image` (None without an image). Returns `products`.

    Cheaper than `prefetch_related("image")`, whose forward-key prefetch Django 5.2 writes
    as a tuple lookup that SQLite gets as one `OR` per image.
    """
    ids = {product.image_id for product in products if product.image_id is not None}
    images = {}
    if ids:
        queryset = get_image_model().objects.filter(pk__in=ids).prefetch_renditions(spec)
        images = {image.pk: image for image in queryset}
    for product in products:
        product.thumbnail_image = images.get(product.image_id)
    return products


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


def barcode_variants(code: str) -> list[str]:
    """The forms a scanned code may be stored under: a UPC-A (12 digits) is often read as
    the same EAN-13 with a leading 0, and the other way round."""
    code = code.strip()
    variants = [code]
    if len(code) == 13 and code.startswith("0"):
        variants.append(code[1:])
    elif len(code) == 12:
        variants.append("0" + code)
    return variants


def product_by_barcode(code: str, queryset: QuerySet | None = None) -> Product | None:
    """The product with this barcode (one indexed query), or None."""
    code = code.strip()
    if not code.isdigit() or len(code) not in BARCODE_LENGTHS:
        return None
    queryset = Product.objects.all() if queryset is None else queryset
    matches = list(queryset.filter(barcode__in=barcode_variants(code))[:2])
    # An exact match wins over the leading-zero variant.
    matches.sort(key=lambda product: product.barcode != code)
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
