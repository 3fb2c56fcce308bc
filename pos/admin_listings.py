"""Read-only admin listings of sales, refunds, shifts and stock movements (wagtail-modeladmin,
the package the client chose for non-snippet models), grouped under a "Sales" menu.

Nobody adds, edits or deletes here, superusers included: a completed sale is corrected by a
refund or a void, stock by an adjustment. The create/edit/delete URLs that modeladmin always
registers answer 403; there is no history view (nothing is edited, so nothing is logged).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import DateFieldListFilter, RelatedOnlyFieldListFilter, SimpleListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup
from wagtail_modeladmin.views import (
    CreateView,
    DeleteView,
    EditView,
    HistoryView,
    IndexView,
    InspectView,
)

from . import admin_selectors as selectors
from .admin_views import forbidden
from .models import OfflineSale, Payment, Refund, Sale, Shift, StockMovement


class ReadOnlyPermissionHelper(PermissionHelper):
    """Listing and inspecting need the model's view permission; changing is never allowed."""

    @cached_property
    def view_permission(self) -> str:
        return f"{self.opts.app_label}.view_{self.opts.model_name}"

    def user_can_list(self, user) -> bool:
        return user.has_perm(self.view_permission)

    def user_can_inspect_obj(self, user, obj) -> bool:
        return self.inspect_view_enabled and user.has_perm(self.view_permission)

    def user_can_create(self, user) -> bool:
        return False

    def user_can_edit_obj(self, user, obj) -> bool:
        return False

    def user_can_delete_obj(self, user, obj) -> bool:
        return False


