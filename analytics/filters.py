"""The filters every report shares, read from the URL so a report can be bookmarked and shared.

`parse_filters(request.GET)` never raises: a bad value becomes a message for the manager and
the report falls back to a sensible default (the last 30 days, no other filter).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import Category, Product
from pos.models import Payment, Register, StockMovement

PRESETS = {
    "today": "Today",
    "yesterday": "Yesterday",
    "last_7_days": "Last 7 days",
    "last_30_days": "Last 30 days",
    "this_month": "This month",
    "last_month": "Last month",
    "this_year": "This year",
    "custom": "Custom range",
}
DEFAULT_PRESET = "last_30_days"
BUCKETS = {"auto": "Automatic", "hour": "Hour", "day": "Day", "week": "Week", "month": "Month"}
MAX_DAYS = 3 * 366 + 1


def store_timezone() -> ZoneInfo:
    """Reports bucket time in the shop's time zone, whatever the viewer's own settings."""
    return ZoneInfo(settings.TIME_ZONE)


def store_today() -> date:
    return timezone.now().astimezone(store_timezone()).date()


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """First and last day (both included) of a preset, relative to `today`."""
    if preset == "today":
        return today, today
    if preset == "yesterday":
        day = today - timedelta(days=1)
        return day, day
    if preset == "last_7_days":
        return today - timedelta(days=6), today
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if preset == "this_year":
        return today.replace(month=1, day=1), today
    return today - timedelta(days=29), today


def auto_bucket(days: int) -> str:
    """Hours for a day or two, days up to two months, weeks up to half a year, then months."""
    if days <= 2:
        return "hour"
    if days <= 62:
        return "day"
    if days <= 183:
        return "week"
    return "month"


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers. Dates are the shop's local calendar days, both ends included."""

    start: date
    end: date
    preset: str = DEFAULT_PRESET
    category: Category | None = None
    product: Product | None = None
    cashier: object | None = None
    register: Register | None = None
    payment_method: str = ""
    bucket_choice: str = "auto"
    days_unsold: int = 30
    order: str = "revenue"
    movement_kind: str = ""  # inventory's movement history: one kind of stock movement
    until: datetime | None = None  # cut the period short (dashboard: "same time last week")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def bucket(self) -> str:
        return auto_bucket(self.days) if self.bucket_choice == "auto" else self.bucket_choice

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=store_timezone())

    @property
    def end_at(self) -> datetime:
        """Exclusive: midnight at the start of the day after `end` (or `until`, if earlier)."""
        end = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=store_timezone())
        return min(end, self.until) if self.until else end

    def previous(self) -> ReportFilter:
        """The period of the same length just before this one (for ▲/▼ comparisons)."""
        length = timedelta(days=self.days)
        return replace(self, start=self.start - length, end=self.end - length, preset="custom")

    def params(self) -> dict[str, str]:
        """The query parameters that rebuild this filter (for links and exports)."""
        values = {
            "preset": self.preset,
            "start": self.start.isoformat() if self.preset == "custom" else "",
            "end": self.end.isoformat() if self.preset == "custom" else "",
            "category": str(self.category.pk) if self.category else "",
            "product": self.product.sku if self.product else "",
            "cashier": str(self.cashier.pk) if self.cashier else "",
            "register": str(self.register.pk) if self.register else "",
            "payment_method": self.payment_method,
            "bucket": "" if self.bucket_choice == "auto" else self.bucket_choice,
            "order": "" if self.order == "revenue" else self.order,
            "days": "" if self.days_unsold == 30 else str(self.days_unsold),
            "kind": self.movement_kind,
        }
        return {key: value for key, value in values.items() if value}

    def query_string(self, **extra: str) -> str:
        return urlencode({**self.params(), **extra})

    def describe(self) -> list[str]:
        """Human words for the active filters, printed on exports."""
        parts = [f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d} ({PRESETS[self.preset]})"]
        if self.category:
            parts.append(f"Category: {self.category.name}")
        if self.product:
            parts.append(f"Product: {self.product.name} ({self.product.sku})")
        if self.cashier:
            parts.append(f"Cashier: {self.cashier.get_username()}")
        if self.register:
            parts.append(f"Register: {self.register.name}")
        if self.payment_method:
            parts.append(f"Payment method: {Payment.Method(self.payment_method).label}")
        if self.movement_kind:
            parts.append(f"Movements: {StockMovement.Kind(self.movement_kind).label}")
        return parts


class CashierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class ReportFilterForm(forms.Form):
    preset = forms.ChoiceField(choices=PRESETS.items(), required=False, label="Period")
    start = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))
    category = forms.ModelChoiceField(
        Category.objects.order_by("name"), required=False, empty_label="All categories"
    )
    product = forms.CharField(
        required=False, label="Product SKU", widget=forms.TextInput({"placeholder": "SKU"})
    )
    cashier = CashierChoiceField(
        get_user_model().objects.order_by("username"),
        required=False,
        empty_label="All cashiers",
    )
    register = forms.ModelChoiceField(
        Register.objects.order_by("name"), required=False, empty_label="All registers"
    )
    payment_method = forms.ChoiceField(
        choices=[("", "All methods"), *Payment.Method.choices],  # fits a filter cell
        required=False,
        label="Payment method",
    )
    bucket = forms.ChoiceField(choices=BUCKETS.items(), required=False, label="Group by")
    kind = forms.ChoiceField(
        choices=[("", "All movements"), *StockMovement.Kind.choices],
        required=False,
        label="Movement",
    )

    def clean_product(self) -> Product | None:
        sku = self.cleaned_data["product"].strip()
        if not sku:
            return None
        product = Product.objects.filter(sku__iexact=sku).first()
        if product is None:
            raise forms.ValidationError(f"No product has the SKU “{sku}”.")
        return product

    def clean(self) -> dict:
        data = super().clean()
        preset = data.get("preset") or ""
        start, end = data.get("start"), data.get("end")
        if preset == "custom" or (not preset and (start or end)):
            if not start or not end:
                raise forms.ValidationError("A custom range needs both a start and an end date.")
            if start > end:
                raise forms.ValidationError("The start date is after the end date.")
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError("A report covers at most three years.")
            data["preset"] = "custom"
        return data


def parse_filters(params, *, today: date | None = None) -> tuple[ReportFilter, ReportFilterForm]:
    """The filter a request asks for, and the bound form (its errors say what was ignored).

    Invalid input falls back to the default period with no other filter: never a server error.
    """
    today = today or store_today()
    if not params.get("preset"):
        # The Period menu shows the period the report covers: without this it showed its first
        # choice ("Today") above a report of the last 30 days, or of a custom range.
        params = params.copy()
        params["preset"] = "custom" if params.get("start") or params.get("end") else DEFAULT_PRESET
    form = ReportFilterForm(params)
    if not form.is_valid():
        start, end = preset_range(DEFAULT_PRESET, today)
        return ReportFilter(start=start, end=end), form
    data = form.cleaned_data
    preset = data.get("preset") or DEFAULT_PRESET
    if preset == "custom":
        start, end = data["start"], data["end"]
    else:
        start, end = preset_range(preset, today)
    return (
        ReportFilter(
            start=start,
            end=end,
            preset=preset,
            category=data.get("category"),
            product=data.get("product"),
            cashier=data.get("cashier"),
            register=data.get("register"),
            payment_method=data.get("payment_method") or "",
            bucket_choice=data.get("bucket") or "auto",
            days_unsold=_days(params.get("days")),
            order="quantity" if params.get("order") == "quantity" else "revenue",
            movement_kind=data.get("kind") or "",
        ),
        form,
    )


def _days(value: str | None) -> int:
    """`?days=` of the inventory report: products not sold in that many days (1–3650)."""
    if value and value.isdigit():
        return min(max(int(value), 1), 3650)
    return 30
