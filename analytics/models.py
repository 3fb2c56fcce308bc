from django.conf import settings
from django.db import models


class ReportAccess(models.Model):
    """No table: only carries the `analytics.view_reports` permission given to managers."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", "Can view sales reports")]

    def __str__(self) -> str:
        return "reports"


def _amount() -> models.DecimalField:
    return models.DecimalField(max_digits=16, decimal_places=2, default=0)


class HourlySales(models.Model):
    """Sales of one local hour, per cashier and register: a summary of closed days.

    Written by analytics.summary from the sales tables (never by hand) so that reports over
    years read thousands of rows instead of a million sale lines; today is always read live.
    """

    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    weekday = models.PositiveSmallIntegerField(help_text="ISO: 1 = Monday … 7 = Sunday.")
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    register = models.ForeignKey("pos.Register", on_delete=models.CASCADE, related_name="+")
    sales = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    gross = _amount()
    discounts = _amount()
    paid = _amount()
    tax = _amount()
    cash = _amount()
    card = _amount()
    other = _amount()
    cash_sales = models.PositiveIntegerField(default=0)
    card_sales = models.PositiveIntegerField(default=0)
    other_sales = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "hour", "cashier", "register"], name="hourly_sales_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.hour:02d}h"


class DailyProductSales(models.Model):
    """One product's sales on one local day: a summary of closed days (see HourlySales)."""

    day = models.DateField()
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    lines = models.PositiveIntegerField(default=0)
    quantity = models.PositiveIntegerField(default=0)
    gross = _amount()
    discounts = _amount()
    paid = _amount()
    tax = _amount()
    revenue = _amount()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "product"], name="daily_product_sales_key")
        ]
        indexes = [models.Index(fields=["product", "day"], name="daily_product_sales_product")]

    def __str__(self) -> str:
        return f"{self.day} {self.product_id}"


class SummaryState(models.Model):
    """How far the summaries go: every local day before `complete_until` is summarised."""

    time_zone = models.CharField(max_length=64)
    complete_until = models.DateField(null=True)

    def __str__(self) -> str:
        return f"summaries until {self.complete_until} ({self.time_zone})"
