from django.urls import path

from . import api, catalog_api, offline_api, register_api

urlpatterns = [
    path("carts/", api.CartListView.as_view(), name="api-carts"),
    path("carts/<int:cart_id>/", api.CartDetailView.as_view(), name="api-cart"),
    path("carts/<int:cart_id>/lines/", api.CartLinesView.as_view(), name="api-cart-lines"),
    path(
        "carts/<int:cart_id>/lines/<int:line_id>/",
        api.CartLineView.as_view(),
        name="api-cart-line",
    ),
    path("carts/<int:cart_id>/discount/", api.CartDiscountView.as_view(), name="api-cart-discount"),
    path("carts/<int:cart_id>/park/", api.CartParkView.as_view(), name="api-cart-park"),
    path("carts/<int:cart_id>/resume/", api.CartResumeView.as_view(), name="api-cart-resume"),
    path("carts/<int:cart_id>/checkout/", api.CheckoutView.as_view(), name="api-cart-checkout"),
    path(
        "catalog/snapshot/",
        catalog_api.CatalogSnapshotView.as_view(),
        name="api-catalog-snapshot",
    ),
    path("offline-sales/", offline_api.OfflineSalesView.as_view(), name="api-offline-sales"),
    path("sales/<str:number>/", register_api.SaleDetailView.as_view(), name="api-sale"),
    path("sales/<str:number>/refunds/", api.SaleRefundView.as_view(), name="api-sale-refunds"),
    path("sales/<str:number>/void/", api.SaleVoidView.as_view(), name="api-sale-void"),
    path("shifts/", api.ShiftListView.as_view(), name="api-shifts"),
    path("shifts/current/", api.CurrentShiftView.as_view(), name="api-shift-current"),
    path(
        "shifts/current/sales/",
        register_api.CurrentShiftSalesView.as_view(),
        name="api-shift-current-sales",
    ),
    path(
        "shifts/<int:shift_id>/cash-movements/",
        api.ShiftCashMovementView.as_view(),
        name="api-shift-cash",
    ),
    path("shifts/<int:shift_id>/report/", api.ShiftReportView.as_view(), name="api-shift-report"),
    path("shifts/<int:shift_id>/close/", api.ShiftCloseView.as_view(), name="api-shift-close"),
]
