"""Register shifts: opening float, cash in/out, X report any time, Z report at closing."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from djmoney.money import Money

from pos_site.errors import ConflictError, NotFoundError, PermissionDeniedError, ServiceError
from store.selectors import current_store_settings, format_amount, money_payload

from .models import (
    CashMovement,
    Payment,
    Refund,
    RefundLine,
    RefundPayment,
    Register,
    Sale,
    SaleTax,
    Shift,
)

ZERO = Decimal("0")


def amount_payload(amount: Decimal, currency: str, locale: str) -> dict:
    return {**money_payload(amount, currency), "formatted": format_amount(amount, currency, locale)}


def _money_input(value: object, what: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except Exception:
        raise ServiceError(
            f"The {what} must be an amount such as 100.00.", "invalid_amount"
        ) from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("1000000"):
        raise ServiceError(f"The {what} must be between 0 and 1,000,000.", "invalid_amount")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ServiceError(f"The {what} has too many decimals.", "invalid_amount")
    return amount


def open_shift(*, user: AbstractBaseUser, register: Register, opening_float: object) -> Shift:
    """Open the drawer on a register with the counted opening float."""
    if not user.has_perm("pos.use_register"):
        raise PermissionDeniedError("Only cashiers and managers open shifts.", "not_allowed")
    if not register.is_active:
        raise ServiceError(
            f"{register.name} is closed; choose another register.", "register_closed"
        )
    amount = _money_input(opening_float, "opening float")
    current = Shift.objects.filter(status=Shift.Status.OPEN, register=register).first()
    if current is not None:
        who = current.cashier.get_full_name() or current.cashier.get_username()
        raise ConflictError(
            f"{register.name} already has a shift open by {who}; close it first.",
            "shift_already_open",
        )
    if Shift.objects.filter(status=Shift.Status.OPEN, cashier=user).exists():
        raise ConflictError(
            "You already have a shift open on another register; close it first.",
            "shift_already_open",
        )
    currency = current_store_settings().currency
    try:
        with transaction.atomic():
            return Shift.objects.create(
                register=register, cashier=user, opening_float=Money(amount, currency)
            )
    except IntegrityError:
        raise ConflictError(
            "A shift was just opened on this register.", "shift_already_open"
        ) from None


def shift_for_user(shift_id: object, user: AbstractBaseUser) -> Shift:
    """A shift its cashier or a manager may see; 404 for anybody else."""
    try:
        shift = Shift.objects.select_related("register", "cashier").filter(pk=int(shift_id)).first()
    except (TypeError, ValueError):
        shift = None
    if shift is None or not (shift.cashier_id == user.pk or user.has_perm("pos.view_shift")):
        raise NotFoundError("This shift does not exist or is not yours.", "shift_not_found")
    return shift


def current_shift_of(user: AbstractBaseUser) -> Shift:
    shift = (
        Shift.objects.select_related("register", "cashier")
        .filter(cashier=user, status=Shift.Status.OPEN)
        .first()
    )
    if shift is None:
        raise NotFoundError("You have no open shift.", "no_open_shift")
    return shift


def _require_open(shift: Shift) -> None:
    if shift.status != Shift.Status.OPEN:
        raise ConflictError("This shift is closed.", "shift_closed")


def record_cash_movement(
    *, shift: Shift, kind: str, amount: object, reason: str, user: AbstractBaseUser
) -> CashMovement:
    """Cash into or out of the drawer, with a reason (float top-up, paying a supplier…)."""
    _require_open(shift)
    if kind not in CashMovement.Kind.values:
        raise ServiceError('The kind is "pay_in" or "pay_out".', "invalid_kind")
    value = _money_input(amount, "amount")
    if value == 0:
        raise ServiceError("The amount must be more than zero.", "invalid_amount")
    if not (reason or "").strip():
        raise ServiceError("Say why cash goes in or out of the drawer.", "reason_required")
    if kind == CashMovement.Kind.PAY_OUT:
        expected = Decimal(shift_report(shift)["expected_cash"]["amount"])
        if value > expected:
            raise ConflictError(
                f"The drawer should hold only {expected}; cannot pay out {value}.",
                "not_enough_cash",
            )
    currency = str(shift.opening_float.currency)
    return CashMovement.objects.create(
        shift=shift,
        kind=kind,
        amount=Money(value, currency),
        reason=reason.strip()[:200],
        user=user,
    )


def shift_report(shift: Shift) -> dict:
    """X report (or the Z report's figures): everything summed in the database.

    A handful of aggregate queries whatever the number of sales (indexed on shift).
    """
    store = current_store_settings()
    currency = str(shift.opening_float.currency)

    def money(amount: Decimal) -> dict:
        return amount_payload(amount, currency, store.locale)

    sales = Sale.objects.filter(shift=shift)
    totals = sales.aggregate(
        count=Count("id"),
        gross=Sum("subtotal"),
        discounts=Sum("discount_total"),
        total=Sum("total"),
        rounding=Sum("cash_rounding"),
        items=Sum("item_count"),
    )
    refunds = Refund.objects.filter(shift=shift)
    refund_totals = refunds.aggregate(count=Count("id"), total=Sum("total"))
    taxes = {
        row["rate"]: row["tax"] or ZERO
        for row in SaleTax.objects.filter(sale__shift=shift).values("rate").annotate(tax=Sum("tax"))
    }
    for row in (
        RefundLine.objects.filter(refund__shift=shift)
        .values("sale_line__tax_rate")
        .annotate(tax=Sum("tax"))
    ):
        rate = row["sale_line__tax_rate"]
        taxes[rate] = taxes.get(rate, ZERO) - (row["tax"] or ZERO)
    tenders = {
        row["method"]: row["amount"] or ZERO
        for row in Payment.objects.filter(sale__shift=shift)
        .values("method")
        .annotate(amount=Sum("amount"))
    }
    refunded = {
        row["method"]: row["amount"] or ZERO
        for row in RefundPayment.objects.filter(refund__shift=shift)
        .values("method")
        .annotate(amount=Sum("amount"))
    }
    movements = {
        row["kind"]: row["amount"] or ZERO
        for row in shift.cash_movements.values("kind").annotate(amount=Sum("amount"))
    }
    opening = shift.opening_float.amount
    cash_in = tenders.get("cash", ZERO)
    cash_out = refunded.get("cash", ZERO)
    expected = (
        opening
        + cash_in
        - cash_out
        + movements.get(CashMovement.Kind.PAY_IN, ZERO)
        - movements.get(CashMovement.Kind.PAY_OUT, ZERO)
    )
    sales_total = totals["total"] or ZERO
    refund_total = refund_totals["total"] or ZERO
    methods = sorted(set(tenders) | set(refunded))
    return {
        "shift": shift.pk,
        "register": shift.register.name,
        "cashier": shift.cashier.get_full_name() or shift.cashier.get_username(),
        "status": shift.status,
        "opened_at": shift.opened_at.isoformat(),
        "closed_at": shift.closed_at.isoformat() if shift.closed_at else None,
        "sales_count": totals["count"],
        "items_sold": totals["items"] or 0,
        "gross": money(totals["gross"] or ZERO),
        "discounts": money(totals["discounts"] or ZERO),
        "sales_total": money(sales_total),
        "refunds_count": refund_totals["count"],
        "refunds": money(refund_total),
        "net": money(sales_total - refund_total),
        "tax": [{"rate": str(rate), "tax": money(taxes[rate])} for rate in sorted(taxes)],
        "tenders": [
            {
                "method": method,
                "taken": money(tenders.get(method, ZERO)),
                "refunded": money(refunded.get(method, ZERO)),
                "net": money(tenders.get(method, ZERO) - refunded.get(method, ZERO)),
            }
            for method in methods
        ],
        "opening_float": money(opening),
        "paid_in": money(movements.get(CashMovement.Kind.PAY_IN, ZERO)),
        "paid_out": money(movements.get(CashMovement.Kind.PAY_OUT, ZERO)),
        "cash_rounding": money(totals["rounding"] or ZERO),
        "expected_cash": money(expected),
    }


@transaction.atomic
def close_shift(*, shift: Shift, counted_cash: object, user: AbstractBaseUser) -> dict:
    """Count the drawer and close the shift; returns the Z report, frozen on the shift."""
    if not (shift.cashier_id == user.pk or user.has_perm("pos.change_shift")):
        raise PermissionDeniedError(
            "Only the shift's cashier or a manager can close it.", "not_allowed"
        )
    counted = _money_input(counted_cash, "counted cash")
    locked = Shift.objects.select_for_update().get(pk=shift.pk)
    _require_open(locked)
    Shift.objects.filter(pk=shift.pk).update(status=Shift.Status.CLOSED)  # no sale joins now
    report = shift_report(locked)
    expected = Decimal(report["expected_cash"]["amount"])
    currency = str(locked.opening_float.currency)
    locale = current_store_settings().locale
    report["status"] = Shift.Status.CLOSED
    report["counted_cash"] = amount_payload(counted, currency, locale)
    difference = counted - expected
    report["over_short"] = amount_payload(difference, currency, locale)
    now = timezone.now()
    report["closed_at"] = now.isoformat()
    locked.status = Shift.Status.CLOSED
    locked.closed_at = now
    locked.closed_by = user
    locked.counted_cash = Money(counted, currency)
    locked.expected_cash = Money(expected, currency)
    locked.z_report = report
    locked.save()
    return report
