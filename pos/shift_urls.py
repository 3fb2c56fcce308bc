"""Shift report documents (X/Z reports as HTML and PDF), mounted at the site root."""

from django.urls import path

from . import shift_documents

urlpatterns = [
    path("shifts/<int:pk>/report/", shift_documents.shift_report_page, name="shift-report"),
    path("shifts/<int:pk>/report.pdf", shift_documents.shift_report_pdf, name="shift-report-pdf"),
]
