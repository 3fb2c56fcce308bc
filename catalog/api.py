"""Catalog API under /api/v1/: products, categories, tax rates (plain DRF; see DESIGN.md).

Reads need the model's `view` permission, writes its `add`/`change`/`delete` permission, the
same permissions the Wagtail admin checks. Writes go through `catalog.services`, so they are
validated with the admin's rules and messages and recorded in the admin's history.
"""

from __future__ import annotations

import functools
from datetime import datetime
from decimal import Decimal, InvalidOperation

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from djmoney.money import Money
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from moneyed import CurrencyDoesNotExist
from rest_framework import mixins, pagination, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from wagtail.images import get_image_model
from wagtail.rich_text import expand_db_html

from pos_site.errors import NotFoundError
from store.selectors import current_store_settings, format_amount, money_payload

from . import selectors, services
from .models import Category, Product, TaxRate

MANAGE_PERMISSION = "catalog.change_product"


def can_manage_catalog(user) -> bool:
    """Back-office users: they see inactive products and cost prices; cashiers do not."""
    return user.has_perm(MANAGE_PERMISSION)


class CatalogPermission(permissions.DjangoModelPermissions):
    """Model permissions for every method, reads included (`view_<model>`)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class CatalogPagination(pagination.PageNumberPagination):
    """Page-number pagination (`?page=`, `?page_size=` up to 200) whose `count` stays cheap.

    An exact count of a broad search over 100,000 products costs more than the page itself,
    so `count` is exact up to 500 and null beyond (`next` still leads on). A result that fits
    on one page is counted without any extra query.
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    count_limit = 500
    max_page = 10_000_000
    # The queryset to count, when the listed one carries joins the count does not need.
    count_queryset = None

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        try:
            number = int(request.query_params.get(self.page_query_param) or 1)
        except ValueError:
            number = 0
        # Past the last possible page: an offset this large overflows the database's integers.
        if number < 1 or number > self.max_page:
            raise NotFound("Invalid page.")
        offset = (number - 1) * size
        rows = list(queryset[offset : offset + size + 1])  # one more: is there a next page?
        if not rows and number > 1:
            raise NotFound("Invalid page.")
        self.number, self.has_next = number, len(rows) > size
        rows = rows[:size]
        if not self.has_next:
            self.count = offset + len(rows)
        else:
            # Count primary keys only: no ordering, no joined columns in the subquery.
            source = queryset if self.count_queryset is None else self.count_queryset
            counted = source.order_by().values("pk")[: self.count_limit + 1].count()
            self.count = counted if counted <= self.count_limit else None
        return rows

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": "How many products match, exact up to 500; null when more.",
        }
        return response


# --------------------------------------------------------------------------- shared fields


class MoneySerializer(serializers.Serializer):
    """An amount as it travels in JSON: a decimal string and its currency, never a float."""

    amount = serializers.CharField(help_text='Decimal string, e.g. "12.50".')
    currency = serializers.CharField(help_text="ISO 4217 code, e.g. USD.")


class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field, for validation errors.",
    )


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "example": "12.50"},
            {
                "type": "object",
                "properties": {
                    "amount": {"type": "string", "example": "12.50"},
                    "currency": {"type": "string", "example": "USD"},
                },
                "required": ["amount"],
            },
        ],
        "description": 'An amount as a string ("12.50") or {"amount": "12.50", "currency": '
        '"USD"}. Numbers with a fraction are refused: send amounts as strings.',
    }
)
class MoneyInputField(serializers.Field):
    default_error_messages = {
        "invalid": "Enter a number.",
        "float": 'Send amounts as strings, e.g. "12.50", never as floating-point numbers.',
        "currency": "“{currency}” is not a currency code; use a three-letter code such as USD.",
    }

    def to_internal_value(self, data) -> Money:
        currency = self.context["store"].currency
        if isinstance(data, dict):
            currency = str(data.get("currency") or currency).upper()
            data = data.get("amount")
        if isinstance(data, float):
            self.fail("float")
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            self.fail("invalid")
        try:
            amount = Decimal(str(data).strip())
        except InvalidOperation:
            self.fail("invalid")
        if not amount.is_finite():
            self.fail("invalid")
        try:
            return Money(amount, currency)
        except CurrencyDoesNotExist:
            self.fail("currency", currency=currency[:20])

    def to_representation(self, value):
        return money_payload(value.amount, str(value.currency))


