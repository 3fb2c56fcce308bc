"""A real sale for receipt tests, made through the checkout services (no hand-made rows):
line and cart discounts, two tax rates and a card + cash payment with change."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from pos import services
from pos.models import Sale
from pos.payments import CardDetails
from pos.services import PaymentRequest
from receipts.models import ReceiptTemplate
from tests import factories

VISA = CardDetails(number="4242424242424242", exp_month=12, exp_year=2035, cvc="123")


def staff(username: str, role: str | None):
    """A user in a role, without a password: hashing one costs a second per test, and the
    receipt tests log in with `force_login` anyway."""
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create(username=username)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def ensure_open_shift(user, register=None):
    """Sales need an open shift on the register once shifts exist; before that, nothing."""
    try:
        from pos.selectors import open_shift_of
        from pos.shifts import open_shift
    except ImportError:
        return None
    from pos.selectors import default_register

    register = register or default_register()
    return open_shift_of(register) or open_shift(
        user=user, register=register, opening_float="100.00"
    )


def rich_sale(
    *,
    cashier,
    manager=None,
    card_amount: str = "20.00",
    cash_tendered: str = "50.00",
    line_discount: str = "1.00",
    cart_discount_percent: str = "10",
) -> Sale:
    """Espresso beans 2 × 8.90 (8.25 %, 1.00 off), croissant 3 × 2.40 (2.50 %), cup 1 × 12.00
    (8.25 %); 10 % off the cart; 20.00 by Visa, the rest in cash from a 50 note."""
    standard = factories.tax_rate("Standard", "8.25")
    reduced = factories.tax_rate("Reduced", "2.50")
    beans = factories.product("Espresso beans 250 g", "8.90", stock=20, rate=standard)
    croissant = factories.product("Butter croissant", "2.40", stock=40, rate=reduced)
    cup = factories.product("Reusable cup", "12.00", stock=10, rate=standard)

    manager = manager or staff(f"boss-{uuid.uuid4().hex[:6]}", "Managers")
    ensure_open_shift(cashier)
    cart, _ = services.open_cart(user=cashier)
    line = services.add_to_cart(cart=cart, product_id=beans.pk, quantity=2)
    services.add_to_cart(cart=cart, product_id=croissant.pk, quantity=3)
    services.add_to_cart(cart=cart, product_id=cup.pk, quantity=1)
    if Decimal(line_discount):
        services.set_line_discount(cart=cart, line_id=line.pk, amount=line_discount, user=manager)
    if Decimal(cart_discount_percent):
        services.set_cart_discount(
            cart=cart, kind="percent", value=cart_discount_percent, user=manager
        )
    result = services.checkout_cart(
        cart=cart,
        payments=[
            PaymentRequest(method="card", amount=Decimal(card_amount), card=VISA),
            PaymentRequest(method="cash", amount=Decimal(cash_tendered)),
        ],
        idempotency_key=uuid.uuid4(),
        user=cashier,
    )
    return (
        Sale.objects.select_related("cashier", "register")
        .prefetch_related("lines", "payments", "taxes")
        .get(pk=result.sale.pk)
    )


def simple_sale(*, cashier, price: str = "5.00", quantity: int = 1) -> Sale:
    """One product paid in cash, exact amount."""
    product = factories.product(price=price, stock=100)
    ensure_open_shift(cashier)
    cart, _ = services.open_cart(user=cashier)
    services.add_to_cart(cart=cart, product_id=product.pk, quantity=quantity)
    due = services.priced_cart(cart).cash_due
    result = services.checkout_cart(
        cart=cart,
        payments=[PaymentRequest(method="cash", amount=due)],
        idempotency_key=uuid.uuid4(),
        user=cashier,
    )
    return result.sale


def template(**overrides) -> ReceiptTemplate:
    """The default template with some fields changed (saved)."""
    tmpl = ReceiptTemplate.objects.get(is_default=True)
    for key, value in overrides.items():
        setattr(tmpl, key, value)
    tmpl.full_clean()
    tmpl.save()
    return tmpl


@pytest.fixture
def cashier(db):
    return staff("casey", "Cashiers")


@pytest.fixture
def other_cashier(db):
    return staff("robin", "Cashiers")


@pytest.fixture
def manager(db):
    return staff("max", "Managers")


@pytest.fixture
def merchandiser(db):
    return staff("morgan", "Merchandisers")


@pytest.fixture
def sale(cashier, manager):
    return rich_sale(cashier=cashier, manager=manager)


@pytest.fixture
def cashier_client(cashier):
    from tests.conftest import client_for

    return client_for(cashier)


@pytest.fixture
def manager_client(manager):
    from tests.conftest import client_for

    return client_for(manager)


@pytest.fixture
def merchandiser_client(merchandiser):
    from tests.conftest import client_for

    return client_for(merchandiser)


def refund_of(sale: Sale, *, user, quantities: dict[int, int] | None = None):
    """Refund lines of a sale through the real service: {line position: quantity}; by default
    one espresso bag and the cup, back to the original tenders (the card first)."""
    from pos.refunds import RefundLineRequest, refund_sale

    quantities = quantities or {1: 1, 3: 1}
    by_position = {line.position: line for line in sale.lines.all()}
    lines = [
        RefundLineRequest(line_id=by_position[position].pk, quantity=quantity)
        for position, quantity in quantities.items()
    ]
    return refund_sale(sale=sale, lines=lines, idempotency_key=uuid.uuid4(), user=user).refund


@pytest.fixture
def refund(sale, manager):
    return refund_of(sale, user=manager)
