"""Receipt API: email a sale's receipt (`POST /api/v1/sales/{number}/email-receipt/`; a
refund's: `POST /api/v1/refunds/{number}/email-receipt/`) and send it to the receipt printer
(`POST /api/v1/sales/{number}/print-receipt/`). The same access rule as the receipt pages
(`selectors.can_view_receipt`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services


class MayOpenReceipts(permissions.BasePermission):
    message = "Your role cannot open receipts."

    def has_permission(self, request, view) -> bool:
        return selectors.may_open_receipts(request.user)


class EmailReceiptIn(serializers.Serializer):
    # A CharField: the service checks the address, so the API and the admin give one message.
    email = serializers.CharField(max_length=254, allow_blank=True, trim_whitespace=True)


ERROR = OpenApiResponse(
    inline_serializer(
        "ReceiptError", {"detail": serializers.CharField(), "code": serializers.CharField()}
    ),
    description='`{"detail": "...", "code": "..."}`',
)


EMAILED = {
    200: inline_serializer(
        "EmailedReceipt",
        {
            "detail": serializers.CharField(),
            "number": serializers.CharField(),
            "email": serializers.CharField(),
        },
    ),
    400: ERROR,
    403: ERROR,
    404: ERROR,
    503: ERROR,
}


class EmailReceiptView(APIView):
    permission_classes = [permissions.IsAuthenticated, MayOpenReceipts]

    @extend_schema(
        operation_id="sales_email_receipt",
        summary="Email the receipt of a sale",
        description=(
            "Sends the receipt as text with the PDF attached and a signed link that works "
            "without login until it expires. A mail failure answers 503 and leaves the sale "
            "unchanged."
        ),
        request=EmailReceiptIn,
        responses=EMAILED,
    )
    def post(self, request: Request, number: str) -> Response:
        return self.send(request, selectors.viewable_sale(number, request.user))

    def send(self, request: Request, sale) -> Response:
        serializer = EmailReceiptIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        sent = services.email_receipt(
            sale=sale,
            to=serializer.validated_data["email"],
            by_user=request.user,
            base_url=request.build_absolute_uri("/"),
        )
        return Response(
            {
                "detail": f"Receipt {sent.number} sent to {sent.to}.",
                "number": sent.number,
                "email": sent.to,
            },
            status=status.HTTP_200_OK,
        )


class EmailRefundReceiptView(EmailReceiptView):
    @extend_schema(
        operation_id="refunds_email_receipt",
        summary="Email the receipt of a refund or void (R-…)",
        description="As for a sale's receipt: the refund receipt names the original sale.",
        request=EmailReceiptIn,
        responses=EMAILED,
    )
    def post(self, request: Request, number: str) -> Response:
        return self.send(request, selectors.viewable_refund(number, request.user))


class PrintReceiptView(APIView):
    permission_classes = [permissions.IsAuthenticated, MayOpenReceipts]

    @extend_schema(
        operation_id="sales_print_receipt",
        summary="Print the receipt of a sale on the receipt printer (ESC/POS)",
        request=None,
        responses={
            200: inline_serializer(
                "PrintedReceipt",
                {"detail": serializers.CharField(), "number": serializers.CharField()},
            ),
            400: ERROR,
            403: ERROR,
            404: ERROR,
            503: ERROR,
        },
    )
    def post(self, request: Request, number: str) -> Response:
        sale = selectors.viewable_sale(number, request.user)
        services.print_receipt(sale=sale, by_user=request.user)
        return Response({"detail": f"Receipt {sale.number} printed.", "number": sale.number})
