from django.urls import path

from . import api

urlpatterns = [
    path(
        "sales/<str:number>/email-receipt/",
        api.EmailReceiptView.as_view(),
        name="api-sale-email-receipt",
    ),
    path(
        "refunds/<str:number>/email-receipt/",
        api.EmailRefundReceiptView.as_view(),
        name="api-refund-email-receipt",
    ),
    path(
        "sales/<str:number>/print-receipt/",
        api.PrintReceiptView.as_view(),
        name="api-sale-print-receipt",
    ),
]
