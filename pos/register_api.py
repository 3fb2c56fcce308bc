"""The register's additions to the POS API: the sales of the caller's open shift (the recent
sales list) and a sale with what is left to refund or void. Kept apart from `api.py` (the fixed
contract of issue #4); the URLs are in `api_urls.py`."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from .api import ERRORS, Amounts, PosView, _valid, sale_payload, store_locale
from .models import Refund, Sale, Shift
from .selectors import current_shift_sales, refunded_quantities, sale_for_user


def refund_brief(refund: Refund, fmt: Amounts) -> dict:
    return {
        "number": refund.number,
        "kind": refund.kind,
        "created_at": refund.created_at.isoformat(),
        "total": fmt.money(refund.total.amount),
        "formatted": {"total": fmt.text(refund.total.amount)},
        "receipt_urls": {
            "html": f"/receipts/{refund.number}/",
            "pdf": f"/receipts/{refund.number}.pdf",
        },
    }


def sale_detail_payload(sale: Sale, locale: str) -> dict:
    """The sale as at checkout, plus what the register needs to refund or void it."""
    payload = sale_payload(sale, locale)
    fmt = Amounts(str(sale.total.currency), locale)
    done = refunded_quantities(sale)
    for line in payload["lines"]:
        line["refunded_quantity"] = done.get(line["id"], 0)
        line["refundable_quantity"] = (
            0 if sale.status == Sale.Status.VOIDED else line["quantity"] - line["refunded_quantity"]
        )
    refunds_list = list(sale.refunds.order_by("created_at", "pk"))
    payload["refunds"] = [refund_brief(r, fmt) for r in refunds_list]
    payload["shift"] = sale.shift_id
    payload["can_void"] = bool(
        sale.status == Sale.Status.COMPLETED
        and not refunds_list
        and sale.shift_id is not None
        and sale.shift.status == Shift.Status.OPEN
    )
    return payload


SALE_DETAIL_RESPONSE = OpenApiResponse(
    inline_serializer("SaleDetail", {"number": serializers.CharField()}),
    description=(
        "The sale as returned by checkout, plus per line `refunded_quantity` and "
        "`refundable_quantity`, the sale's `refunds` (number, kind, total, receipt URLs), its "
        "`shift` and `can_void` (a completed sale of an open shift without refunds)."
    ),
)


class SaleDetailView(PosView):
    @extend_schema(summary="A completed sale", responses={200: SALE_DETAIL_RESPONSE, **ERRORS})
    def get(self, request: Request, number: str) -> Response:
        return Response(sale_detail_payload(sale_for_user(number, request.user), store_locale()))


class ShiftSalesIn(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=30, min_value=1, max_value=200)
    search = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")


def sale_summary(sale: Sale, locale: str) -> dict:
    fmt = Amounts(str(sale.total.currency), locale)
    refunds_list = sorted(sale.refunds.all(), key=lambda r: (r.created_at, r.pk))
    refunded = sum((r.total.amount for r in refunds_list), Decimal("0"))
    return {
        "number": sale.number,
        "status": sale.status,
        "created_at": sale.created_at.isoformat(),
        "cashier": sale.cashier.get_full_name() or sale.cashier.get_username(),
        "item_count": sale.item_count,
        "total": fmt.money(sale.total.amount),
        "refunded": fmt.money(refunded),
        "payment_methods": sorted({p.method for p in sale.payments.all()}),
        "refunds": [refund_brief(r, fmt) for r in refunds_list],
        "formatted": {"total": fmt.text(sale.total.amount), "refunded": fmt.text(refunded)},
        "receipt_urls": {
            "html": f"/receipts/{sale.number}/",
            "pdf": f"/receipts/{sale.number}.pdf",
        },
    }


class CurrentShiftSalesView(PosView):
    @extend_schema(
        operation_id="shifts_current_sales",
        summary="Sales of the caller's open shift, newest first (the register's recent sales)",
        description=(
            "Only the caller's own open shift: the same rule as receipts. `?search=42` finds "
            "sale numbers ending in 42; `?limit=` (1-200, default 30). `count` is the number of "
            "matching sales, `results` the newest `limit` of them."
        ),
        parameters=[ShiftSalesIn],
        responses={
            200: inline_serializer(
                "ShiftSales",
                {
                    "shift": serializers.IntegerField(),
                    "count": serializers.IntegerField(),
                    "results": serializers.ListField(),
                },
            ),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        params = _valid(ShiftSalesIn, request.query_params)
        found = current_shift_sales(request.user, limit=params["limit"], search=params["search"])
        locale = store_locale()
        return Response(
            {
                "shift": found.shift.pk,
                "count": found.count,
                "results": [sale_summary(sale, locale) for sale in found.sales],
            }
        )
