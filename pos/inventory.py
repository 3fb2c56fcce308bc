"""Stock: every change is a StockMovement, and low stock raises one alert per crossing.

quantity_on_hand is only ever changed here and in checkout, with conditional UPDATEs on locked
rows, and each change writes a movement with the resulting quantity, so the stock on hand always
equals the sum of a product's movements (`python manage.py check_stock` verifies it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Product
from pos_site.errors import ConflictError, PermissionDeniedError, ServiceError
from store.selectors import current_store_settings

from .models import LowStockAlert, StockMovement

logger = logging.getLogger(__name__)

ADJUSTMENT_REASONS = ("damaged", "theft", "correction", "expired", "other")
MAX_MOVE = 100_000


def lock_products(ids: Iterable[int]) -> None:
    """Serialise writers on these products until the transaction ends, in product-id order.

    PostgreSQL: row locks (SELECT … FOR UPDATE), taken in id order so that two transactions
    touching overlapping products queue up instead of deadlocking. SQLite has no row locks: its
    transactions begin IMMEDIATE (settings), which already holds the database write lock; with
    another transaction mode a no-op UPDATE takes it, after which reads are stable.
    """
    ids = sorted(set(ids))
    if connection.features.has_select_for_update:
        list(Product.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    elif connection.settings_dict["OPTIONS"].get("transaction_mode") != "IMMEDIATE":
        Product.objects.filter(pk__in=ids[:1]).update(quantity_on_hand=F("quantity_on_hand"))


def sync_low_stock_alerts(levels: dict[int, tuple[int, int]]) -> list[LowStockAlert]:
    """Raise or clear alerts for {product_id: (quantity, threshold)} after stock moved.

    An alert is raised once when a product is at or below its threshold and none is open, and
    cleared when the product is back above it. Two queries whatever the number of products;
    the managers' e-mail goes out after the transaction commits.
    """
    if not levels:
        return []
    open_alerts = set(
        LowStockAlert.objects.filter(product_id__in=levels, cleared_at__isnull=True).values_list(
            "product_id", flat=True
        )
    )
    to_clear = [pk for pk in open_alerts if levels[pk][0] > levels[pk][1]]
    if to_clear:
        LowStockAlert.objects.filter(product_id__in=to_clear, cleared_at__isnull=True).update(
            cleared_at=timezone.now()
        )
    raised = LowStockAlert.objects.bulk_create(
        LowStockAlert(product_id=pk, quantity=qty, threshold=threshold)
        for pk, (qty, threshold) in sorted(levels.items())
        if qty <= threshold and pk not in open_alerts
    )
    if raised:
        ids = [alert.product_id for alert in raised]
        transaction.on_commit(lambda: mail_low_stock(ids))
    return raised


def mail_low_stock(product_ids: list[int]) -> None:
    """Tell every active manager which products ran low. A mail failure never breaks a sale."""
    try:
        recipients = list(
            get_user_model()
            .objects.filter(Q(groups__name="Managers") | Q(is_superuser=True), is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        if not recipients:
            return
        products = Product.objects.filter(pk__in=product_ids).order_by("name")
        lines = [
            f"- {p.name} (SKU {p.sku}): {p.quantity_on_hand} left, "
            f"threshold {p.low_stock_threshold}"
            for p in products
        ]
        store = current_store_settings().store_name
        send_mail(
            subject=f"[{store}] Low stock: {', '.join(p.name for p in products)[:120]}",
            message="These products are at or below their low-stock threshold:\n\n"
            + "\n".join(lines)
            + "\n\nReceive stock from the admin: Inventory › Receive stock.",
            from_email=None,
            recipient_list=recipients,
        )
    except Exception:
        logger.exception("Could not send the low-stock e-mail for products %s", product_ids)


def _require_stock_permission(user: AbstractBaseUser) -> None:
    if not user.has_perm("pos.add_stockmovement"):
        raise PermissionDeniedError(
            "Only managers can change stock; ask a manager.", "stock_not_allowed"
        )


def _delta(value: object, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError("The quantity must be a whole number.", "invalid_quantity")
    if abs(value) > MAX_MOVE or (value == 0 and not allow_zero):
        raise ServiceError(f"The quantity must be between 1 and {MAX_MOVE:,}.", "invalid_quantity")
    return value


@transaction.atomic
def move_stock(
    *,
    product: Product,
    quantity: int,
    kind: str,
    user: AbstractBaseUser | None,
    reason: str = "",
    reference: str = "",
    refund=None,
) -> StockMovement:
    """Change one product's stock by a signed quantity and record it (race-free)."""
    lock_products([product.pk])
    rows = Product.objects.filter(pk=product.pk)
    if quantity < 0 and not current_store_settings().allow_negative_stock:
        rows = rows.filter(quantity_on_hand__gte=-quantity)
    if not rows.update(quantity_on_hand=F("quantity_on_hand") + quantity):
        left = Product.objects.values_list("quantity_on_hand", flat=True).get(pk=product.pk)
        raise ConflictError(
            f"Only {max(left, 0)} × {product.name} in stock; cannot take {-quantity}.",
            "insufficient_stock",
        )
    qty, threshold = Product.objects.values_list("quantity_on_hand", "low_stock_threshold").get(
        pk=product.pk
    )
    product.quantity_on_hand = product._stored_quantity = qty  # in step with the database
    movement = StockMovement.objects.create(
        product=product,
        kind=kind,
        quantity=quantity,
        resulting_quantity=qty,
        user=user,
        reason=reason[:200],
        reference=reference[:100],
        refund=refund,
    )
    sync_low_stock_alerts({product.pk: (qty, threshold)})
    return movement


