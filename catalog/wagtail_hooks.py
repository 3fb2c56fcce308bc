"""The catalog in the Wagtail admin: a "Catalog" menu with products, categories, tax rates,
and CSV import/export. Everything is a `SnippetViewSet`; no wagtail-modeladmin."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import ProtectedError
from django.db.models.deletion import RestrictedError
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList, TabbedInterface
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.widgets import HeaderButton
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views.snippets import (
    DeleteView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from catalog import selectors, services, views
from catalog.forms import ProductForm
from catalog.models import Category, Product, TaxRate
from catalog.stock_history import StockHistoryPanel
from store.selectors import current_store_settings, format_amount

# --------------------------------------------------------------------------- list columns


class ThumbnailColumn(Column):
    cell_template_name = "catalog/cells/thumbnail.html"

    def get_value(self, instance):
        if instance.image_id is None:
            return None
        try:
            return selectors.rendition(instance.image, selectors.ADMIN_THUMBNAIL_SPEC)
        except OSError:  # the image file is gone; the row still renders
            return None


class PriceColumn(Column):
    cell_template_name = "catalog/cells/price.html"

    def __init__(self, *args, locale: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale = locale

    def get_value(self, instance):
        price = instance.price
        return format_amount(price.amount, str(price.currency), self.locale)


class StockColumn(Column):
    cell_template_name = "catalog/cells/stock.html"


# --------------------------------------------------------------------------- product listing


class ProductFilterSet(WagtailFilterSet):
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), empty_label="All categories"
    )
    is_active = django_filters.BooleanFilter(label="Active")
    low_stock = django_filters.BooleanFilter(label="Low stock", method="filter_low_stock")

    class Meta:
        model = Product
        fields = ["category", "is_active", "low_stock"]

    def filter_low_stock(self, queryset, name, value):
        return selectors.filter_products(queryset, low_stock=value)


class ProductIndexView(IndexView):
    """Product list: thumbnails and prices without a query per row, ORM search, CSV buttons."""

    def get_base_queryset(self):
        return selectors.products_with_thumbnails(
            super().get_base_queryset(), spec=selectors.ADMIN_THUMBNAIL_SPEC
        )

    def search_queryset(self, queryset):
        # The same search as the API and the chooser: name contains, SKU/barcode starts with.
        return selectors.search_products(queryset, self.search_query)

    @cached_property
    def columns(self):
        locale = current_store_settings().locale
        checkbox, name = super().columns[:2]  # list_display = ["name"]
        return [
            checkbox,
            ThumbnailColumn("image", label="", sort_key=None, width="60px"),
            name,
            Column("sku", label="SKU", sort_key="sku"),
            PriceColumn("price", label="Price", sort_key="price", locale=locale),
            StockColumn("quantity_on_hand", label="Stock", sort_key="quantity_on_hand"),
            BooleanColumn("is_active", label="Active", sort_key="is_active"),
            DateColumn("updated_at", label="Updated", sort_key="updated_at"),
        ]

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if views.can_import(self.request.user):
            buttons.append(
                HeaderButton(
                    "Import CSV", url=reverse("catalog_products:import"), icon_name="upload"
                )
            )
        return buttons

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if views.can_export(self.request.user):
            buttons.append(
                Button(
                    "Export all products (CSV)",
                    url=reverse("catalog_products:export"),
                    icon_name="download",
                )
            )
        return buttons


class CatalogDeleteView(DeleteView):
    """Refuses, with an explanation, to delete what other rows still point at (a sold
    product, a tax rate products use).

    The `before_delete_snippet` hook below already explains it before the confirmation page;
    this catches the refusal the database gives if a sale lands in between.
    """

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ProtectedError, RestrictedError) as error:
            messages.error(self.request, services.delete_blocked_message(self.object, error))
            return redirect(self.edit_url_name, self.object.pk)


class ProductChooseFilterForm(BaseFilterForm):
    q = forms.CharField(
        label="Search term",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Name, SKU or barcode"}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        term = self.cleaned_data.get("q")
        if term:
            objects = selectors.search_products(objects, term)
            self.is_searching = True
            self.search_query = term
        return objects


class ProductChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = type(
        "ProductChooseView",
        (snippet_chooser.ChooseView,),
        {"filter_form_class": ProductChooseFilterForm},
    )
    choose_results_view_class = type(
        "ProductChooseResultsView",
        (snippet_chooser.ChooseResultsView,),
        {"filter_form_class": ProductChooseFilterForm},
    )


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = "Products"
    base_url_path = "catalog/products"
    admin_url_namespace = "catalog_products"
    index_view_class = ProductIndexView
    delete_view_class = CatalogDeleteView
    chooser_viewset_class = ProductChooserViewSet
    filterset_class = ProductFilterSet
    list_display = ["name"]  # the other columns: ProductIndexView.columns
    search_fields = ["name", "sku", "barcode"]  # searched by ProductIndexView.search_queryset
    search_backend_name = None
    list_per_page = 50
    copy_view_enabled = False  # a copy would clash on SKU and barcode at once
    inspect_view_enabled = False
    ordering = ["name", "id"]

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldRowPanel([FieldPanel("sku"), FieldPanel("barcode")]),
                    FieldPanel("category", widget=forms.Select),
                    FieldPanel("is_active"),
                    FieldPanel("slug"),
                ],
                heading="Details",
            ),
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("price"), FieldPanel("cost_price")]),
                    FieldPanel("tax_rate", widget=forms.Select),
                    FieldRowPanel(
                        [FieldPanel("quantity_on_hand"), FieldPanel("low_stock_threshold")]
                    ),
                    StockHistoryPanel(heading="Stock history"),
                ],
                heading="Pricing & stock",
            ),
            ObjectList(
                [FieldPanel("image"), FieldPanel("description")],
                heading="Image & description",
            ),
        ],
        base_form_class=ProductForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", views.ImportView.as_view(), name="import"),
            path(
                "import/<int:pk>/confirm/", views.ConfirmImportView.as_view(), name="import_confirm"
            ),
            path("import/sample.csv", views.sample_csv, name="import_sample"),
            path("export.csv", views.export_products, name="export"),
        ]


# --------------------------------------------------------------------------- categories, tax rates


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = "Categories"
    base_url_path = "catalog/categories"
    admin_url_namespace = "catalog_categories"
    delete_view_class = CatalogDeleteView
    list_display = ["name", "parent", Column("ordering", label="Order", sort_key="ordering")]
    search_fields = ["name", "slug"]
    search_backend_name = None
    ordering = ["ordering", "name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("parent", widget=forms.Select),
        FieldPanel("ordering"),
        FieldPanel("slug"),
    ]


class TaxRateViewSet(SnippetViewSet):
    model = TaxRate
    icon = "table"
    menu_label = "Tax rates"
    base_url_path = "catalog/tax-rates"
    admin_url_namespace = "catalog_tax_rates"
    delete_view_class = CatalogDeleteView
    list_display = ["name", Column("rate", label="Rate (%)", sort_key="rate")]
    search_fields = ["name"]
    search_backend_name = None
    panels = [FieldPanel("name"), FieldPanel("rate")]


class CatalogGroup(SnippetViewSetGroup):
    menu_label = "Catalog"
    menu_icon = "tag"
    menu_order = 200
    items = (ProductViewSet, CategoryViewSet, TaxRateViewSet)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        items.append(ImportMenuItem("Import products (CSV)", "", icon_name="upload", order=10))
        return items


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return views.can_import(request.user)

    def get_context(self, request):
        self.url = reverse("catalog_products:import")
        return super().get_context(request)


register_snippet(CatalogGroup)


# --------------------------------------------------------------------------- other hooks


@hooks.register("insert_global_admin_css")
def catalog_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("catalog/admin.css"))


@hooks.register("register_log_actions")
def register_catalog_log_actions(actions):
    @actions.register_action("catalog.import")
    class ImportedFromCsv(LogFormatter):
        label = "Import from CSV"

        def format_message(self, log_entry):
            verb = "Created" if log_entry.data.get("created") else "Updated"
            return f"{verb} by CSV import ({log_entry.data.get('file') or 'file'})"


@hooks.register("before_delete_snippet")
def refuse_deleting_what_is_in_use(request, instances):
    """Explain, instead of failing, why a sold product or a used tax rate cannot go
    (the single delete view and the bulk delete action both run this hook)."""
    catalog_objects = [obj for obj in instances if isinstance(obj, (Product, TaxRate, Category))]
    blocked = services.deletion_blocker(catalog_objects)
    if blocked:
        obj, error = blocked
        messages.error(request, services.delete_blocked_message(obj, error))
        viewset = obj.snippet_viewset
        if len(instances) == 1:
            return redirect(viewset.get_url_name("edit"), obj.pk)
        return redirect(viewset.get_url_name("list"))
    return None
