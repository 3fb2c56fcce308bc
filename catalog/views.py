"""Admin views of the catalog beyond the snippet screens: CSV import and export."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from catalog import selectors, services
from catalog.forms import ProductImportForm
from catalog.models import ProductImport
from pos_site.errors import ServiceError
from pos_site.spreadsheet import safe_row

IMPORT_PERMISSIONS = ("catalog.add_product", "catalog.change_product")
EXPORT_PERMISSIONS = ("catalog.change_product",)  # the file holds cost prices
MAX_ERRORS_SHOWN = 500

SAMPLE_CSV = (
    "sku,name,barcode,category,price,cost_price,tax_rate,quantity_on_hand,"
    "low_stock_threshold,is_active,description\n"
    "COF-101,Espresso beans 1 kg,4006381333931,Coffee,29.90,14.20,Standard,12,4,true,"
    "Dark roast from our own roastery.\n"
)


def can_import(user) -> bool:
    return user.has_perms(IMPORT_PERMISSIONS)


def can_export(user) -> bool:
    return user.has_perms(EXPORT_PERMISSIONS)


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_products(request: HttpRequest) -> StreamingHttpResponse:
    """All products as CSV, in the columns the import reads (streamed, any catalog size).

    Cells a spreadsheet would run as a formula are written as text (pos_site/spreadsheet.py).
    """
    if not can_export(request.user):
        raise PermissionDenied
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # BOM: spreadsheet programs then read the file as UTF-8
        for row in selectors.product_export_rows():
            yield writer.writerow(safe_row(row))

    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="products-{stamp}.csv"'
    return response


def sample_csv(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        raise PermissionDenied
    response = HttpResponse("\ufeff" + SAMPLE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="products-sample.csv"'
    return response


class ImportView(WagtailAdminTemplateMixin, View):
    """Upload → dry-run preview (counts and per-row problems) → "Confirm import"."""

    template_name = "catalog/import.html"
    page_title = "Import products"
    header_icon = "upload"
    index_url_name = "catalog_products:list"

    def dispatch(self, request, *args, **kwargs):
        if not can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Products"},
            {"url": "", "label": self.page_title},
        ]

    def render(self, **context) -> TemplateResponse:
        context = self.get_context_data(
            columns=services.CSV_COLUMNS,
            clearable=sorted(services.CLEARABLE),
            sample_csv=SAMPLE_CSV,
            max_errors=MAX_ERRORS_SHOWN,
            export_url=reverse("catalog_products:export") if can_export(self.request.user) else "",
            sample_url=reverse("catalog_products:import_sample"),
            index_url=reverse(self.index_url_name),
            **context,
        )
        report = context.get("report")
        if report is not None:
            context["shown_errors"] = report.errors[:MAX_ERRORS_SHOWN]
        return TemplateResponse(self.request, self.template_name, context)

    def get(self, request: HttpRequest) -> TemplateResponse:
        return self.render(form=ProductImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProductImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form=form)
        upload = form.cleaned_data["file"]
        try:
            pending = services.save_pending_import(upload, user=request.user, filename=upload.name)
            report = services.import_products_csv(
                pending.content, dry_run=True, user=request.user, filename=upload.name
            )
        except ServiceError as error:
            form.add_error("file", error.message)
            return self.render(form=form)
        return self.render(form=ProductImportForm(), report=report, pending=pending)


class ConfirmImportView(ImportView):
    page_title = "Import products"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return redirect("catalog_products:import")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pending = get_object_or_404(ProductImport, pk=pk, user=request.user)
        try:
            report = services.confirm_import(pending, user=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("catalog_products:import")
        if not report.applied:
            messages.error(
                request,
                "Nothing was imported: the catalog changed since the preview and some rows "
                "are no longer valid. Fix them and upload the file again.",
            )
            return self.render(form=ProductImportForm(), report=report)
        messages.success(
            request,
            f"Imported {pending.filename}: {report.created} product"
            f"{'' if report.created == 1 else 's'} created, {report.updated} updated, "
            f"{report.unchanged} unchanged.",
        )
        return redirect(self.index_url_name)
