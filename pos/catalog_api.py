"""GET /api/v1/catalog/snapshot/: the register's offline copy of the catalog, in chunks.

Thin: parses the query, calls `pos.catalog_snapshot.catalog_snapshot_chunk`, writes JSON.
Read with the catalog API's permission (`catalog.view_product`: cashiers, merchandisers,
managers), so who may read the catalog one page at a time may read it whole.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from catalog.api import ApiErrorSerializer, CatalogPermission
from catalog.models import Product
from pos_site.errors import ServiceError
from store.selectors import current_store_settings

from .catalog_snapshot import DEFAULT_CHUNK, FIELDS, MAX_CHUNK, catalog_snapshot_chunk

MAX_ID = 2**63 - 1


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_updated_since(value: str | None) -> datetime | None:
    """An ISO 8601 date and time (a naive one is in the store's time zone), or a ServiceError."""
    if value is None or value == "":
        return None
    # A "+01:00" offset sent unencoded in a query string arrives as " 01:00".
    text = value.strip()
    if text[-6:-5] == " " and text[-5:-3].isdigit():
        text = f"{text[:-6]}+{text[-5:]}"
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ServiceError(
            "updated_since must be a date and time in ISO 8601, e.g. 2026-11-25T18:30:00Z "
            "(use the as_of of your last snapshot).",
            code="invalid_updated_since",
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _whole_number(name: str, value: str | None, *, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ServiceError(
            f"{name} must be a whole number from {low} to {high}.", code=f"invalid_{name}"
        )
    return int(value)


SNAPSHOT_RESPONSE = OpenApiResponse(
    response={
        "type": "object",
        "properties": {
            "as_of": {
                "type": "string",
                "format": "date-time",
                "description": "Pass the first chunk's as_of as updated_since next time.",
            },
            "currency": {"type": "string", "example": "USD"},
            "fields": {
                "type": "array",
                "items": {"type": "string"},
                "example": list(FIELDS),
                "description": "What each value of a row is, in order.",
            },
            "rows": {
                "type": "array",
                "items": {"type": "array", "items": {}},
                "example": [
                    [
                        12,
                        "Espresso beans 250 g",
                        "COF-001",
                        "4006381333931",
                        "8.90",
                        1,
                        3,
                        24,
                        5,
                        "/media/images/beans.fill-160x160.jpg",
                    ]
                ],
                "description": 'Active products: id, name, sku, barcode ("" when none), price '
                "(decimal string in the store currency), tax rate id, category id (or null), "
                "quantity on hand, low-stock threshold, 160×160 thumbnail URL (or null).",
            },
            "deleted": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "With updated_since: ids of products deactivated since; "
                "forget them.",
            },
            "next": {
                "type": "string",
                "format": "uri",
                "nullable": True,
                "description": "The next chunk, or null after the last one.",
            },
            "tax_rates": {
                "type": "array",
                "items": {"type": "array", "items": {}},
                "example": [[1, "Standard", "8.25"]],
                "description": "First chunk only: [id, name, rate %] of every tax rate.",
            },
            "categories": {
                "type": "array",
                "items": {"type": "array", "items": {}},
                "example": [[3, "Coffee", "coffee"]],
                "description": "First chunk only: [id, name, slug] in the register's order.",
            },
            "active_count": {
                "type": "integer",
                "description": "First chunk only: how many products are active. A register "
                "holding another number after applying the changes downloads everything again.",
            },
        },
        "required": ["as_of", "currency", "fields", "rows", "deleted", "next"],
    },
    description="One chunk of the catalog",
)


class CatalogSnapshotView(APIView):
    permission_classes = [CatalogPermission]
    queryset = Product.objects.all()  # the model whose `view` permission is required

    @extend_schema(
        operation_id="catalog_snapshot",
        summary="The whole catalog for the offline register, in chunks",
        description=(
            "Active products as compact rows, in id order, `limit` per chunk; follow `next` "
            "until it is null. Without `updated_since`: every active product. With it: only "
            "products edited, created, deactivated or whose stock moved since then (a margin "
            "of two minutes is sent again), deactivated ones as ids in `deleted`. A product "
            "deleted outright is not reported: compare your count with the first chunk's "
            "`active_count`. Used by the register (static/pos/catalog.js) to scan and search "
            "with no network."
        ),
        parameters=[
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="Only changes since then: the `as_of` of your last snapshot's "
                "first chunk.",
            ),
            OpenApiParameter(
                "after",
                OpenApiTypes.INT,
                description="Cursor: products with a larger id (the `next` link sets it).",
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"Products per chunk, 1 to {MAX_CHUNK} (default {DEFAULT_CHUNK}).",
            ),
        ],
        responses={
            200: SNAPSHOT_RESPONSE,
            400: OpenApiResponse(ApiErrorSerializer, description="Bad parameter"),
            403: OpenApiResponse(ApiErrorSerializer, description="Not allowed"),
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        since = parse_updated_since(params.get("updated_since"))
        after = _whole_number("after", params.get("after"), default=0, low=0, high=MAX_ID)
        limit = _whole_number(
            "limit", params.get("limit"), default=DEFAULT_CHUNK, low=1, high=MAX_CHUNK
        )
        chunk = catalog_snapshot_chunk(after=after, limit=limit, updated_since=since)
        url = request.build_absolute_uri()
        payload = {
            "as_of": _iso(chunk.as_of),
            "currency": current_store_settings().currency,
            "fields": FIELDS,
            "rows": chunk.rows,
            "deleted": chunk.deleted,
            "next": None
            if chunk.next_after is None
            else replace_query_param(url, "after", chunk.next_after),
        }
        if after == 0:
            payload["tax_rates"] = chunk.tax_rates
            payload["categories"] = chunk.categories
            payload["active_count"] = chunk.active_count
        return Response(payload)


__all__ = ["CatalogSnapshotView", "parse_updated_since"]