class Answer403Mixin:
    """Answer a refusal with a 403 page instead of Wagtail's redirect to the dashboard."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)


class ReadOnlyIndexView(Answer403Mixin, IndexView):
    """A listing; an unknown or malformed filter in the address shows the whole list with a
    message instead of an error page (Django's admin would answer 500 here)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except IncorrectLookupParameters:
            messages.warning(
                request,
                "That filter is unknown or its value is not valid; showing the whole list.",
            )
            return redirect(request.path)


class ReadOnlyCreateView(Answer403Mixin, CreateView):
    pass


class ReadOnlyEditView(Answer403Mixin, EditView):
    pass


class ReadOnlyDeleteView(Answer403Mixin, DeleteView):
    pass


class ReadOnlyHistoryView(Answer403Mixin, HistoryView):
    pass


class DetailInspectView(Answer403Mixin, InspectView):
    """Inspect view whose template gets the model admin's `detail(instance, request)`."""

    def get_page_subtitle(self):
        return self.model_admin.inspect_subtitle(self.instance)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["detail"] = self.model_admin.detail(self.instance, self.request)
        return context


class ReadOnlyModelAdmin(ModelAdmin):
    permission_helper_class = ReadOnlyPermissionHelper
    index_view_class = ReadOnlyIndexView
    create_view_class = ReadOnlyCreateView
    edit_view_class = ReadOnlyEditView
    delete_view_class = ReadOnlyDeleteView
    history_view_class = ReadOnlyHistoryView
    inspect_view_class = DetailInspectView
    inspect_view_enabled = True
    history_view_enabled = False
    list_per_page = 50
    add_to_admin_menu = False
    empty_value_display = "—"
    index_view_extra_css = ["pos_admin/admin.css"]
    inspect_view_extra_css = ["pos_admin/admin.css"]

    def detail(self, instance, request) -> dict:
        return {}

    def inspect_subtitle(self, instance) -> str:
        return str(instance)

    def register_indexing(self):
        # modeladmin would add each model to Wagtail's reference index, i.e. extra queries on
        # every checkout; sales are never edited, so there is nothing for the index to track.
        pass


class DateFilter(DateFieldListFilter):
    """Any date / today / past 7 days / this month / this year, titled "date"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "date"


class CashierFilter(RelatedOnlyFieldListFilter):
    """Only users who actually appear in the listing, not every account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "cashier"


class UserFilter(CashierFilter):
    """Only users who appear in the listing, titled "user"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "user"


class PaymentMethodFilter(SimpleListFilter):
    """Sales paid with, or refunds paid back on, a tender (both have `payments__method`)."""

    title = "payment method"
    parameter_name = "method"

    def lookups(self, request, model_admin):
        return Payment.Method.choices

    def queryset(self, request, queryset):
        if self.value() in Payment.Method.values:
            return queryset.filter(payments__method=self.value()).distinct()
        return queryset


def _inspect_url(model_admin_class, pk) -> str:
    opts = model_admin_class.model._meta
    return reverse(f"{opts.app_label}_{opts.model_name}_modeladmin_inspect", args=[pk])


def sale_inspect_url(pk) -> str:
    return _inspect_url(SaleAdmin, pk)


def refund_inspect_url(pk) -> str:
    return _inspect_url(RefundAdmin, pk)


def shift_inspect_url(pk) -> str:
    return _inspect_url(ShiftAdmin, pk)


def status_tag(label: str, *, tone: str = ""):
    """A Wagtail status tag; tone "alert" (voided, void) or "open" stands out in colour."""
    classes = "w-status" + (f" pos-status--{tone}" if tone else "")
    return format_html('<span class="{}">{}</span>', classes, label)


# --------------------------------------------------------------------------- sales


class SaleAdmin(ReadOnlyModelAdmin):
    model = Sale
    menu_label = "Sales"
    menu_icon = "doc-full"
    menu_order = 100
    list_display = ("number", "date", "cashier_name", "register", "total_text", "methods", "state")
    list_filter = (
        ("created_at", DateFilter),
        ("cashier", CashierFilter),
        "register",
        PaymentMethodFilter,
        "status",
    )
    search_fields = ("number", "cashier__username")
    inspect_template_name = "pos/admin/sale_inspect.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("cashier", "register")
            .prefetch_related("payments")
        )

    @admin.display(description="Date", ordering="created_at")
    def date(self, obj: Sale) -> str:
        return selectors.store_datetime_text(obj.created_at)

    @admin.display(description="Cashier", ordering="cashier__username")
    def cashier_name(self, obj: Sale) -> str:
        return selectors.user_text(obj.cashier)

    @admin.display(description="Total", ordering="total")
    def total_text(self, obj: Sale) -> str:
        return selectors.money_text(obj.total)

    @admin.display(description="Payment")
    def methods(self, obj: Sale) -> str:
        return selectors.payment_methods_text(list(obj.payments.all()))

    @admin.display(description="Status", ordering="status")
    def state(self, obj: Sale):
        return status_tag(
            obj.get_status_display(), tone="alert" if obj.status == Sale.Status.VOIDED else ""
        )

    def detail(self, instance: Sale, request) -> dict:
        detail = selectors.sale_detail(instance)
        user = request.user
        for refund in detail["refunds"]:
            refund["url"] = (
                refund_inspect_url(refund["pk"]) if user.has_perm("pos.view_refund") else ""
            )
        detail["shift_url"] = (
            shift_inspect_url(instance.shift_id)
            if instance.shift_id and user.has_perm("pos.view_shift")
            else ""
        )
        detail["refund_url"] = (
            reverse("pos_sales:refund", args=[instance.pk])
            if user.has_perm("pos.refund_sale") and instance.status == Sale.Status.COMPLETED
            else ""
        )
        return detail


# --------------------------------------------------------------------------- refunds


class RefundAdmin(ReadOnlyModelAdmin):
    model = Refund
    menu_label = "Refunds and voids"
    menu_icon = "rotate"
    menu_order = 200
    list_display = ("number", "date", "kind_label", "sale_link", "total_text", "approver", "reason")
    list_filter = (
        ("created_at", DateFilter),
        "kind",
        ("cashier", CashierFilter),
        "register",
        PaymentMethodFilter,
    )
    search_fields = ("number", "sale__number", "cashier__username")
    inspect_template_name = "pos/admin/refund_inspect.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sale", "approved_by", "cashier")

    @admin.display(description="Date", ordering="created_at")
    def date(self, obj: Refund) -> str:
        return selectors.store_datetime_text(obj.created_at)

    @admin.display(description="Kind", ordering="kind")
    def kind_label(self, obj: Refund):
        return status_tag(
            obj.get_kind_display(), tone="alert" if obj.kind == Refund.Kind.VOID else ""
        )

    @admin.display(description="Sale", ordering="sale__number")
    def sale_link(self, obj: Refund):
        return format_html('<a href="{}">{}</a>', sale_inspect_url(obj.sale_id), obj.sale.number)

    @admin.display(description="Total", ordering="total")
    def total_text(self, obj: Refund) -> str:
        return selectors.money_text(obj.total)

    @admin.display(description="Approved by", ordering="approved_by__username")
    def approver(self, obj: Refund) -> str:
        return selectors.user_text(obj.approved_by)

    def detail(self, instance: Refund, request) -> dict:
        detail = selectors.refund_detail(instance)
        detail["sale_url"] = sale_inspect_url(instance.sale_id)
        detail["shift_url"] = (
            shift_inspect_url(instance.shift_id)
            if instance.shift_id and request.user.has_perm("pos.view_shift")
            else ""
        )
        return detail


# --------------------------------------------------------------------------- shifts


class ShiftAdmin(ReadOnlyModelAdmin):
    model = Shift
    menu_label = "Shifts"
    menu_icon = "time"
    menu_order = 300
    list_display = (
        "shift",
        "register",
        "cashier_name",
        "opened",
        "closed",
        "state",
        "expected",
        "counted",
        "difference",
    )
    list_filter = ("status", "register", ("cashier", CashierFilter), ("opened_at", DateFilter))
    search_fields = ("cashier__username", "register__name")
    inspect_template_name = "pos/admin/shift_inspect.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("register", "cashier")

    @admin.display(description="Shift", ordering="pk")
    def shift(self, obj: Shift) -> str:
        return f"Shift #{obj.pk}"

    @admin.display(description="Cashier", ordering="cashier__username")
    def cashier_name(self, obj: Shift) -> str:
        return selectors.user_text(obj.cashier)

    @admin.display(description="Opened", ordering="opened_at")
    def opened(self, obj: Shift) -> str:
        return selectors.store_datetime_text(obj.opened_at)

    @admin.display(description="Closed", ordering="closed_at")
    def closed(self, obj: Shift) -> str:
        return selectors.store_datetime_text(obj.closed_at)

    @admin.display(description="Status", ordering="status")
    def state(self, obj: Shift):
        return status_tag(
            obj.get_status_display(), tone="open" if obj.status == Shift.Status.OPEN else ""
        )

    @admin.display(description="Expected")
    def expected(self, obj: Shift) -> str:
        return selectors.money_text(obj.expected_cash)

    @admin.display(description="Counted")
    def counted(self, obj: Shift) -> str:
        return selectors.money_text(obj.counted_cash)

    @admin.display(description="Over / short")
    def difference(self, obj: Shift) -> str:
        return selectors.signed_money_text(selectors.over_short(obj))

    def inspect_subtitle(self, instance: Shift) -> str:
        return f"Shift #{instance.pk} · {instance.register.name}"

    def detail(self, instance: Shift, request) -> dict:
        from .shift_documents import report_context

        return report_context(instance)


# --------------------------------------------------------------------------- stock


class StockMovementAdmin(ReadOnlyModelAdmin):
    model = StockMovement
    menu_label = "Stock movements"
    menu_icon = "history"
    menu_order = 400
    list_display = (
        "product_name",
        "kind_label",
        "change",
        "stock_after",
        "user_name",
        "reason",
        "reference_text",
        "date",
    )
    list_filter = (
        "kind",
        ("created_at", DateFilter),
        ("user", UserFilter),
        "product__category",
    )
    # The reference is the delivery note, the sale (S-…) or the refund (R-…) number.
    search_fields = ("product__name", "product__sku", "reference", "sale__number", "refund__number")
    inspect_template_name = "pos/admin/movement_inspect.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "user", "sale", "refund")

    @admin.display(description="Product", ordering="product__name")
    def product_name(self, obj: StockMovement):
        return format_html(
            '{} <span class="pos-muted">{}</span>', obj.product.name, obj.product.sku
        )

    @admin.display(description="Stock after", ordering="resulting_quantity")
    def stock_after(self, obj: StockMovement) -> int:
        return obj.resulting_quantity

    @admin.display(description="Kind", ordering="kind")
    def kind_label(self, obj: StockMovement) -> str:
        return obj.get_kind_display()

    @admin.display(description="Change", ordering="quantity")
    def change(self, obj: StockMovement) -> str:
        return selectors.quantity_text(obj.quantity)

    @admin.display(description="User", ordering="user__username")
    def user_name(self, obj: StockMovement) -> str:
        return selectors.user_text(obj.user)

    @admin.display(description="Reference")
    def reference_text(self, obj: StockMovement) -> str:
        return selectors.movement_reference(obj)

    @admin.display(description="Date", ordering="created_at")
    def date(self, obj: StockMovement) -> str:
        return selectors.store_datetime_text(obj.created_at)

    def inspect_subtitle(self, instance: StockMovement) -> str:
        return f"{instance.get_kind_display()} · {instance.product.name}"

    def detail(self, instance: StockMovement, request) -> dict:
        user = request.user
        return {
            "date": selectors.store_datetime_text(instance.created_at),
            "user": selectors.user_text(instance.user),
            "reference": selectors.movement_reference(instance),
            "change": self.change(instance),
            "history_url": reverse("pos_inventory:product_movements", args=[instance.product_id]),
            "sale_url": sale_inspect_url(instance.sale_id)
            if instance.sale_id and user.has_perm("pos.view_sale")
            else "",
            "refund_url": refund_inspect_url(instance.refund_id)
            if instance.refund_id and user.has_perm("pos.view_refund")
            else "",
        }


# --------------------------------------------------------------------------- offline sales


class SalesPermissionHelper(ReadOnlyPermissionHelper):
    """Whoever may see the sales may see how the offline ones arrived."""

    @cached_property
    def view_permission(self) -> str:
        return "pos.view_sale"


class OfflineSaleAdmin(ReadOnlyModelAdmin):
    """Sales rung up offline, as they synced: the ones a manager should check come first."""

    model = OfflineSale
    permission_helper_class = SalesPermissionHelper
    inspect_view_enabled = False
    menu_label = "Offline sales"
    menu_icon = "warning"
    menu_order = 150
    list_display = (
        "sale_link",
        "provisional_number",
        "sold",
        "received",
        "charged",
        "catalog",
        "difference",
        "review",
    )
    list_filter = ("needs_review", "negative_stock", ("received_at", DateFilter))
    search_fields = ("provisional_number", "sale__number")
    ordering = ("-needs_review", "-received_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sale")

    @admin.display(description="Sale", ordering="sale__number")
    def sale_link(self, obj: OfflineSale):
        return format_html('<a href="{}">{}</a>', sale_inspect_url(obj.sale_id), obj.sale.number)

    @admin.display(description="Sold (register clock)", ordering="sold_at")
    def sold(self, obj: OfflineSale) -> str:
        return selectors.store_datetime_text(obj.sold_at)

    @admin.display(description="Received", ordering="received_at")
    def received(self, obj: OfflineSale) -> str:
        return selectors.store_datetime_text(obj.received_at)

    @admin.display(description="Charged")
    def charged(self, obj: OfflineSale) -> str:
        return selectors.money_text(obj.sale.total)

    @admin.display(description="At catalog prices")
    def catalog(self, obj: OfflineSale) -> str:
        return selectors.money_text(obj.catalog_total)

    @admin.display(description="Difference", ordering="price_difference")
    def difference(self, obj: OfflineSale) -> str:
        return selectors.signed_money_text(obj.price_difference)

    @admin.display(description="To check", ordering="needs_review")
    def review(self, obj: OfflineSale):
        if not obj.needs_review:
            return "—"
        return format_html("{} {}", status_tag("Check", tone="alert"), " ".join(obj.review_reasons))


class SalesGroup(ModelAdminGroup):
    menu_label = "Sales"
    menu_icon = "doc-full-inverse"
    menu_order = 250
    items = (SaleAdmin, OfflineSaleAdmin, RefundAdmin, ShiftAdmin, StockMovementAdmin)
