"""The point of sale in the Wagtail admin.

- "Sales" menu: read-only listings of sales, refunds, shifts and stock movements
  (pos/admin_listings.py, wagtail-modeladmin).
- "Inventory" menu: receive, adjust and count stock, and the low-stock list with a count badge
  (pos/admin_views.py), under /admin/inventory/.
- A low-stock panel on the dashboard, and links from each product to its stock history.
"""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.admin.ui.sidebar import SubMenuItem as SubMenuItemComponent
from wagtail.admin.widgets.button import Button
from wagtail.snippets.action_menu import ActionMenuItem
from wagtail_modeladmin.options import modeladmin_register

from catalog.models import Product

from . import admin_selectors as selectors
from . import admin_views as views
from .admin_listings import SalesGroup

PANEL_ROWS = 10

modeladmin_register(SalesGroup)


@hooks.register("register_admin_urls")
def register_inventory_urls():
    urls = [
        path("", views.LowStockView.as_view(), name="low_stock"),
        path("receive/", views.ReceiveStockView.as_view(), name="receive"),
        path("adjust/", views.AdjustStockView.as_view(), name="adjust"),
        path("count/", views.StockCountView.as_view(), name="count"),
        path(
            "products/<int:pk>/movements/",
            views.ProductMovementsView.as_view(),
            name="product_movements",
        ),
    ]
    return [path("inventory/", include((urls, "pos_inventory"), namespace="pos_inventory"))]


@hooks.register("register_admin_urls")
def register_sale_refund_urls():
    from .admin_refunds import SaleRefundView

    urls = [path("<int:pk>/refund/", SaleRefundView.as_view(), name="refund")]
    return [path("sales/", include((urls, "pos_sales"), namespace="pos_sales"))]


# --------------------------------------------------------------------------- menu


def low_stock_count(request) -> int:
    """The badge figure, counted once per request however many labels show it."""
    if not hasattr(request, "_pos_low_stock_count"):
        request._pos_low_stock_count = selectors.low_stock_count()
    return request._pos_low_stock_count


def with_count(label: str, count: int) -> str:
    return f"{label} ({count})" if count else label


class PermissionMenuItem(MenuItem):
    def __init__(self, label, url, *, permission: str, **kwargs):
        super().__init__(label, url, **kwargs)
        self.permission = permission

    def is_shown(self, request) -> bool:
        return request.user.has_perm(self.permission)


class LowStockMenuItem(PermissionMenuItem):
    """ "Low stock (6)": the number of open low-stock alerts in the label."""

    def render_component(self, request):
        return LinkMenuItemComponent(
            self.name,
            with_count(self.label, low_stock_count(request)),
            self.url,
            icon_name=self.icon_name,
            classname=self.classname,
            attrs=self.attrs,
        )


class InventoryMenuItem(SubmenuMenuItem):
    """The collapsed "Inventory" entry carries the low-stock count too, for managers."""

    def render_component(self, request):
        label = self.label
        if request.user.has_perm(views.VIEW_LOW_STOCK):
            label = with_count(label, low_stock_count(request))
        return SubMenuItemComponent(
            self.name,
            label,
            self.menu.render_component(request),
            icon_name=self.icon_name,
            classname=self.classname,
            attrs=self.attrs,
        )


@hooks.register("register_admin_menu_item")
def register_inventory_menu():
    items = [
        LowStockMenuItem(
            "Low stock",
            reverse("pos_inventory:low_stock"),
            name="low-stock",
            icon_name="warning",
            permission=views.VIEW_LOW_STOCK,
            order=100,
        ),
        PermissionMenuItem(
            "Receive stock",
            reverse("pos_inventory:receive"),
            name="receive-stock",
            icon_name="download",
            permission=views.CHANGE_STOCK,
            order=200,
        ),
        PermissionMenuItem(
            "Adjust stock",
            reverse("pos_inventory:adjust"),
            name="adjust-stock",
            icon_name="edit",
            permission=views.CHANGE_STOCK,
            order=300,
        ),
        PermissionMenuItem(
            "Stock count",
            reverse("pos_inventory:count"),
            name="stock-count",
            icon_name="tasks",
            permission=views.CHANGE_STOCK,
            order=400,
        ),
    ]
    return InventoryMenuItem(
        "Inventory", Menu(items=items), name="inventory", icon_name="clipboard-list", order=260
    )


# --------------------------------------------------------------------------- dashboard


class LowStockPanel(Component):
    """Dashboard panel: the first products at or below their threshold, with restock links."""

    name = "low_stock"
    order = 50
    template_name = "pos/admin/low_stock_panel.html"

    class Media:
        css = {"all": ["pos_admin/admin.css"]}

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        rows = selectors.low_stock_rows(limit=PANEL_ROWS + 1)
        return {
            "rows": rows[:PANEL_ROWS],
            "more": len(rows) > PANEL_ROWS,
            "list_url": reverse("pos_inventory:low_stock"),
            "receive_url": reverse("pos_inventory:receive"),
            "can_change_stock": request.user.has_perm(views.CHANGE_STOCK),
            "request": request,
        }


@hooks.register("construct_homepage_panels")
def add_low_stock_panel(request, panels):
    if request.user.has_perm(views.VIEW_LOW_STOCK):
        panels.append(LowStockPanel())


# --------------------------------------------------------------------------- products


def product_history_url(product_pk: int) -> str:
    return reverse("pos_inventory:product_movements", args=[product_pk])


@hooks.register("register_snippet_listing_buttons")
def product_stock_buttons(snippet, user, next_url=None):
    """ "Stock history" and "Receive stock" in each product's "More" menu of the listing."""
    if not isinstance(snippet, Product):
        return []
    buttons = []
    if user.has_perm(views.VIEW_MOVEMENTS):
        buttons.append(
            Button(
                "Stock history",
                url=product_history_url(snippet.pk),
                icon_name="history",
                priority=60,
            )
        )
    if user.has_perm(views.CHANGE_STOCK):
        buttons.append(
            Button(
                "Receive stock",
                url=f"{reverse('pos_inventory:receive')}?product={snippet.pk}",
                icon_name="download",
                priority=61,
            )
        )
    return buttons


class StockHistoryMenuItem(ActionMenuItem):
    """A "Stock history" link in the product editor's action menu."""

    name = "action-stock-history"
    label = "Stock history"
    icon_name = "history"
    order = 900

    def is_shown(self, context) -> bool:
        request = context.get("request")
        return (
            context.get("view") == "edit"
            and context.get("instance") is not None
            and request is not None
            and request.user.has_perm(views.VIEW_MOVEMENTS)
        )

    def get_url(self, parent_context):
        return product_history_url(parent_context["instance"].pk)


@hooks.register("register_snippet_action_menu_item")
def product_stock_history_action(model):
    if model is Product:
        return StockHistoryMenuItem()
    return None
