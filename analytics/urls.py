from django.urls import path

from .reports import REPORTS
from .views import ReportPage

app_name = "analytics"

# One explicit path per report: Wagtail's own reports live under /admin/reports/ too.
urlpatterns = [
    path(f"{slug}/", ReportPage.as_view(), {"slug": slug}, name=slug) for slug in REPORTS
]
