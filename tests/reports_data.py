"""A small, hand-computable shop history for the report tests, made with the real services.

Store time zone America/New_York, prices exclusive of 8.25 % tax, tax rounded per line.

| sale | local time (New York)   | who / till            | lines                      | paid   |
| S1   | Tue 2026-03-10 10:15    | casey / Register 1    | 3 × Beans 10.00, 1 × Mug 4 | 36.81  |
| S2   | Tue 2026-03-10 15:00    | max / Till 2          | 1 × Beans, 1.00 cart disc. | 9.74   |
| S3   | Wed 2026-03-11 23:30    | casey / Register 1    | 2 × Mug 4.00 (card)        | 8.66   |
| R1   | Thu 2026-03-12 09:00    | refund of 1 × Beans of S1 (reason "Damaged")  | 10.83 back |

S1: gross 34.00, tax 2.48 + 0.33 = 2.81. S2: gross 10.00, discount 1.00, tax 0.74.
S3: gross 8.00, tax 0.66 (at 23:30 local, i.e. 03:30 UTC on Thursday 12th).
R1: (30.00 + 2.48) / 3 = 10.83 back, of which tax 2.48 / 3 = 0.83.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from catalog.models import Category
from pos import services
from pos.models import Refund, Register, Sale
from pos.refunds import RefundLineRequest, refund_sale
from tests import factories

NEW_YORK = ZoneInfo("America/New_York")
DAY1 = date(2026, 3, 10)
DAY2 = date(2026, 3, 11)
DAY3 = date(2026, 3, 12)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NEW_YORK)


def move(obj, when: datetime) -> None:
    type(obj).objects.filter(pk=obj.pk).update(created_at=when)


def build_shop(cashier, manager) -> dict:
    beans = factories.product("Beans", "10.00", stock=50, cost="6.00")
    mug = factories.product("Mug", "4.00", stock=50)
    mug.category = Category.objects.get_or_create(name="Cups")[0]
    mug.save()
    till2 = Register.objects.create(name="Till 2")
    factories.open_shift(cashier)
    factories.open_shift(manager, register=till2)

    s1 = factories.sale(cashier, (beans, 3), (mug, 1))
    s2 = _discounted_sale(manager, till2, beans)
    s3 = factories.sale(cashier, (mug, 2), payments=[("card", "8.66")])
    line = s1.lines.get(product=beans)
    r1 = refund_sale(
        sale=s1,
        lines=[RefundLineRequest(line.pk, 1, True)],
        idempotency_key=uuid.uuid4(),
        user=manager,
        reason="Damaged",
    ).refund
    move(s1, at(DAY1, 10, 15))
    move(s2, at(DAY1, 15))
    move(s3, at(DAY2, 23, 30))
    move(r1, at(DAY3, 9))
    return {
        "beans": beans,
        "mug": mug,
        "till2": till2,
        "sales": [Sale.objects.get(pk=s.pk) for s in (s1, s2, s3)],
        "refund": Refund.objects.get(pk=r1.pk),
    }


def _discounted_sale(manager, register, beans) -> Sale:
    cart, _ = services.open_cart(user=manager, register=register)
    services.add_to_cart(cart=cart, product_id=beans.pk, quantity=1)
    services.set_cart_discount(cart=cart, kind="amount", value="1.00", user=manager)
    return services.checkout_cart(
        cart=cart,
        payments=[services.PaymentRequest(method="card", amount=Decimal("9.74"), card=_card())],
        idempotency_key=uuid.uuid4(),
        user=manager,
    ).sale


def _card():
    from pos.payments import CardDetails

    return CardDetails(**factories.VISA)
