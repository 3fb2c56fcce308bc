from __future__ import annotations

from django.db import models


class Register(models.Model):
    """A till: a place where a cashier rings up sales."""

    name = models.CharField(max_length=60, unique=True)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("use_register", "Can sell on the register page"),
            ("apply_discount", "Can give line and cart discounts"),
            ("refund_sale", "Can refund a sale"),
            ("void_sale", "Can void a sale"),
        ]

    def __str__(self) -> str:
        return self.name