WHOLE_NUMBER = {"invalid": "Enter a whole number."}
# The admin form's words for a missing value (DRF would say "may not be blank").
REQUIRED = {"required": "This field is required.", "blank": "This field is required."}


# --------------------------------------------------------------------------- products


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)


class TaxRateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        read_only=True,
        help_text='Percentage as a decimal string, e.g. "8.25".',
    )


class ProductSerializer(serializers.Serializer):
    """A product as the register and other clients read it."""

    # A plain Serializer, not a ModelSerializer: it is built on every request, and deriving
    # fields from the model costs more than the rest of a barcode lookup.

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)
    sku = serializers.CharField(read_only=True)
    barcode = serializers.CharField(read_only=True, allow_null=True)
    price = serializers.SerializerMethodField()
    price_formatted = serializers.SerializerMethodField()
    cost_price = serializers.SerializerMethodField()
    tax_rate = TaxRateSerializer(read_only=True)
    quantity_on_hand = serializers.IntegerField(read_only=True)
    low_stock_threshold = serializers.IntegerField(read_only=True)
    low_stock = serializers.BooleanField(source="is_low_stock", read_only=True)
    thumbnail_url = serializers.SerializerMethodField()
    image = serializers.IntegerField(source="image_id", read_only=True, allow_null=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)
    description = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, row: dict) -> dict:
        # Built by hand from a `selectors.product_rows` dict (same keys as the declared fields,
        # which document it): DRF's field-by-field path on model instances cost most of a page.
        store = self.context["store"]
        currency = row["price_currency"]
        image_id = row["image_id"]
        return {
            "id": row["id"],
            "name": row["name"],
            "slug": row["slug"],
            "sku": row["sku"],
            "barcode": row["barcode"],
            "price": _money(row["price"], currency),
            "price_formatted": format_amount(row["price"], currency, store.locale),
            "cost_price": self.get_cost_price(row),
            "tax_rate": {
                "id": row["tax_rate_id"],
                "name": row["tax_rate__name"],
                "rate": f"{row['tax_rate__rate']:.2f}",
            },
            "quantity_on_hand": row["quantity_on_hand"],
            "low_stock_threshold": row["low_stock_threshold"],
            "low_stock": row["quantity_on_hand"] <= row["low_stock_threshold"],
            "thumbnail_url": None if image_id is None else self.get_thumbnail_url(row),
            "image": image_id,
            "category": (
                None
                if row["category_id"] is None
                else {
                    "id": row["category_id"],
                    "name": row["category__name"],
                    "slug": row["category__slug"],
                }
            ),
            "is_active": row["is_active"],
            "description": self.get_description(row),
            "created_at": _iso(row["created_at"]),
            "updated_at": _iso(row["updated_at"]),
        }

    @extend_schema_field(MoneySerializer)
    def get_price(self, row: dict) -> dict:
        return _money(row["price"], row["price_currency"])

    def get_price_formatted(self, row: dict) -> str:
        return format_amount(row["price"], row["price_currency"], self.context["store"].locale)

    @extend_schema_field(
        MoneySerializer(
            allow_null=True,
            help_text="Only for users who may edit products; always null for cashiers.",
        )
    )
    def get_cost_price(self, row: dict) -> dict | None:
        if row["cost_price"] is None or not self.context.get("can_manage"):
            return None
        return _money(row["cost_price"], row["cost_price_currency"])

    @extend_schema_field(
        serializers.URLField(
            allow_null=True, help_text="160×160 thumbnail (a Wagtail rendition), or null."
        )
    )
    def get_thumbnail_url(self, row: dict) -> str | None:
        image_id = row["image_id"]
        if image_id is None:
            return None
        thumbnails = self.context.get("thumbnails")
        if thumbnails is None or image_id not in thumbnails:
            thumbnails = selectors.thumbnail_urls({image_id})
        url = thumbnails.get(image_id)
        if url and url.startswith("/") and "site_root" in self.context:
            return self.context["site_root"] + url  # what build_absolute_uri does, cheaper
        return url

    @extend_schema_field(serializers.CharField(help_text="Rich text as HTML."))
    def get_description(self, row: dict) -> str:
        return expand_db_html(row["description"]) if row["description"] else ""


# Amounts repeat across a catalog (many things cost 4.50): remember how each one travels.
# money_payload is pure, so caching it cannot change a result (format_amount caches itself).
_money_strings = functools.lru_cache(maxsize=4096)(money_payload)


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return dict(_money_strings(amount, currency))