def receive_stock(
    *, product: Product, quantity: object, user: AbstractBaseUser, reference: str = ""
) -> StockMovement:
    """Goods delivered: add to stock (reference: the delivery note)."""
    _require_stock_permission(user)
    quantity = _delta(quantity)
    if quantity < 0:
        raise ServiceError("Received quantities are positive.", "invalid_quantity")
    return move_stock(
        product=product,
        quantity=quantity,
        kind=StockMovement.Kind.RESTOCK,
        user=user,
        reference=reference,
    )


def adjust_stock(
    *, product: Product, quantity: object, reason: str, user: AbstractBaseUser, note: str = ""
) -> StockMovement:
    """Correct stock by a signed quantity for a stated reason (damaged, theft, correction…)."""
    _require_stock_permission(user)
    quantity = _delta(quantity)
    if reason not in ADJUSTMENT_REASONS:
        raise ServiceError(f"Choose a reason: {', '.join(ADJUSTMENT_REASONS)}.", "reason_required")
    text = f"{reason}: {note}".strip(": ") if note else reason
    return move_stock(
        product=product,
        quantity=quantity,
        kind=StockMovement.Kind.ADJUSTMENT,
        user=user,
        reason=text,
    )


@transaction.atomic
def record_stock_count(
    *, product: Product, counted: object, user: AbstractBaseUser, note: str = ""
) -> StockMovement | None:
    """A shelf count: the difference to the system's figure becomes a 'count' movement."""
    _require_stock_permission(user)
    counted = _delta(counted, allow_zero=True)
    if counted < 0:
        raise ServiceError("A counted quantity cannot be negative.", "invalid_quantity")
    lock_products([product.pk])
    current = Product.objects.values_list("quantity_on_hand", flat=True).get(pk=product.pk)
    if counted == current:
        return None
    return move_stock(
        product=product,
        quantity=counted - current,
        kind=StockMovement.Kind.COUNT,
        user=user,
        reason=f"counted {counted}" + (f": {note}" if note else ""),
    )


def _opening(product: Product, user: AbstractBaseUser | None) -> StockMovement:
    return StockMovement(
        product=product,
        kind=StockMovement.Kind.OPENING,
        quantity=product.quantity_on_hand,
        resulting_quantity=product.quantity_on_hand,
        user=user,
        reason="opening stock",
    )


def _edited(product: Product, before: int, user, reason: str) -> StockMovement:
    return StockMovement(
        product=product,
        kind=StockMovement.Kind.COUNT,
        quantity=product.quantity_on_hand - before,
        resulting_quantity=product.quantity_on_hand,
        user=user,
        reason=reason,
    )


def _levels(products: Iterable[Product]) -> dict[int, tuple[int, int]]:
    return {p.pk: (p.quantity_on_hand, p.low_stock_threshold) for p in products}


def product_saved(sender, instance: Product, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of a product: a new product's starting stock enters the ledger (with the
    user who created it, when the service or view says who: `instance.stock_user`); and its
    low-stock alert follows the (possibly new) threshold.

    An existing product's save never writes its stock (`Product.save`), so there is nothing
    else to record here: its stock changes only through the functions above and checkout.
    """
    if raw:
        return
    if created and instance.quantity_on_hand:
        _opening(instance, getattr(instance, "stock_user", None)).save()
    sync_low_stock_alerts(_levels([instance]))


def products_imported(sender, created, stock_changes, user, **kwargs) -> None:
    """A CSV import (bulk, no post_save): openings for new products, counts for changed stock."""
    movements = [_opening(p, user) for p in created if p.quantity_on_hand]
    movements += [_edited(p, before, user, "CSV import") for p, before, _after in stock_changes]
    StockMovement.objects.bulk_create(movements)
    sync_low_stock_alerts(_levels([*created, *(p for p, _b, _a in stock_changes)]))


def ledger_mismatches() -> list[dict]:
    """Products whose stock on hand differs from the sum of their movements (should be none)."""
    rows = (
        Product.objects.annotate(moved=Coalesce(Sum("stock_movements__quantity"), 0))
        .exclude(quantity_on_hand=F("moved"))
        .values("pk", "sku", "name", "quantity_on_hand", "moved")
        .order_by("pk")
    )
    return list(rows)


def open_low_stock_alerts():
    return (
        LowStockAlert.objects.filter(cleared_at__isnull=True)
        .select_related("product")
        .order_by("product__name")
    )
