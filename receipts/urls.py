"""Receipt URLs under /receipts/ (mounted in pos_site/urls.py)."""

from django.urls import path, register_converter

from . import views


class DocumentNumberConverter:
    """Sale and refund numbers: letters, a dash, digits (S-000042, R-000045)."""

    regex = r"[A-Za-z]{1,4}-[0-9]{1,12}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


class TokenConverter:
    regex = r"[A-Za-z0-9_:\-]{10,200}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DocumentNumberConverter, "docnumber")
register_converter(TokenConverter, "receipttoken")

app_name = "receipts"
urlpatterns = [
    path("link/<receipttoken:token>/", views.receipt_link, name="link"),
    path("link/<receipttoken:token>.pdf", views.receipt_link_pdf, name="link-pdf"),
    path("<docnumber:number>/", views.receipt_page, name="html"),
    path("<docnumber:number>.pdf", views.receipt_pdf, name="pdf"),
]