def _iso(value: datetime) -> str:
    """What DRF's DateTimeField writes (current time zone, "Z" for UTC), without its overhead."""
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class ProductWriteSerializer(serializers.Serializer):
    """What a client may send to create (POST) or change (PATCH) a product.

    Only types are checked here; the rules (lengths, prices, stock, unique SKU and barcode,
    check digits) are checked by the model, with the admin's messages.
    """

    name = serializers.CharField(error_messages=REQUIRED)
    sku = serializers.CharField(error_messages=REQUIRED)
    slug = serializers.SlugField(required=False, allow_blank=True)
    barcode = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    description = serializers.CharField(
        required=False, allow_blank=True, help_text="Plain text or simple HTML."
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    price = MoneyInputField()
    cost_price = MoneyInputField(required=False, allow_null=True)
    tax_rate = serializers.PrimaryKeyRelatedField(
        queryset=TaxRate.objects.all(), error_messages={"required": "This field is required."}
    )
    quantity_on_hand = serializers.IntegerField(
        required=False,
        error_messages=WHOLE_NUMBER,
        help_text="Opening stock, on creation only (recorded as an opening stock movement). "
        "A change to an existing product's stock is refused (400): stock moves through "
        "sales, refunds and the Inventory screens (receive, adjust, count).",
    )
    low_stock_threshold = serializers.IntegerField(required=False, error_messages=WHOLE_NUMBER)
    image = serializers.PrimaryKeyRelatedField(
        queryset=get_image_model().objects.all(), required=False, allow_null=True
    )
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict) -> dict:
        product = self.instance
        if product is not None and "quantity_on_hand" in attrs:
            if attrs["quantity_on_hand"] != product.quantity_on_hand:
                raise serializers.ValidationError({"quantity_on_hand": STOCK_NOT_EDITABLE})
            del attrs["quantity_on_hand"]  # the figure as it is: nothing to change
        return attrs


STOCK_NOT_EDITABLE = (
    "Stock cannot be changed by editing the product: it is set once, when the product is "
    "created. Record deliveries, corrections and counts in the admin under Inventory "
    "(Receive stock, Adjust stock, Stock count), so that every change is in the stock history."
)


BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]


def _true(value: str) -> bool:
    return value == "true"


class ProductFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Name contains, or SKU / barcode starts with, this text (any case).",
    )
    category = django_filters.CharFilter(method="filter_category", help_text="Category id or slug.")
    active = django_filters.TypedChoiceFilter(
        field_name="is_active",
        choices=BOOLEAN_CHOICES,
        coerce=_true,
        help_text="true or false. Cashiers only ever see active products.",
    )
    low_stock = django_filters.TypedChoiceFilter(
        method="filter_low_stock",
        choices=BOOLEAN_CHOICES,
        coerce=_true,
        help_text="true: at or below the low-stock threshold; false: above it.",
    )

    class Meta:
        model = Product
        fields = ["search", "category", "active", "low_stock"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.search_products(queryset, value)

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        category = selectors.category_by_key(value)
        return queryset.filter(category=category) if category else queryset.none()

    def filter_low_stock(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return selectors.filter_products(queryset, low_stock=value)


ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Invalid data"),
    403: OpenApiResponse(ApiErrorSerializer, description="Not allowed"),
}
NOT_FOUND = {404: OpenApiResponse(ApiErrorSerializer, description="No such product")}


@extend_schema_view(
    list=extend_schema(
        summary="List and search products",
        parameters=[
            OpenApiParameter(
                "active",
                OpenApiTypes.BOOL,
                description="true or false. Cashiers only ever see active products.",
            ),
            OpenApiParameter(
                "low_stock",
                OpenApiTypes.BOOL,
                description="true: at or below the low-stock threshold; false: above it.",
            ),
        ],
    ),
    retrieve=extend_schema(summary="One product", responses={200: ProductSerializer, **NOT_FOUND}),
    create=extend_schema(
        summary="Create a product",
        request=ProductWriteSerializer,
        responses={201: ProductSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "New product",
                request_only=True,
                value={
                    "name": "Espresso beans 250 g",
                    "sku": "COF-001",
                    "barcode": "4006381333931",
                    "price": "8.90",
                    "tax_rate": 1,
                    "category": 1,
                    "quantity_on_hand": 24,
                },
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change some fields of a product",
        request=ProductWriteSerializer(partial=True),
        responses={200: ProductSerializer, **ERRORS, **NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Delete a product",
        description="A product that has been sold cannot be deleted (409): deactivate it "
        'with PATCH {"is_active": false} instead.',
        responses={
            204: None,
            409: OpenApiResponse(ApiErrorSerializer, description="Product has been sold"),
            **NOT_FOUND,
        },
    ),
)
class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Products. Cashiers see active products only and never the cost price."""

    serializer_class = ProductSerializer
    permission_classes = [CatalogPermission]
    pagination_class = CatalogPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = Product.objects.all()  # for the permission class and the schema

    def get_queryset(self) -> QuerySet:
        queryset = Product.objects.order_by("name", "id")
        if not can_manage_catalog(self.request.user):
            queryset = queryset.filter(is_active=True)
        return queryset

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["store"] = current_store_settings()
        context["can_manage"] = can_manage_catalog(self.request.user)
        context["site_root"] = self.request.build_absolute_uri("/").rstrip("/")
        return context

    def _payload(self, rows: list[dict], **kwargs):
        """Serialize product rows, with every thumbnail URL looked up at once."""
        context = self.get_serializer_context()
        context["thumbnails"] = selectors.thumbnail_urls(
            {row["image_id"] for row in rows if row["image_id"] is not None}
        )
        return ProductSerializer(rows, many=True, context=context).data

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        self.paginator.count_queryset = queryset  # counted without the rows' joins
        page = self.paginate_queryset(selectors.product_rows(queryset))
        return self.get_paginated_response(self._payload(page))

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        # DRF's get_object_or_404: an id that is not a number ("null") is a 404, not a 500.
        row = get_object_or_404(selectors.product_rows(self.get_queryset()), pk=kwargs["pk"])
        return Response(self._payload([row])[0])

    def _read(self, product: Product, status_code: int = status.HTTP_200_OK) -> Response:
        row = selectors.product_rows(Product.objects.filter(pk=product.pk)).get()
        return Response(self._payload([row])[0], status=status_code)

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = ProductWriteSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        product = services.create_product(user=request.user, **data.validated_data)
        return self._read(product, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        product = self.get_object()
        data = ProductWriteSerializer(
            product, data=request.data, partial=True, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        services.update_product(product, user=request.user, **data.validated_data)
        return self._read(product)

    def update(self, request: Request, *args, **kwargs) -> Response:
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        services.delete_product(self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Look a product up by its barcode",
        description="EAN-13, EAN-8 or UPC-A. A UPC-A code read with a leading 0 (as EAN-13) "
        "finds the same product. 404 with code `unknown_barcode` when no product has it, "
        "`inactive_product` when a cashier scans a deactivated product.",
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: ProductSerializer, **NOT_FOUND},
        filters=False,
    )
    @action(detail=False, methods=["get"], url_path=r"by-barcode/(?P<code>[^/]+)")
    def by_barcode(self, request: Request, code: str) -> Response:
        row = selectors.product_by_barcode(code, selectors.product_rows(Product.objects.all()))
        if row is None:
            raise NotFoundError(f"No product with barcode {code}.", code="unknown_barcode")
        if not row["is_active"] and not can_manage_catalog(request.user):
            raise NotFoundError(
                f"“{row['name']}” (barcode {code}) is inactive and not for sale.",
                code="inactive_product",
            )
        return Response(self._payload([row])[0])


# --------------------------------------------------------------------------- categories


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(error_messages=REQUIRED)
    slug = serializers.SlugField(required=False, allow_blank=True)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    # Declared, not derived: DRF would copy the database's integer range into the schema,
    # which then differs between SQLite and PostgreSQL.
    ordering = serializers.IntegerField(required=False, help_text="Lower numbers come first.")

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "parent", "ordering"]


@extend_schema_view(
    list=extend_schema(summary="All categories (not paginated)"),
    retrieve=extend_schema(summary="One category"),
    create=extend_schema(
        summary="Create a category", responses={201: CategorySerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change a category", responses={200: CategorySerializer, **ERRORS}
    ),
    destroy=extend_schema(
        summary="Delete a category",
        description="Its products and sub-categories are kept, without a category.",
    ),
)
class CategoryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Categories, ordered as the register shows them."""

    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    permission_classes = [CatalogPermission]
    pagination_class = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer) -> None:
        serializer.instance = services.create_category(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.update_category(
            serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Category) -> None:
        services.delete_category(instance, user=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="All tax rates (not paginated)"),
    retrieve=extend_schema(summary="One tax rate"),
)
class TaxRateViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = TaxRate.objects.all()
    serializer_class = TaxRateSerializer
    permission_classes = [CatalogPermission]
    pagination_class = None
