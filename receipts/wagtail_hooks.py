"""Receipts in the Wagtail admin: a "Receipts" menu with the templates (merchandisers and
managers) and "Find a receipt" (managers: reprint or email a sale's receipt)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import views
from .models import ReceiptTemplate


class ReceiptTemplateViewSet(SnippetViewSet):
    model = ReceiptTemplate
    icon = "doc-full"
    menu_label = "Receipt templates"
    base_url_path = "receipts/templates"
    admin_url_namespace = "receipts_templates"
    list_display = [
        "name",
        BooleanColumn("is_default", label="Default", sort_key="is_default"),
        Column("paper", label="Paper", accessor="get_paper_display", sort_key="paper"),
        DateColumn("updated_at", label="Updated", sort_key="updated_at"),
    ]
    list_filter = ["paper", "is_default"]
    search_fields = ["name"]
    search_backend_name = None
    inspect_view_enabled = False


class FindReceiptMenuItem(MenuItem):
    def is_shown(self, request):
        return views.can_find_receipts(request.user)


class FindReceiptViewSet(ViewSet):
    name = "receipts_admin"
    url_prefix = "receipts/find"
    icon = "search"
    menu_label = "Find a receipt"
    menu_item_class = FindReceiptMenuItem

    def get_urlpatterns(self):
        return [path("", views.FindReceiptView.as_view(), name="find")]


class ReceiptsGroup(ViewSetGroup):
    menu_label = "Receipts"
    menu_icon = "doc-full"
    menu_order = 210
    items = (ReceiptTemplateViewSet, FindReceiptViewSet)


register_snippet(ReceiptsGroup)


@hooks.register("before_delete_snippet")
def keep_the_default_template(request, instances):
    """There is always a default template: it cannot be deleted, only replaced."""
    defaults = [obj for obj in instances if isinstance(obj, ReceiptTemplate) and obj.is_default]
    if defaults:
        messages.error(
            request,
            f"“{defaults[0].name}” is the default receipt template and cannot be deleted. "
            "Make another template the default first.",
        )
        if len(instances) == 1:
            return redirect("receipts_templates:edit", defaults[0].pk)
        return redirect("receipts_templates:list")
    return None
