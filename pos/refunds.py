"""Refunds and voids: money (and goods) back to the customer, never more than was paid."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, Sum, Value, When
from djmoney.money import Money

from catalog.models import Product
from pos_site.errors import ConflictError, NotFoundError, PermissionDeniedError, ServiceError

from . import pricing
from .inventory import lock_products, sync_low_stock_alerts
from .models import Payment, Refund, RefundLine, RefundPayment, Sale, Shift, StockMovement
from .payments import payment_gateway
from .services import _next_number, _parse_key

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
TENDER_ORDER = {"card": 0, "other": 1, "cash": 2}


@dataclass(frozen=True)
class RefundLineRequest:
    line_id: int
    quantity: int
    restock: bool = True


@dataclass(frozen=True)
class Approval:
    username: str
    password: str


@dataclass(frozen=True)
class RefundResult:
    refund: Refund
    created: bool


def approving_user(
    *, user: AbstractBaseUser, permission: str, approval: Approval | None, request=None
) -> AbstractBaseUser:
    """Who authorises the refund: the user if allowed, else a manager signing in on the spot."""
    if user.has_perm(permission):
        return user
    if approval is None:
        raise PermissionDeniedError(
            "A manager must approve this: ask a manager to enter their username and password.",
            "approval_required",
        )
    credentials = {"username": approval.username, "password": approval.password}
    approver = authenticate(request, **credentials)
    if approver is None and AxesProxyHandler.is_locked(request, credentials):
        raise PermissionDeniedError(
            f"Too many wrong passwords for {approval.username}: approval by this manager is "
            "locked for a while on this register.",
            "approval_locked",
        )
    if approver is None or not approver.is_active:
        raise PermissionDeniedError(
            "The manager's username or password is wrong.", "approval_failed"
        )
    if not approver.has_perm(permission):
        raise PermissionDeniedError(
            f"{approver.get_username()} is not allowed to approve this.", "approval_failed"
        )
    return approver


def _fingerprint(kind: str, sale: Sale, lines: Sequence[RefundLineRequest], tender: str) -> str:
    payload = json.dumps(
        [kind, sale.number, tender, sorted((x.line_id, x.quantity, x.restock) for x in lines)]
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _replayed(key: uuid.UUID, fingerprint: str) -> Refund | None:
    refund = Refund.objects.filter(idempotency_key=key).first()
    if refund is not None and refund.request_fingerprint != fingerprint:
        raise ConflictError(
            "This idempotency key was already used for a different refund.",
            "idempotency_key_reused",
        )
    return refund


def _lock_sale(sale: Sale) -> Sale:
    if connection.features.has_select_for_update:
        return Sale.objects.select_for_update().get(pk=sale.pk)
    Sale.objects.filter(pk=sale.pk).update(status=F("status"))  # SQLite: take the write lock
    return Sale.objects.get(pk=sale.pk)


def refund_shift_for(user: AbstractBaseUser, sale: Sale) -> Shift | None:
    """The open shift a refund by this user is paid from (and reported in).

    The user's own open shift (the register they stand at), else the open shift of the sale's
    register (a manager refunding there from the API). None when neither drawer is open.
    """
    return (
        Shift.objects.filter(status=Shift.Status.OPEN, cashier=user).first()
        or Shift.objects.filter(status=Shift.Status.OPEN, register=sale.register_id).first()
    )


def _hold_shift(shift_id: int | None, closed_message: str, code: str) -> Shift:
    """Lock the shift row inside the transaction and make sure it is still open.

    Closing a shift locks the same row, so the Z report either includes this refund or the
    refund is refused: it never lands on a closed shift or in no report at all.
    """
    if shift_id is None:
        raise ConflictError(closed_message, code)
    if connection.features.has_select_for_update:
        shift = Shift.objects.select_for_update().filter(pk=shift_id).first()
    else:  # SQLite: a no-op UPDATE takes the database's write lock
        Shift.objects.filter(pk=shift_id).update(status=F("status"))
        shift = Shift.objects.filter(pk=shift_id).first()
    if shift is None or shift.status != Shift.Status.OPEN:
        raise ConflictError(closed_message, code)
    return shift


NO_SHIFT = (
    "A refund is paid from an open shift: open a shift on this register first "
    "(or refund from a register whose shift is open)."
)
VOID_CLOSED = "Only sales of the open shift can be voided; refund it instead."


def _line_amounts(sale: Sale, requests: Sequence[RefundLineRequest]) -> list[tuple]:
    """(sale line, request, money back, tax back) per requested line, checked against limits."""
    lines = {line.pk: line for line in sale.lines.all()}
    done = {
        row["sale_line"]: row["quantity"]
        for row in RefundLine.objects.filter(sale_line__sale=sale)
        .values("sale_line")
        .annotate(quantity=Sum("quantity"))
    }
    seen: set[int] = set()
    currency = str(sale.total.currency)
    result = []
    for request in requests:
        line = lines.get(request.line_id)
        if line is None:
            raise NotFoundError(
                f"Line {request.line_id} is not part of {sale.number}.", "line_not_found"
            )
        if request.line_id in seen:
            raise ServiceError(f"Line {request.line_id} is listed twice.", "duplicate_line")
        seen.add(request.line_id)
        before = done.get(line.pk, 0)
        left = line.quantity - before
        if not 1 <= request.quantity <= left:
            raise ConflictError(
                f"Only {left} × {line.name} can still be refunded on {sale.number}.",
                "refund_too_large",
            )
        paid = line.total.amount + (ZERO if sale.prices_include_tax else line.tax.amount)
        money = pricing.refund_share(paid, line.quantity, before, request.quantity, currency)
        tax = pricing.refund_share(
            line.tax.amount, line.quantity, before, request.quantity, currency
        )
        result.append((line, request, money, tax))
    return result


def _allocate_tenders(
    sale: Sale, total: Decimal, tender: str
) -> list[tuple[Payment | None, str, Decimal]]:
    """Spread the money back over the sale's tenders: cards first, then vouchers, then cash.

    A manager may choose "cash" to give everything back in cash instead.
    """
    if tender == "cash":
        return [(None, "cash", total)]
    refunded = {
        row["payment"]: row["amount"]
        for row in RefundPayment.objects.filter(payment__sale=sale)
        .values("payment")
        .annotate(amount=Sum("amount"))
    }
    left = total
    plan = []
    for payment in sorted(sale.payments.all(), key=lambda p: (TENDER_ORDER[p.method], p.position)):
        room = payment.amount.amount - (refunded.get(payment.pk) or ZERO)
        share = min(room, left)
        if share > 0:
            plan.append((payment, payment.method, share))
            left -= share
    if left > 0:  # cash rounding made the sale's tenders a cent or two short: the drawer pays it
        plan.append((None, "cash", left))
    return plan


def _restock(refund: Refund, items: list[tuple], user: AbstractBaseUser) -> None:
    back = {}
    for line, request, _money, _tax in items:
        if request.restock:
            back[line.product_id] = back.get(line.product_id, 0) + request.quantity
    if not back:
        return
    ids = sorted(back)
    lock_products(ids)
    amount = Case(
        *[When(pk=pk, then=Value(q)) for pk, q in back.items()], output_field=IntegerField()
    )
    Product.objects.filter(pk__in=ids).update(quantity_on_hand=F("quantity_on_hand") + amount)
    levels = {
        pk: (qty, threshold)
        for pk, qty, threshold in Product.objects.filter(pk__in=ids).values_list(
            "pk", "quantity_on_hand", "low_stock_threshold"
        )
    }
    StockMovement.objects.bulk_create(
        StockMovement(
            product_id=pk,
            kind=StockMovement.Kind.REFUND,
            quantity=q,
            resulting_quantity=levels[pk][0],
            user=user,
            reference=refund.number,
            refund=refund,
        )
        for pk, q in sorted(back.items())
    )
    sync_low_stock_alerts(levels)


def _write_refund(
    *,
    kind: str,
    sale: Sale,
    requests: Sequence[RefundLineRequest],
    key: uuid.UUID,
    fingerprint: str,
    user: AbstractBaseUser,
    approver: AbstractBaseUser,
    reason: str,
    tender: str,
    shift_id: int | None,
    card_refs: dict[int, str],
) -> Refund:
    """Inside one transaction: check, write every row, and call the card gateway last.

    `card_refs` (payment id → gateway refund reference) is filled as the gateway answers, so
    the caller still knows which cards were refunded if this transaction rolls back later;
    payments already in it are not sent to the gateway again.
    """
    sale = _lock_sale(sale)
    if sale.status == Sale.Status.VOIDED:
        raise ConflictError(f"{sale.number} was voided; nothing is left to refund.", "sale_voided")
    if kind == Refund.Kind.VOID:
        shift = _hold_shift(sale.shift_id, VOID_CLOSED, "shift_closed")
        if sale.refunds.exists():
            raise ConflictError(
                f"{sale.number} already has refunds; refund the remaining items instead.",
                "sale_has_refunds",
            )
    else:
        shift = _hold_shift(shift_id, NO_SHIFT, "no_open_shift")
    items = _line_amounts(sale, requests)
    currency = str(sale.total.currency)
    total = sum((money for _l, _r, money, _t in items), ZERO)
    tax_total = sum((tax for _l, _r, _m, tax in items), ZERO)
    plan = _allocate_tenders(sale, total, tender)
    refund = Refund.objects.create(
        number=_next_number("R", "refund"),
        kind=kind,
        idempotency_key=key,
        request_fingerprint=fingerprint,
        sale=sale,
        shift=shift,
        register=shift.register,
        cashier=user,
        approved_by=approver,
        reason=reason[:200],
        total=Money(total, currency),
        tax_total=Money(tax_total, currency),
    )
    RefundLine.objects.bulk_create(
        RefundLine(
            refund=refund,
            sale_line=line,
            quantity=request.quantity,
            restock=request.restock,
            amount=Money(money, currency),
            tax=Money(tax, currency),
        )
        for line, request, money, tax in items
    )
    rows = RefundPayment.objects.bulk_create(
        RefundPayment(
            refund=refund,
            payment=payment,
            method=method,
            amount=Money(amount, currency),
            reference=card_refs.get(payment.pk, "") if payment is not None else "",
        )
        for payment, method, amount in plan
    )
    _restock(refund, items, user)
    if kind == Refund.Kind.VOID:
        Sale.objects.filter(pk=sale.pk).update(status=Sale.Status.VOIDED)
    # Last of all, the card money: everything that can be refused has been written by now.
    gateway = payment_gateway()
    for row in rows:
        if row.payment is None or row.method != Payment.Method.CARD:
            continue
        if row.payment_id not in card_refs:
            card_refs[row.payment_id] = gateway.refund(
                row.payment.reference, row.amount.amount, currency
            )
        _save_card_reference(row, card_refs[row.payment_id])
    return refund


def _save_card_reference(row: RefundPayment, reference: str) -> None:
    RefundPayment.objects.filter(pk=row.pk).update(reference=reference)


def _write(card_refs: dict[int, str], **kwargs) -> Refund:
    with transaction.atomic():
        return _write_refund(card_refs=card_refs, **kwargs)


def _record_refund(*, key: uuid.UUID, fingerprint: str, **kwargs) -> RefundResult:
    """Write the refund, card gateway included, so that card money never goes back unrecorded.

    The gateway is called at the very end of the transaction, once every row is written: a
    decline (or a gateway error) rolls everything back and nothing has changed. Only the saving
    of the gateway's reference and the commit can still fail after the money went back; then
    the refund is written again in a new transaction with the references already obtained
    (the gateway is not called twice). If that fails too, the card refunds are logged at
    CRITICAL with their gateway references and the manager is told to settle them by hand.
    """
    card_refs: dict[int, str] = {}
    arguments = {"key": key, "fingerprint": fingerprint, **kwargs}
    try:
        return RefundResult(_write(card_refs, **arguments), created=True)
    except IntegrityError:
        if card_refs:
            return _record_after_gateway(card_refs, arguments)
        existing = _replayed(key, fingerprint)  # a double submit won the race: same refund
        if existing is None:
            raise
        return RefundResult(existing, created=False)
    except Exception:
        if card_refs:
            return _record_after_gateway(card_refs, arguments)
        raise


def _record_after_gateway(card_refs: dict[int, str], arguments: dict) -> RefundResult:
    """The card was refunded but the transaction failed afterwards: record it again."""
    sale = arguments["sale"]
    logger.warning(
        "Refund of %s failed after the card gateway refunded %s; writing it again",
        sale.number,
        ", ".join(card_refs.values()),
    )
    try:
        return RefundResult(_write(card_refs, **arguments), created=True)
    except Exception:
        logger.critical(
            "Card refund(s) %s for %s went through at the gateway but could not be recorded",
            ", ".join(card_refs.values()),
            sale.number,
            exc_info=True,
        )
        raise ServiceError(
            f"The card was refunded (gateway reference {', '.join(card_refs.values())}) but "
            f"the refund of {sale.number} could not be recorded. Do not refund again: tell a "
            "manager, who settles it by hand.",
            "refund_not_recorded",
        ) from None


def refund_sale(
    *,
    sale: Sale,
    lines: Sequence[RefundLineRequest],
    idempotency_key: object,
    user: AbstractBaseUser,
    approval: Approval | None = None,
    reason: str = "",
    tender: str = "original",
    shift: Shift | None = None,
    request=None,
) -> RefundResult:
    """Refund some lines of a completed sale (goods back to stock or written off per line).

    Never more than was sold minus what was already refunded; the same key returns the same
    refund; a different request with a used key is refused. The refund belongs to an open
    shift: `shift` when given (the admin's choice), else the user's own open shift, else the
    open shift of the sale's register; with none open it is refused and nothing changes.
    """
    key = _parse_key(idempotency_key)
    if not lines:
        raise ServiceError("Choose at least one line to refund.", "no_lines")
    if tender not in ("original", "cash"):
        raise ServiceError('Refund "original" tenders or "cash".', "invalid_tender")
    fingerprint = _fingerprint(Refund.Kind.REFUND, sale, lines, tender)
    existing = _replayed(key, fingerprint)
    if existing is not None:
        return RefundResult(existing, created=False)
    approver = approving_user(
        user=user, permission="pos.refund_sale", approval=approval, request=request
    )
    if tender == "cash" and not approver.has_perm("pos.refund_sale"):
        raise PermissionDeniedError("Only a manager can refund in cash.", "approval_required")
    shift = shift or refund_shift_for(user, sale)
    return _record_refund(
        kind=Refund.Kind.REFUND,
        sale=sale,
        requests=lines,
        key=key,
        fingerprint=fingerprint,
        user=user,
        approver=approver,
        reason=reason,
        tender=tender,
        shift_id=shift.pk if shift else None,
    )


def void_sale(
    *,
    sale: Sale,
    user: AbstractBaseUser,
    approval: Approval | None = None,
    reason: str = "",
    request=None,
) -> RefundResult:
    """Cancel a sale of the still-open shift: every line back to stock, every tender refunded.

    The void belongs to the sale's own shift (its cash leaves that drawer and its Z report
    shows the sale and its reversal), whoever voids it from wherever; that shift is locked
    and checked open inside the transaction.
    """
    existing = sale.refunds.filter(kind=Refund.Kind.VOID).first()
    if existing is not None:
        return RefundResult(existing, created=False)
    approver = approving_user(
        user=user, permission="pos.void_sale", approval=approval, request=request
    )
    if sale.shift_id is None or sale.shift.status != Shift.Status.OPEN:  # early, clear answer
        raise ConflictError(VOID_CLOSED, "shift_closed")
    lines = [RefundLineRequest(line.pk, line.quantity, True) for line in sale.lines.all()]
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"void:{sale.number}")
    fingerprint = _fingerprint(Refund.Kind.VOID, sale, lines, "original")
    return _record_refund(
        kind=Refund.Kind.VOID,
        sale=sale,
        requests=lines,
        key=key,
        fingerprint=fingerprint,
        user=user,
        approver=approver,
        reason=reason,
        tender="original",
        shift_id=sale.shift_id,
    )
