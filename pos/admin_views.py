"""Stock screens of the Wagtail admin (Inventory menu): receive, adjust, count, low stock,
and a product's movement history. Thin: the pos.inventory services do the work and check the
permission again themselves."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from catalog.models import Product
from pos_site.errors import ServiceError

from . import admin_selectors as selectors
from .forms import AdjustStockForm, ReceiveHeaderForm, StockCountForm, receive_formset
from .inventory import adjust_stock, receive_stock, record_stock_count

CHANGE_STOCK = "pos.add_stockmovement"
VIEW_MOVEMENTS = "pos.view_stockmovement"
VIEW_LOW_STOCK = "pos.view_lowstockalert"
MOVEMENTS_PER_PAGE = 50


def forbidden(request: HttpRequest) -> HttpResponse:
    """A real 403 page inside the admin.

    Wagtail turns a PermissionDenied raised in an admin view into a redirect to the dashboard;
    a merchandiser following a link to a manager's screen gets a plain answer instead.
    """
    return TemplateResponse(
        request,
        "pos/admin/forbidden.html",
        {
            "page_title": "Not allowed",
            "header_title": "Not allowed",
            "header_icon": "lock",
        },
        status=403,
    )


def product_from_query(request: HttpRequest) -> Product | None:
    value = request.GET.get("product", "")
    if not value.isdigit():
        return None
    return Product.objects.filter(pk=int(value)).first()


def safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


class PermissionMixin:
    permission: str = CHANGE_STOCK

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm(self.permission):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class InventoryPage(PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "clipboard-list"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("pos_inventory:low_stock"), "label": "Inventory"},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = safe_next(self.request) or ""
        context["can_change_stock"] = self.request.user.has_perm(CHANGE_STOCK)
        return context


class StockFormPage(InventoryPage):
    """Shared flow: validate → call a service → success message and redirect, or show why."""

    def done_url(self) -> str:
        """Back where the user came from (a safe `next`), else a fresh copy of the form."""
        return safe_next(self.request) or self.request.path

    def refused(self, error: ServiceError, form) -> HttpResponse:
        form.add_error(None, error.message)
        messages.error(self.request, error.message)
        return self.render_to_response(self.get_context_data(form=form))

    def invalid(self, **forms) -> HttpResponse:
        messages.error(self.request, "Nothing was changed: correct the highlighted fields.")
        return self.render_to_response(self.get_context_data(**forms))

    def history_button(self, product: Product):
        return messages.button(
            reverse("pos_inventory:product_movements", args=[product.pk]), "Stock history"
        )


class ReceiveStockView(StockFormPage):
    """Goods in: one product or a whole delivery, all rows in one transaction."""

    template_name = "pos/admin/receive_stock.html"
    page_title = "Receive stock"
    header_icon = "download"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product = product_from_query(self.request)
        context.setdefault("header_form", ReceiveHeaderForm())
        context.setdefault("formset", receive_formset(product=product))
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        header = ReceiveHeaderForm(request.POST)
        formset = receive_formset(request.POST)
        if not (header.is_valid() and formset.is_valid()):
            return self.invalid(header_form=header, formset=formset)
        reference = header.cleaned_data["reference"].strip()
        rows = formset.rows()
        try:
            with transaction.atomic():
                movements = [
                    receive_stock(
                        product=product, quantity=quantity, user=request.user, reference=reference
                    )
                    for product, quantity in rows
                ]
        except ServiceError as error:
            messages.error(request, f"Nothing was received: {error.message}")
            return self.render_to_response(
                self.get_context_data(header_form=header, formset=formset, refusal=error.message)
            )
        items = sum(m.quantity for m in movements)
        note = f" (delivery note {reference})" if reference else ""
        if len(movements) == 1:
            movement = movements[0]
            messages.success(
                request,
                f"Received {items} × {movement.product.name}{note}. "
                f"Stock now {movement.resulting_quantity}.",
                buttons=[self.history_button(movement.product)],
            )
        else:
            messages.success(request, f"Received {items} items of {len(movements)} products{note}.")
        return HttpResponseRedirect(self.done_url())


class AdjustStockView(StockFormPage):
    template_name = "pos/admin/stock_form.html"
    page_title = "Adjust stock"
    header_icon = "edit"
    submit_label = "Adjust stock"
    intro = (
        "Broken, stolen, expired or miscounted goods: change the stock by a signed quantity "
        "and say why. Deliveries go through Receive stock; shelf counts through Stock count."
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "form" not in context:
            context["form"] = AdjustStockForm(initial={"product": product_from_query(self.request)})
        context["submit_label"] = self.submit_label
        context["intro"] = self.intro
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = AdjustStockForm(request.POST)
        if not form.is_valid():
            return self.invalid(form=form)
        data = form.cleaned_data
        try:
            movement = adjust_stock(
                product=data["product"],
                quantity=data["quantity"],
                reason=data["reason"],
                note=data["note"].strip(),
                user=request.user,
            )
        except ServiceError as error:
            return self.refused(error, form)
        product = movement.product
        messages.success(
            request,
            f"{product.name}: {selectors.quantity_text(movement.quantity)} ({data['reason']}). "
            f"Stock now {movement.resulting_quantity}.",
            buttons=[self.history_button(product)],
        )
        return HttpResponseRedirect(self.done_url())


class StockCountView(StockFormPage):
    template_name = "pos/admin/stock_form.html"
    page_title = "Stock count"
    header_icon = "tasks"
    submit_label = "Record count"
    intro = (
        "Count what is on the shelf and enter the number: the difference to the system's "
        "figure is recorded as a stock-count movement."
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "form" not in context:
            context["form"] = StockCountForm(initial={"product": product_from_query(self.request)})
        context["submit_label"] = self.submit_label
        context["intro"] = self.intro
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = StockCountForm(request.POST)
        if not form.is_valid():
            return self.invalid(form=form)
        data = form.cleaned_data
        product = data["product"]
        try:
            movement = record_stock_count(
                product=product,
                counted=data["counted"],
                note=data["note"].strip(),
                user=request.user,
            )
        except ServiceError as error:
            return self.refused(error, form)
        if movement is None:
            messages.info(
                request,
                f"{product.name}: the count matches the system ({data['counted']}). "
                "Nothing to change.",
            )
        else:
            messages.success(
                request,
                f"{product.name}: counted {data['counted']}, "
                f"{selectors.quantity_text(movement.quantity)} against the system. "
                f"Stock now {movement.resulting_quantity}.",
                buttons=[self.history_button(product)],
            )
        return HttpResponseRedirect(self.done_url())


class LowStockView(InventoryPage):
    """Products at or below their threshold (open alerts), each with a restock link."""

    permission = VIEW_LOW_STOCK
    template_name = "pos/admin/low_stock.html"
    page_title = "Low stock"
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        locale = selectors.store_locale()
        context["rows"] = [
            {
                "product": row.product,
                "quantity": row.quantity,
                "threshold": row.threshold,
                "raised": selectors.store_datetime_text(row.alert.raised_at, locale),
            }
            for row in selectors.low_stock_rows()
        ]
        context["can_see_history"] = self.request.user.has_perm(VIEW_MOVEMENTS)
        return context


class ProductMovementsView(InventoryPage):
    """A product's stock ledger: every movement with who, why and the resulting stock."""

    permission = VIEW_MOVEMENTS
    template_name = "pos/admin/product_movements.html"
    page_title = "Stock history"
    header_icon = "history"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.product = get_object_or_404(
            Product.objects.select_related("category"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return f"Stock history: {self.product.name}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.product_movements(self.product), MOVEMENTS_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("p"))
        context.update(
            product=self.product,
            page_obj=page,
            paginator=paginator,
            elided_page_range=paginator.get_elided_page_range(page.number),
            rows=selectors.movement_rows(page.object_list),
            can_see_sales=self.request.user.has_perm("pos.view_sale"),
            can_see_refunds=self.request.user.has_perm("pos.view_refund"),
        )
        return context
