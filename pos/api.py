"""POS API: carts, checkout and sales under /api/v1/ (contract fixed by issue #4)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from store.selectors import current_store_settings, format_amount, money_payload

from . import refunds, services, shifts
from .models import Cart, Refund, Register, Sale
from .payments import CardDetails
from .selectors import PricedCartView, cart_for_user, parked_carts, priced_cart, sale_for_user


class CanUseRegister(permissions.BasePermission):
    message = "Only cashiers and managers can use the register."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("pos.use_register"))


# --------------------------------------------------------------------------- representations


class Amounts:
    """Builds `{"amount": "12.50", "currency": "USD"}` and formatted strings for one store."""

    def __init__(self, currency: str, locale: str):
        self.currency, self.locale = currency, locale

    def money(self, amount: Decimal) -> dict[str, str]:
        return money_payload(amount, self.currency)

    def text(self, amount: Decimal) -> str:
        return format_amount(amount, self.currency, self.locale)


def cart_payload(view: PricedCartView) -> dict:
    priced, store = view.priced, view.store
    fmt = Amounts(priced.currency, store.locale)
    by_key = {line.key: line for line in priced.lines}
    lines = []
    for line in view.lines:
        p = by_key[line.pk]
        lines.append(
            {
                "id": line.pk,
                "product": line.product_id,
                "name": line.product.name,
                "sku": line.product.sku,
                "barcode": line.product.barcode,
                "quantity": line.quantity,
                "unit_price": fmt.money(p.unit_price),
                "discount": fmt.money(p.discount),
                "cart_discount": fmt.money(p.cart_discount),
                "line_total": fmt.money(p.total),
                "tax_rate": str(p.tax_rate),
                "tax": fmt.money(p.tax),
                "formatted": {
                    "unit_price": fmt.text(p.unit_price),
                    "discount": fmt.text(p.discount),
                    "line_total": fmt.text(p.total),
                },
            }
        )
    cart = view.cart
    return {
        "id": cart.pk,
        "status": cart.status,
        "register": {"id": cart.register_id, "name": cart.register.name},
        "lines": lines,
        "item_count": sum(line.quantity for line in view.lines),
        "prices_include_tax": priced.prices_include_tax,
        "cart_discount_rule": (
            {"kind": cart.discount_kind, "value": str(cart.discount_value)}
            if cart.discount_kind
            else None
        ),
        "subtotal": fmt.money(priced.subtotal),
        "line_discounts": fmt.money(priced.line_discounts),
        "cart_discount": fmt.money(priced.cart_discount),
        "discount_total": fmt.money(priced.discount_total),
        "tax": [
            {"rate": str(band.rate), "taxable": fmt.money(band.taxable), "tax": fmt.money(band.tax)}
            for band in priced.tax_bands
        ],
        "tax_total": fmt.money(priced.tax_total),
        "total": fmt.money(priced.total),
        "cash_due": fmt.money(view.cash_due),
        "formatted": {
            "subtotal": fmt.text(priced.subtotal),
            "discount_total": fmt.text(priced.discount_total),
            "tax": [fmt.text(band.tax) for band in priced.tax_bands],
            "tax_total": fmt.text(priced.tax_total),
            "total": fmt.text(priced.total),
            "cash_due": fmt.text(view.cash_due),
        },
    }


def sale_payload(sale: Sale, locale: str) -> dict:
    currency = str(sale.total.currency)
    fmt = Amounts(currency, locale)
    return {
        "number": sale.number,
        "status": sale.status,
        "created_at": sale.created_at.isoformat(),
        "cashier": sale.cashier.get_full_name() or sale.cashier.get_username(),
        "register": sale.register.name,
        "prices_include_tax": sale.prices_include_tax,
        "lines": [
            {
                "id": line.pk,
                "product": line.product_id,
                "name": line.name,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": fmt.money(line.unit_price.amount),
                "discount": fmt.money(line.discount.amount + line.cart_discount.amount),
                "line_total": fmt.money(line.total.amount),
                "tax_rate": str(line.tax_rate),
                "tax": fmt.money(line.tax.amount),
            }
            for line in sale.lines.all()
        ],
        "subtotal": fmt.money(sale.subtotal.amount),
        "discount_total": fmt.money(sale.discount_total.amount),
        "tax": [
            {
                "rate": str(t.rate),
                "taxable": fmt.money(t.taxable.amount),
                "tax": fmt.money(t.tax.amount),
            }
            for t in sale.taxes.all()
        ],
        "tax_total": fmt.money(sale.tax_total.amount),
        "total": fmt.money(sale.total.amount),
        "cash_rounding": fmt.money(sale.cash_rounding.amount),
        "amount_paid": fmt.money(sale.amount_paid.amount),
        "change": fmt.money(sale.change_given.amount),
        "payments": [
            {
                "method": payment.method,
                "amount": fmt.money(payment.amount.amount),
                "tendered": fmt.money(payment.tendered.amount),
                "change": fmt.money(payment.change.amount),
                "card": payment.card_display or None,
                "reference": payment.reference,
            }
            for payment in sale.payments.all()
        ],
        "formatted": {
            "total": fmt.text(sale.total.amount),
            "change": fmt.text(sale.change_given.amount),
            "amount_paid": fmt.text(sale.amount_paid.amount),
        },
        "receipt_urls": {
            "html": f"/receipts/{sale.number}/",
            "pdf": f"/receipts/{sale.number}.pdf",
        },
    }


# --------------------------------------------------------------------------- request bodies


class OpenCartIn(serializers.Serializer):
    register = serializers.PrimaryKeyRelatedField(
        queryset=Register.objects.all(), required=False, help_text="Default: the first register."
    )


class AddLineIn(serializers.Serializer):
    barcode = serializers.CharField(required=False, max_length=32)
    product = serializers.IntegerField(required=False)
    quantity = serializers.IntegerField(required=False, default=1, min_value=1, max_value=9999)

    def validate(self, attrs):
        if ("barcode" in attrs) == ("product" in attrs):
            raise serializers.ValidationError("Send either a barcode or a product id.")
        return attrs


class LineUpdateIn(serializers.Serializer):
    quantity = serializers.IntegerField(required=False, min_value=0, max_value=9999)
    discount = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=Decimal("0")
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send a quantity or a discount.")
        return attrs


class DiscountIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["amount", "percent"])
    value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))


class CardIn(serializers.Serializer):
    number = serializers.CharField(max_length=30, write_only=True)
    exp_month = serializers.IntegerField(min_value=1, max_value=12)
    exp_year = serializers.IntegerField(min_value=2000, max_value=2100)
    cvc = serializers.CharField(max_length=4, write_only=True)


class PaymentIn(serializers.Serializer):
    method = serializers.ChoiceField(choices=["cash", "card", "other"])
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    card = CardIn(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100)

    def validate(self, attrs):
        if attrs["method"] == "card" and "card" not in attrs:
            raise serializers.ValidationError("A card payment needs the card details.")
        if attrs["method"] != "card" and "card" in attrs:
            raise serializers.ValidationError("Card details belong to a card payment only.")
        return attrs


class CheckoutIn(serializers.Serializer):
    idempotency_key = serializers.UUIDField()
    payments = PaymentIn(many=True, allow_empty=False)


CART_RESPONSE = OpenApiResponse(
    inline_serializer("Cart", {"id": serializers.IntegerField()}),
    description="The full priced cart (lines, subtotal, discounts, tax breakdown, total).",
)
SALE_RESPONSE = OpenApiResponse(
    inline_serializer("Sale", {"number": serializers.CharField()}),
    description="The sale with lines, totals, payments, change and receipt URLs.",
)
ERROR = OpenApiResponse(
    inline_serializer(
        "Error", {"detail": serializers.CharField(), "code": serializers.CharField()}
    ),
    description='`{"detail": "...", "code": "..."}`',
)
ERRORS = {400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR}


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --------------------------------------------------------------------------- views


class PosView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanUseRegister]

    def cart(self, cart_id: int, *, for_update: bool = False) -> Cart:
        return cart_for_user(cart_id, self.request.user, for_update=for_update)

    def cart_response(self, cart: Cart, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(cart_payload(priced_cart(cart)), status=status_code)


class CartListView(PosView):
    @extend_schema(
        operation_id="carts_parked_list",
        summary="The caller's parked carts",
        responses={200: inline_serializer("ParkedCarts", {"results": serializers.ListField()})},
    )
    def get(self, request: Request) -> Response:
        return Response(
            {"results": [cart_payload(priced_cart(c)) for c in parked_carts(request.user)]}
        )

    @extend_schema(
        summary="Open (or get) the caller's cart",
        request=OpenCartIn,
        responses={200: CART_RESPONSE, 201: CART_RESPONSE, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _valid(OpenCartIn, request.data)
        cart, created = services.open_cart(user=request.user, register=data.get("register"))
        return self.cart_response(cart, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CartDetailView(PosView):
    @extend_schema(summary="A cart with its prices", responses={200: CART_RESPONSE, **ERRORS})
    def get(self, request: Request, cart_id: int) -> Response:
        return self.cart_response(self.cart(cart_id))

    @extend_schema(summary="Empty the cart", responses={200: CART_RESPONSE, **ERRORS})
    def delete(self, request: Request, cart_id: int) -> Response:
        cart = self.cart(cart_id)
        services.clear_cart(cart=cart)
        return self.cart_response(cart)


class CartLinesView(PosView):
    @extend_schema(
        summary="Add a product by barcode or id",
        request=AddLineIn,
        responses={201: CART_RESPONSE, **ERRORS},
    )
    def post(self, request: Request, cart_id: int) -> Response:
        cart = self.cart(cart_id)
        data = _valid(AddLineIn, request.data)
        services.add_to_cart(
            cart=cart,
            product_id=data.get("product"),
            barcode=data.get("barcode"),
            quantity=data["quantity"],
        )
        return self.cart_response(cart, status.HTTP_201_CREATED)


class CartLineView(PosView):
    @extend_schema(
        summary="Change a line's quantity (0 removes it) or discount",
        request=LineUpdateIn,
        responses={200: CART_RESPONSE, **ERRORS},
    )
    def patch(self, request: Request, cart_id: int, line_id: int) -> Response:
        cart = self.cart(cart_id)
        data = _valid(LineUpdateIn, request.data)
        if "quantity" in data:
            line = services.set_line_quantity(cart=cart, line_id=line_id, quantity=data["quantity"])
            if line is None:  # quantity 0 removed the line
                return self.cart_response(cart)
        if "discount" in data:
            services.set_line_discount(
                cart=cart, line_id=line_id, amount=data["discount"], user=request.user
            )
        return self.cart_response(cart)

    @extend_schema(summary="Remove a line", responses={200: CART_RESPONSE, **ERRORS})
    def delete(self, request: Request, cart_id: int, line_id: int) -> Response:
        cart = self.cart(cart_id)
        services.remove_line(cart=cart, line_id=line_id)
        return self.cart_response(cart)


class CartDiscountView(PosView):
    @extend_schema(
        summary="Discount the whole cart (amount or percent; 0 removes it)",
        request=DiscountIn,
        responses={200: CART_RESPONSE, **ERRORS},
    )
    def post(self, request: Request, cart_id: int) -> Response:
        cart = self.cart(cart_id)
        data = _valid(DiscountIn, request.data)
        services.set_cart_discount(
            cart=cart, kind=data["kind"], value=data["value"], user=request.user
        )
        return self.cart_response(cart)


class CartParkView(PosView):
    @extend_schema(summary="Park the cart", request=None, responses={200: CART_RESPONSE, **ERRORS})
    def post(self, request: Request, cart_id: int) -> Response:
        return self.cart_response(services.park_cart(cart=self.cart(cart_id)))


class CartResumeView(PosView):
    @extend_schema(
        summary="Resume a parked cart", request=None, responses={200: CART_RESPONSE, **ERRORS}
    )
    def post(self, request: Request, cart_id: int) -> Response:
        return self.cart_response(services.resume_cart(cart=self.cart(cart_id)))


class CheckoutView(PosView):
    @extend_schema(
        summary="Pay and complete the sale",
        description=(
            "Idempotent: the same `idempotency_key` returns the same sale (200). Card numbers "
            "are passed to the payment gateway and never stored."
        ),
        request=CheckoutIn,
        responses={200: SALE_RESPONSE, 201: SALE_RESPONSE, **ERRORS},
    )
    def post(self, request: Request, cart_id: int) -> Response:
        cart = self.cart(cart_id)
        data = _valid(CheckoutIn, request.data)
        payments = [
            services.PaymentRequest(
                method=p["method"],
                amount=p["amount"],
                reference=p.get("reference", ""),
                card=CardDetails(
                    number=p["card"]["number"],
                    exp_month=p["card"]["exp_month"],
                    exp_year=p["card"]["exp_year"],
                    cvc=p["card"]["cvc"],
                )
                if "card" in p
                else None,
            )
            for p in data["payments"]
        ]
        result = services.checkout_cart(
            cart=cart, payments=payments, idempotency_key=data["idempotency_key"], user=request.user
        )
        sale = result.sale if result.created else sale_for_user(result.sale.number, request.user)
        return Response(
            sale_payload(sale, store_locale()),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


def store_locale() -> str:
    return current_store_settings().locale


# --------------------------------------------------------------------------- shifts


class OpenShiftIn(serializers.Serializer):
    register = serializers.PrimaryKeyRelatedField(queryset=Register.objects.all())
    opening_float = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0")
    )


class CashMovementIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["pay_in", "pay_out"])
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reason = serializers.CharField(max_length=200)


class CloseShiftIn(serializers.Serializer):
    counted_cash = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))


class MoneyOut(serializers.Serializer):
    """An amount as a string with its currency code (never a float)."""

    amount = serializers.CharField(help_text='Decimal string, e.g. "12.50".')
    currency = serializers.CharField(help_text="ISO 4217 code.")


class ReportAmountOut(MoneyOut):
    formatted = serializers.CharField(help_text="For display in the store's locale.")


class ReportTaxOut(serializers.Serializer):
    rate = serializers.CharField(help_text='Tax rate in percent, e.g. "8.25".')
    tax = ReportAmountOut(help_text="Tax of the sales at this rate minus tax refunded.")


class ReportTenderOut(serializers.Serializer):
    method = serializers.ChoiceField(choices=["cash", "card", "other"])
    taken = ReportAmountOut(help_text="Paid by customers with this tender.")
    refunded = ReportAmountOut(help_text="Given back on this tender by refunds and voids.")
    net = ReportAmountOut(help_text="taken − refunded")


class ShiftReportSerializer(serializers.Serializer):
    """The X report (any time) or the Z report (closing: adds counted_cash and over_short)."""

    shift = serializers.IntegerField()
    register = serializers.CharField(help_text="Register name.")
    cashier = serializers.CharField(help_text="Who opened the shift.")
    status = serializers.ChoiceField(choices=["open", "closed"])
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    sales_count = serializers.IntegerField()
    items_sold = serializers.IntegerField()
    gross = ReportAmountOut(help_text="Sum of the sales' subtotals before discounts.")
    discounts = ReportAmountOut(help_text="Line and cart discounts given.")
    sales_total = ReportAmountOut(help_text="Sum of the sales' totals (what customers paid).")
    refunds_count = serializers.IntegerField(help_text="Refunds and voids in this shift.")
    refunds = ReportAmountOut(help_text="Money given back by refunds and voids.")
    net = ReportAmountOut(help_text="sales_total − refunds")
    tax = ReportTaxOut(many=True, help_text="Net tax per rate.")
    tenders = ReportTenderOut(many=True)
    opening_float = ReportAmountOut()
    paid_in = ReportAmountOut(help_text="Cash paid into the drawer (cash movements).")
    paid_out = ReportAmountOut(help_text="Cash paid out of the drawer (cash movements).")
    cash_rounding = ReportAmountOut(help_text="Sum of the cash rounding of the sales.")
    expected_cash = ReportAmountOut(
        help_text="opening_float + cash taken − cash refunded + paid_in − paid_out"
    )
    counted_cash = ReportAmountOut(required=False, help_text="Z report only: what was counted.")
    over_short = ReportAmountOut(
        required=False, help_text="Z report only: counted_cash − expected_cash (negative: short)."
    )


SHIFT_REPORT = OpenApiResponse(
    ShiftReportSerializer,
    description="Sales count, gross, discounts, refunds, net, tax per rate, tenders, cash.",
)


class ShiftListView(PosView):
    @extend_schema(
        summary="Open a shift with its opening float",
        request=OpenShiftIn,
        responses={201: SHIFT_REPORT, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _valid(OpenShiftIn, request.data)
        shift = shifts.open_shift(
            user=request.user, register=data["register"], opening_float=data["opening_float"]
        )
        return Response(shifts.shift_report(shift), status=status.HTTP_201_CREATED)


class CurrentShiftView(PosView):
    @extend_schema(summary="The caller's open shift", responses={200: SHIFT_REPORT, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(shifts.shift_report(shifts.current_shift_of(request.user)))


class ShiftCashMovementView(PosView):
    @extend_schema(
        summary="Cash paid into or out of the drawer",
        request=CashMovementIn,
        responses={201: SHIFT_REPORT, **ERRORS},
    )
    def post(self, request: Request, shift_id: int) -> Response:
        shift = shifts.shift_for_user(shift_id, request.user)
        data = _valid(CashMovementIn, request.data)
        shifts.record_cash_movement(shift=shift, user=request.user, **data)
        return Response(shifts.shift_report(shift), status=status.HTTP_201_CREATED)


class ShiftReportView(PosView):
    @extend_schema(summary="X report of a shift", responses={200: SHIFT_REPORT, **ERRORS})
    def get(self, request: Request, shift_id: int) -> Response:
        shift = shifts.shift_for_user(shift_id, request.user)
        return Response(shift.z_report if shift.z_report else shifts.shift_report(shift))


class ShiftCloseView(PosView):
    @extend_schema(
        summary="Close the shift with the counted cash (Z report)",
        request=CloseShiftIn,
        responses={200: SHIFT_REPORT, **ERRORS},
    )
    def post(self, request: Request, shift_id: int) -> Response:
        shift = shifts.shift_for_user(shift_id, request.user)
        data = _valid(CloseShiftIn, request.data)
        return Response(
            shifts.close_shift(shift=shift, counted_cash=data["counted_cash"], user=request.user)
        )


# --------------------------------------------------------------------------- refunds and voids


class ApprovalIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, write_only=True)


class RefundLineIn(serializers.Serializer):
    line = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1, max_value=9999)
    restock = serializers.BooleanField(default=True)


class RefundIn(serializers.Serializer):
    idempotency_key = serializers.UUIDField()
    lines = RefundLineIn(many=True, allow_empty=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    tender = serializers.ChoiceField(choices=["original", "cash"], default="original")
    approver = ApprovalIn(required=False)


class VoidIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    approver = ApprovalIn(required=False)


class RefundLineOut(serializers.Serializer):
    line = serializers.IntegerField(help_text="The sale line's id.")
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    restock = serializers.BooleanField(help_text="Back to stock (false: written off).")
    amount = MoneyOut(help_text="Money back for this line, tax included.")
    tax = MoneyOut()


class RefundPaymentOut(serializers.Serializer):
    method = serializers.ChoiceField(choices=["cash", "card", "other"])
    amount = MoneyOut()
    reference = serializers.CharField(
        help_text="The gateway's refund reference (card), else empty."
    )


class RefundSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="R-000045")
    kind = serializers.ChoiceField(choices=["refund", "void"])
    sale = serializers.CharField(help_text="The sale's number.")
    created_at = serializers.DateTimeField()
    approved_by = serializers.CharField(help_text="Username of the approving manager.")
    reason = serializers.CharField(allow_blank=True)
    lines = RefundLineOut(many=True)
    total = MoneyOut(help_text="Money returned to the customer.")
    tax_total = MoneyOut()
    payments = RefundPaymentOut(many=True, help_text="How the money went back.")
    formatted = inline_serializer("RefundFormatted", {"total": serializers.CharField()})
    receipt_urls = inline_serializer(
        "RefundReceiptUrls", {"html": serializers.CharField(), "pdf": serializers.CharField()}
    )


REFUND_RESPONSE = OpenApiResponse(
    RefundSerializer,
    description="The refund (or void) with its lines, money back per tender and receipt URL.",
)


def refund_payload(refund: Refund, locale: str) -> dict:
    fmt = Amounts(str(refund.total.currency), locale)
    return {
        "number": refund.number,
        "kind": refund.kind,
        "sale": refund.sale.number,
        "created_at": refund.created_at.isoformat(),
        "approved_by": refund.approved_by.get_username(),
        "reason": refund.reason,
        "lines": [
            {
                "line": line.sale_line_id,
                "name": line.sale_line.name,
                "quantity": line.quantity,
                "restock": line.restock,
                "amount": fmt.money(line.amount.amount),
                "tax": fmt.money(line.tax.amount),
            }
            for line in refund.lines.select_related("sale_line")
        ],
        "total": fmt.money(refund.total.amount),
        "tax_total": fmt.money(refund.tax_total.amount),
        "payments": [
            {"method": p.method, "amount": fmt.money(p.amount.amount), "reference": p.reference}
            for p in refund.payments.all()
        ],
        "formatted": {"total": fmt.text(refund.total.amount)},
        "receipt_urls": {
            "html": f"/receipts/{refund.number}/",
            "pdf": f"/receipts/{refund.number}.pdf",
        },
    }


def _approval(data: dict) -> refunds.Approval | None:
    approver = data.get("approver")
    return refunds.Approval(**approver) if approver else None


class SaleRefundView(PosView):
    @extend_schema(
        summary="Refund lines of a sale",
        description="Needs pos.refund_sale, or a manager's username and password in `approver`.",
        request=RefundIn,
        responses={200: REFUND_RESPONSE, 201: REFUND_RESPONSE, **ERRORS},
    )
    def post(self, request: Request, number: str) -> Response:
        sale = sale_for_user(number, request.user)
        data = _valid(RefundIn, request.data)
        result = refunds.refund_sale(
            sale=sale,
            lines=[
                refunds.RefundLineRequest(line["line"], line["quantity"], line["restock"])
                for line in data["lines"]
            ],
            idempotency_key=data["idempotency_key"],
            user=request.user,
            approval=_approval(data),
            reason=data.get("reason", ""),
            tender=data["tender"],
            request=request,
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(refund_payload(result.refund, store_locale()), status=code)


class SaleVoidView(PosView):
    @extend_schema(
        summary="Void a sale of the open shift",
        description="Needs pos.void_sale, or a manager's username and password in `approver`.",
        request=VoidIn,
        responses={200: REFUND_RESPONSE, 201: REFUND_RESPONSE, **ERRORS},
    )
    def post(self, request: Request, number: str) -> Response:
        sale = sale_for_user(number, request.user)
        data = _valid(VoidIn, request.data)
        result = refunds.void_sale(
            sale=sale,
            user=request.user,
            approval=_approval(data),
            reason=data.get("reason", ""),
            request=request,
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(refund_payload(result.refund, store_locale()), status=code)
