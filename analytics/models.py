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


TENDERS_HELP = "Payment methods of the sales, as bits: cash 1, card 2, other 4 (cash + card: 3)."


def _tenders() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(default=0, help_text=TENDERS_HELP)


class SaleSums(models.Model):
    """The figures of a group of sales in one local hour, shared by the hourly summaries."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    weekday = models.PositiveSmallIntegerField(help_text="ISO: 1 = Monday … 7 = Sunday.")
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    register = models.ForeignKey("pos.Register", on_delete=models.CASCADE, related_name="+")
    tenders = _tenders()
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
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.hour:02d}h"


class HourlySales(SaleSums):
    """Sales of one local hour, per cashier, register and set of tenders: a summary of closed
    days.

    Written by analytics.summary from the sales tables (never by hand) so that reports over
    years read thousands of rows instead of a million sale lines; today is always read live.
    cash/card/other are the payments of those sales by method.
    """

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "hour", "cashier", "register", "tenders"], name="hourly_sales_key"
            )
        ]


class HourlyCategorySales(SaleSums):
    """The lines of one category in the sales of one local hour (see HourlySales): what the
    sale-level reports read under a category filter, and sales by category under a cashier or
    register filter.

    Amounts are those of the category's lines; `sales` counts the sales holding such a line and
    `lines` the lines; cash/card/other are the whole payments of those sales (tenders belong to
    sales). A sale with lines of two categories is in two rows: the rows of several categories
    are never added into one figure.
    """

    category = models.ForeignKey(
        "catalog.Category", null=True, on_delete=models.CASCADE, related_name="+"
    )
    lines = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "hour", "cashier", "register", "tenders", "category"],
                name="hourly_category_sales_key",
            )
        ]
        indexes = [models.Index(fields=["category", "day"], name="hourly_category_sales_cat")]


class DailyProductSales(models.Model):
    """One product's lines in the sales of one local day, per set of tenders: a summary of
    closed days (see HourlySales). `sales` counts the sales holding the product, `items` the
    units sold."""

    day = models.DateField()
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    tenders = _tenders()
    sales = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    gross = _amount()
    discounts = _amount()
    paid = _amount()
    tax = _amount()
    revenue = _amount()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "product", "tenders"], name="daily_product_sales_key"
            )
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
