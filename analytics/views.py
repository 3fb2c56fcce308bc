"""The report pages of the Wagtail admin (Reports menu): thin views over analytics.reports.

`?export=csv|xlsx|pdf` on any report URL downloads exactly what the page shows.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from pos.admin_views import forbidden

from .exports import CONTENT_TYPES, export_response
from .filters import BUCKETS, parse_filters
from .reports import REPORTS, Report, applicable_filter, change_text

VIEW_REPORTS = "analytics.view_reports"


class ReportPage(WagtailAdminTemplateMixin, TemplateView):
    template_name = "analytics/report.html"
    header_icon = "table"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm(VIEW_REPORTS):
            return forbidden(request)
        self.spec = REPORTS.get(kwargs["slug"])
        if self.spec is None:
            raise Http404("No such report.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.flt, self.form = parse_filters(request.GET)
        self.report = self.spec.build(applicable_filter(self.spec.slug, self.flt))
        kind = request.GET.get("export", "")
        if kind in CONTENT_TYPES:
            return export_response(self.report, kind)
        return super().get(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return self.spec.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("analytics:sales-overview"), "label": "Reports"},
            {"url": "", "label": self.spec.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report: Report = self.report
        query = self.flt.query_string()
        context.update(
            report=report,
            form=self.form,
            errors=_form_errors(self.form),
            reports=[
                (spec.title, f"{reverse(f'analytics:{spec.slug}')}?{query}", spec is self.spec)
                for spec in REPORTS.values()
            ],
            metrics=[_metric_view(report, metric) for metric in report.metrics],
            tables=[_table_view(report, table) for table in report.tables],
            charts=[
                (f"chart-data-{index}", chart.payload(report.currency))
                for index, chart in enumerate(report.charts, start=1)
            ],
            exports=[
                (kind.upper(), f"?{self.flt.query_string(export=kind)}") for kind in CONTENT_TYPES
            ],
            show_bucket=report.slug == "sales-overview",
            show_order=report.slug == "top-products",
            show_days=report.slug == "inventory",  # and the movement kind
            show_sale_filters=report.slug != "inventory",  # register, payment method
            buckets=BUCKETS,
            flt=self.flt,
        )
        return context


def _form_errors(form) -> list[str]:
    if form.is_valid():
        return []
    messages = list(form.non_field_errors())
    for name, errors in form.errors.items():
        if name != "__all__":
            label = form.fields[name].label or name.capitalize()
            messages += [f"{label}: {error}" for error in errors]
    return [*messages, "The report shows the last 30 days with no other filter instead."]


def _metric_view(report: Report, metric) -> dict:
    return {
        "label": metric.label,
        "value": report.text(metric.value, metric.kind),
        "previous": None if metric.previous is None else report.text(metric.previous, metric.kind),
        "change": change_text(metric) if metric.previous is not None else "",
        "compared": metric.change is not None,
        "trend": metric.trend,
        "good": metric.is_good,
    }


def _table_view(report: Report, table) -> dict:
    rows = []
    for index, row in enumerate(table.rows):
        levels = table.levels[index] if table.levels else [0] * len(row)
        rows.append(
            [
                {
                    "text": report.text(value, column.kind),
                    "num": column.kind not in ("text", "code"),
                    "code": column.kind == "code",
                    "level": level,
                }
                for value, column, level in zip(row, table.columns, levels, strict=True)
            ]
        )
    return {"table": table, "rows": rows}
