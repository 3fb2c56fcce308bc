"""Stock ledger, stock actions and low-stock alerts."""

import uuid

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from catalog.models import Product
from pos import inventory
from pos.models import LowStockAlert, StockMovement
from pos_site.errors import ConflictError, PermissionDeniedError, ServiceError
from tests import factories
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def ledger_ok(product: Product) -> bool:
    product.refresh_from_db()
    moved = StockMovement.objects.filter(product=product).aggregate(s=Sum("quantity"))["s"] or 0
    return moved == product.quantity_on_hand


def test_new_product_opening_stock_is_a_movement():
    product = factories.product(stock=12)
    movement = StockMovement.objects.get(product=product)
    assert (movement.kind, movement.quantity, movement.resulting_quantity) == ("opening", 12, 12)
    assert ledger_ok(product)


def test_receive_adjust_count(manager):
    product = factories.product(stock=10, threshold=3)
    inventory.receive_stock(product=product, quantity=5, user=manager, reference="DN-77")
    inventory.adjust_stock(
        product=product, quantity=-2, reason="damaged", user=manager, note="dropped"
    )
    inventory.record_stock_count(product=product, counted=11, user=manager)
    assert inventory.record_stock_count(product=product, counted=11, user=manager) is None
    rows = list(
        StockMovement.objects.filter(product=product)
        .order_by("id")
        .values_list("kind", "quantity", "resulting_quantity", "reason", "reference")
    )
    assert rows == [
        ("opening", 10, 10, "opening stock", ""),
        ("restock", 5, 15, "", "DN-77"),
        ("adjustment", -2, 13, "damaged: dropped", ""),
        ("count", -2, 11, "counted 11", ""),
    ]
    assert ledger_ok(product)


def test_merchandisers_and_cashiers_cannot_change_stock(merchandiser, cashier):
    product = factories.product(stock=10)
    for user in (merchandiser, cashier):
        with pytest.raises(PermissionDeniedError):
            inventory.receive_stock(product=product, quantity=1, user=user)
        with pytest.raises(PermissionDeniedError):
            inventory.record_stock_count(product=product, counted=3, user=user)
    product.refresh_from_db()
    assert product.quantity_on_hand == 10


@pytest.mark.parametrize(
    ("quantity", "reason", "code"),
    [
        (0, "damaged", "invalid_quantity"),
        (2.5, "damaged", "invalid_quantity"),
        (-1, "because", "reason_required"),
        (10**7, "theft", "invalid_quantity"),
    ],
)
def test_bad_adjustments_change_nothing(manager, quantity, reason, code):
    product = factories.product(stock=10)
    with pytest.raises(ServiceError) as error:
        inventory.adjust_stock(product=product, quantity=quantity, reason=reason, user=manager)
    assert error.value.code == code
    assert ledger_ok(product) and product.quantity_on_hand == 10


def test_adjustment_cannot_take_stock_below_zero(manager):
    product = factories.product("Beans", stock=2)
    with pytest.raises(ConflictError) as error:
        inventory.adjust_stock(product=product, quantity=-3, reason="theft", user=manager)
    assert "Only 2 × Beans" in error.value.message
    assert ledger_ok(product) and product.quantity_on_hand == 2


