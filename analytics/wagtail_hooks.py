"""Reports in the Wagtail admin: URLs under /admin/reports/, entries in the Reports menu and a
sales panel on the dashboard, all for holders of `analytics.view_reports` (managers)."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from . import urls
from .dashboard import today_panel_figures
from .reports import REPORTS
from .views import VIEW_REPORTS


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("reports/", include((urls.urlpatterns, "analytics"), namespace="analytics"))]


class ReportMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(VIEW_REPORTS)


def _menu_item(order: int, slug: str):
    return lambda: ReportMenuItem(
        REPORTS[slug].title,
        reverse(f"analytics:{slug}"),
        name=f"analytics-{slug}",
        icon_name="table",
        order=order,
    )


for _order, _slug in enumerate(REPORTS, start=100):
    hooks.register("register_reports_menu_item", _menu_item(_order, _slug))


class SalesTodayPanel(Component):
    """Dashboard panel: today's sales against the same weekday last week, and low stock."""

    name = "sales_today"
    order = 40
    template_name = "analytics/sales_today_panel.html"

    class Media:
        css = {"all": ["analytics/reports.css"]}

    def get_context_data(self, parent_context):
        return {**today_panel_figures(), "overview_url": reverse("analytics:sales-overview")}


@hooks.register("construct_homepage_panels")
def add_sales_today_panel(request, panels):
    if request.user.has_perm(VIEW_REPORTS):
        panels.append(SalesTodayPanel())