def test_alert_raised_once_then_cleared(manager, django_capture_on_commit_callbacks):
    manager.email = "max@example.com"
    manager.save()
    product = factories.product("Beans", stock=8, threshold=5)
    with django_capture_on_commit_callbacks(execute=True):
        inventory.adjust_stock(product=product, quantity=-3, reason="theft", user=manager)
    assert LowStockAlert.objects.filter(product=product, cleared_at__isnull=True).count() == 1
    assert len(mail.outbox) == 1 and "Beans" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["max@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        inventory.adjust_stock(product=product, quantity=-1, reason="theft", user=manager)
    assert LowStockAlert.objects.filter(product=product).count() == 1  # not one per movement
    assert len(mail.outbox) == 1
    inventory.receive_stock(product=product, quantity=10, user=manager)
    alert = LowStockAlert.objects.get(product=product)
    assert alert.cleared_at is not None
    assert list(inventory.open_low_stock_alerts()) == []
    with django_capture_on_commit_callbacks(execute=True):
        inventory.adjust_stock(product=product, quantity=-10, reason="correction", user=manager)
    assert LowStockAlert.objects.filter(product=product).count() == 2  # a new crossing


def test_mail_is_sent_only_after_commit(manager, django_capture_on_commit_callbacks):
    manager.email = "max@example.com"
    manager.save()
    product = factories.product(stock=6, threshold=5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        inventory.adjust_stock(product=product, quantity=-2, reason="theft", user=manager)
        assert mail.outbox == []
    assert len(callbacks) == 1


def test_mail_failure_never_breaks_anything(manager, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OSError("smtp down")

    manager.email = "max@example.com"
    manager.save()
    monkeypatch.setattr(inventory, "send_mail", broken)
    product = factories.product(stock=1, threshold=5)
    inventory.mail_low_stock([product.pk])
    assert "Could not send the low-stock e-mail" in caplog.text


def test_check_stock_command(capsys):
    product = factories.product(stock=4)
    call_command("check_stock")
    assert "Stock ledger OK" in capsys.readouterr().out
    Product.objects.filter(pk=product.pk).update(quantity_on_hand=9)  # a write behind our back
    with pytest.raises(CommandError, match="1 product"):
        call_command("check_stock")
    assert product.sku in capsys.readouterr().out


class LedgerInvariant(HypothesisTestCase):
    """Random sequences of stock actions keep stock on hand equal to the sum of movements."""

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        steps=st.lists(
            st.tuples(
                st.sampled_from(["receive", "adjust", "count", "sale", "refund"]),
                st.integers(min_value=-30, max_value=30),
            ),
            min_size=1,
            max_size=12,
        )
    )
    def test_random_actions(self, steps):
        from pos import refunds

        manager = make_user("ledger-manager", "Managers")
        factories.open_shift(manager)
        product = factories.product(stock=10, threshold=4)
        sales = []
        for action, number in steps:
            try:
                if action == "sale":
                    sales.append(factories.sale(manager, (product, abs(number) % 5 + 1)))
                elif action == "refund":
                    if not sales:
                        continue
                    line = sales[abs(number) % len(sales)].lines.get()
                    refunds.refund_sale(
                        sale=line.sale,
                        lines=[refunds.RefundLineRequest(line.pk, 1, number % 2 == 0)],
                        idempotency_key=uuid.uuid4(),
                        user=manager,
                    )
                elif action == "receive":
                    inventory.receive_stock(
                        product=product, quantity=abs(number) or 1, user=manager
                    )
                elif action == "adjust":
                    inventory.adjust_stock(
                        product=product, quantity=number or 1, reason="correction", user=manager
                    )
                else:
                    inventory.record_stock_count(product=product, counted=abs(number), user=manager)
            except ConflictError:
                pass  # refused: would go below zero, or the line is fully refunded
            product.refresh_from_db()
            assert product.quantity_on_hand >= 0
            moved = StockMovement.objects.filter(product=product).aggregate(s=Sum("quantity"))["s"]
            assert moved == product.quantity_on_hand
            last = StockMovement.objects.filter(product=product).order_by("-id").first()
            assert last.resulting_quantity == product.quantity_on_hand
            open_alerts = LowStockAlert.objects.filter(product=product, cleared_at__isnull=True)
            assert open_alerts.count() == (1 if product.quantity_on_hand <= 4 else 0)


def test_new_empty_product_raises_an_alert_at_once():
    product = factories.product(stock=0, threshold=2)
    assert LowStockAlert.objects.filter(product=product, cleared_at__isnull=True).exists()
    assert not StockMovement.objects.filter(product=product).exists() and ledger_ok(product)


def test_changing_the_threshold_raises_or_clears_the_alert():
    product = factories.product(stock=5, threshold=2)
    assert not LowStockAlert.objects.exists()
    product.low_stock_threshold = 5
    product.save()
    assert LowStockAlert.objects.filter(product=product, cleared_at__isnull=True).count() == 1
    product.low_stock_threshold = 1
    product.save()
    assert not LowStockAlert.objects.filter(cleared_at__isnull=True).exists()


def test_saving_a_product_never_writes_its_stock(manager):
    product = factories.product(stock=5)
    inventory.receive_stock(product=product, quantity=3, user=manager)
    product.name = "Renamed"  # the same instance, saved after a stock move: no phantom change
    product.save()
    assert ledger_ok(product) and product.quantity_on_hand == 8
    fresh = Product.objects.get(pk=product.pk)
    fresh.quantity_on_hand = 6  # typed over: not a way to change stock
    fresh.save()
    assert fresh.quantity_on_hand == 8  # the instance shows the stock on hand again
    assert ledger_ok(fresh) and fresh.quantity_on_hand == 8
    fresh.quantity_on_hand = 1
    fresh.save(update_fields=["quantity_on_hand", "name"])
    assert ledger_ok(fresh) and fresh.quantity_on_hand == 8
    assert StockMovement.objects.filter(product=product).count() == 2
    assert inventory.ledger_mismatches() == []


def test_a_stale_product_saved_after_a_sale_keeps_the_sold_stock(manager):
    product = factories.product(stock=10, threshold=8)
    stale = Product.objects.get(pk=product.pk)
    factories.open_shift(manager)
    factories.sale(manager, (product, 3))  # checkout's conditional UPDATE: 10 → 7
    assert LowStockAlert.objects.filter(product=product, cleared_at__isnull=True).exists()
    stale.description = "<p>New words</p>"
    stale.save()  # loaded at 10: must not put 10 back
    assert ledger_ok(product) and product.quantity_on_hand == 7
    assert stale.quantity_on_hand == 7
    assert LowStockAlert.objects.filter(product=product, cleared_at__isnull=True).exists()
    assert inventory.ledger_mismatches() == []
    call_command("check_stock")


def test_csv_import_keeps_the_ledger(manager, capsys):
    from io import BytesIO

    from catalog.services import import_products_csv

    factories.tax_rate()
    existing = factories.product(stock=5)
    rows = (
        "sku,name,price,tax_rate,quantity_on_hand\n"
        f"{existing.sku},{existing.name},10.00,Standard,9\n"
        "NEW-1,New thing,2.50,Standard,4\n"
    )
    report = import_products_csv(BytesIO(rows.encode()), dry_run=False, user=manager)
    assert not report.errors, report.errors
    call_command("check_stock")
    assert "Stock ledger OK" in capsys.readouterr().out
    assert StockMovement.objects.filter(reason="CSV import", user=manager).count() == 1
