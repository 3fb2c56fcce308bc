"""Every URL of ours × every role → the expected answer, checked against the URL resolver.

Which URLs are covered (the rule `covered()` applies to the resolver's list):
- every URL outside /admin/ and /django-admin/ (pages, /api/…, /receipts/…, login, schema,
  docs), except the development-only /media/ file server;
- under /admin/: the Wagtail dashboard (`wagtailadmin_home`), Django's admin index, the store
  settings, and every URL whose name (namespace included) starts with one of our apps' prefixes
  (`catalog_`, `pos_`, `receipts_`, `store`, `analytics`, and the snippet choosers of our
  models, `wagtailsnippetchoosers_catalog_…` / `…_receipts_…`), and Wagtail's users, groups and
  API tokens screens (`wagtailusers_…`: they hand out power, so who may use them is ours to
  pin). Wagtail's other screens (pages, images, documents, workflows…) are guarded by the
  Wagtail permissions `pos/roles.py` grants, and tested by Wagtail.

A row is `(url name, method, path, anonymous, cashier, merchandiser, manager, superuser)`.
The path has `{placeholders}` filled from the `shop` fixture. An answer is a status code, or
`"→/path/"` for a redirect there (query string ignored). Write methods are sent with an empty
JSON body: roles without the permission get 403 (anonymous callers 401: the token authenticator
comes first and sends `WWW-Authenticate`), roles with it 400 — never 500. Each request
runs in a savepoint that is rolled back, so every role meets the same shop.

The test fails when the resolver has a covered URL without a row (a new endpoint must declare
who may use it) and when a row names a URL that no longer exists or whose path resolves to
another URL.
"""

from __future__ import annotations

import copy

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from .conftest import ROLES

pytestmark = pytest.mark.django_db

L = "→/login/"  # anonymous visitors are sent to the login page
ADMIN = "→/admin/"  # Wagtail refuses by redirecting to its dashboard
DJ = "→/django-admin/login/"

OUR_ADMIN_PREFIXES = (
    "catalog_",
    "pos_",
    "receipts_",
    "store",
    "analytics",
    "wagtailsnippetchoosers_catalog_",
    "wagtailsnippetchoosers_receipts_",
    # Wagtail's screens that hand out power: who may create users, change groups, mint tokens.
    "wagtailusers_users:",
    "wagtailusers_groups:",
    "wagtailusers_api_tokens:",
)
OUR_ADMIN_NAMES = {"wagtailadmin_home", "admin:index", "wagtailsettings:edit"}

# fmt: off
MATRIX = [
    # name,                                    method, path,                                                         anon, cashier, merch, manager, super
    # site pages
    ("home",                                     "GET",  "/",                                                            L, "→/register/", ADMIN, ADMIN, ADMIN),
    ("login",                                    "GET",  "/login/",                                                      200, 200, 200, 200, 200),
    ("login",                                    "POST", "/login/",                                                      200, 200, 200, 200, 200),
    ("logout",                                   "GET",  "/logout/",                                                     405, 405, 405, 405, 405),
    ("logout",                                   "POST", "/logout/",                                                     L, L, L, L, L),
    ("no-role",                                  "GET",  "/no-role/",                                                    403, 403, 403, 403, 403),
    ("register",                                 "GET",  "/register/",                                                   L, 200, 403, 200, 200),
    ("register-service-worker",                  "GET",  "/register/sw.js",                                              200, 200, 200, 200, 200),
    ("register-manifest",                        "GET",  "/register/manifest.webmanifest",                               200, 200, 200, 200, 200),
    ("shift-report-pdf",                         "GET",  "/shifts/{shift}/report.pdf",                                   L, 200, 404, 200, 200),
    ("shift-report",                             "GET",  "/shifts/{shift}/report/",                                      L, 200, 404, 200, 200),
    # API (token or session; DRF answers 401 to anonymous callers)
    ("api-docs",                                 "GET",  "/api/docs/",                                                   200, 200, 200, 200, 200),
    ("api-schema",                               "GET",  "/api/schema/",                                                 200, 200, 200, 200, 200),
    ("api-carts",                                "GET",  "/api/v1/carts/",                                               401, 200, 403, 200, 200),
    ("api-carts",                                "POST", "/api/v1/carts/",                                               401, 200, 403, 201, 201),
    ("api-cart",                                 "GET",  "/api/v1/carts/{cart}/",                                        401, 200, 403, 404, 404),
    ("api-cart",                                 "DELETE","/api/v1/carts/{cart}/",                                        401, 200, 403, 404, 404),
    ("api-cart-checkout",                        "POST", "/api/v1/carts/{cart}/checkout/",                               401, 400, 403, 404, 404),
    ("api-cart-discount",                        "POST", "/api/v1/carts/{cart}/discount/",                               401, 400, 403, 404, 404),
    ("api-cart-lines",                           "POST", "/api/v1/carts/{cart}/lines/",                                  401, 400, 403, 404, 404),
    ("api-cart-line",                            "PATCH","/api/v1/carts/{cart}/lines/{line}/",                           401, 400, 403, 404, 404),
    ("api-cart-line",                            "DELETE","/api/v1/carts/{cart}/lines/{line}/",                           401, 200, 403, 404, 404),
    ("api-cart-park",                            "POST", "/api/v1/carts/{cart}/park/",                                   401, 200, 403, 404, 404),
    ("api-cart-resume",                          "POST", "/api/v1/carts/{cart}/resume/",                                 401, 409, 403, 404, 404),
    ("category-list",                            "GET",  "/api/v1/categories/",                                          401, 200, 200, 200, 200),
    ("category-list",                            "POST", "/api/v1/categories/",                                          401, 403, 400, 400, 400),
    ("category-detail",                          "GET",  "/api/v1/categories/{category}/",                               401, 200, 200, 200, 200),
    ("category-detail",                          "PUT",  "/api/v1/categories/{category}/",                               401, 403, 405, 405, 405),
    ("category-detail",                          "PATCH","/api/v1/categories/{category}/",                               401, 403, 200, 200, 200),
    ("category-detail",                          "DELETE","/api/v1/categories/{category}/",                               401, 403, 204, 204, 204),
    ("product-list",                             "GET",  "/api/v1/products/",                                            401, 200, 200, 200, 200),
    ("product-list",                             "POST", "/api/v1/products/",                                            401, 403, 400, 400, 400),
    ("product-by-barcode",                       "GET",  "/api/v1/products/by-barcode/{barcode}/",                       401, 200, 200, 200, 200),
    ("product-detail",                           "GET",  "/api/v1/products/{product}/",                                  401, 200, 200, 200, 200),
    ("product-detail",                           "PUT",  "/api/v1/products/{product}/",                                  401, 403, 405, 405, 405),
    ("product-detail",                           "PATCH","/api/v1/products/{product}/",                                  401, 403, 200, 200, 200),
    ("product-detail",                           "DELETE","/api/v1/products/{product}/",                                  401, 403, 409, 409, 409),
    ("api-refund-email-receipt",                 "POST", "/api/v1/refunds/{refund}/email-receipt/",                      401, 400, 403, 400, 400),
    ("api-catalog-snapshot",                     "GET",  "/api/v1/catalog/snapshot/",                                    401, 200, 200, 200, 200),
    ("api-offline-sales",                        "POST", "/api/v1/offline-sales/",                                       401, 400, 403, 400, 400),
    ("api-sale",                                 "GET",  "/api/v1/sales/{sale}/",                                        401, 200, 403, 200, 200),
    ("api-sale-email-receipt",                   "POST", "/api/v1/sales/{sale}/email-receipt/",                          401, 400, 403, 400, 400),
    ("api-sale-print-receipt",                   "POST", "/api/v1/sales/{sale}/print-receipt/",                          401, 400, 403, 400, 400),
    ("api-sale-refunds",                         "POST", "/api/v1/sales/{sale}/refunds/",                                401, 400, 403, 400, 400),
    ("api-sale-void",                            "POST", "/api/v1/sales/{sale}/void/",                                   401, 403, 403, 409, 409),
    ("api-shifts",                               "POST", "/api/v1/shifts/",                                              401, 400, 403, 400, 400),
    ("api-shift-current",                        "GET",  "/api/v1/shifts/current/",                                      401, 200, 403, 404, 404),
    ("api-shift-current-sales",                  "GET",  "/api/v1/shifts/current/sales/",                                401, 200, 403, 404, 404),
    ("api-shift-cash",                           "POST", "/api/v1/shifts/{shift}/cash-movements/",                       401, 400, 403, 400, 400),
    ("api-shift-close",                          "POST", "/api/v1/shifts/{shift}/close/",                                401, 400, 403, 400, 400),
    ("api-shift-report",                         "GET",  "/api/v1/shifts/{shift}/report/",                               401, 200, 403, 200, 200),
    ("tax-rate-list",                            "GET",  "/api/v1/tax-rates/",                                           401, 200, 200, 200, 200),
    ("tax-rate-detail",                          "GET",  "/api/v1/tax-rates/{tax_rate}/",                                401, 200, 200, 200, 200),
    # receipts
    ("receipts:link-pdf",                        "GET",  "/receipts/link/{token}.pdf",                                   200, 200, 200, 200, 200),
    ("receipts:link",                            "GET",  "/receipts/link/{token}/",                                      200, 200, 200, 200, 200),
    ("receipts:pdf",                             "GET",  "/receipts/{sale}.pdf",                                         L, 200, 403, 200, 200),
    ("receipts:html",                            "GET",  "/receipts/{sale}/",                                            L, 200, 403, 200, 200),
    # Wagtail admin (cashiers get a 403 page from AdminAccessMiddleware; "→/admin/" is Wagtail's refusal)
    ("wagtailadmin_home",                        "GET",  "/admin/",                                                      L, 403, 200, 200, 200),
    # reports (analytics): managers only; a merchandiser gets the admin's 403 page
    ("analytics:sales-overview",                  "GET",  "/admin/reports/sales-overview/",                             L, 403, 403, 200, 200),
    ("analytics:top-products",                    "GET",  "/admin/reports/top-products/",                               L, 403, 403, 200, 200),
    ("analytics:sales-by-category",               "GET",  "/admin/reports/sales-by-category/",                          L, 403, 403, 200, 200),
    ("analytics:sales-by-cashier",                "GET",  "/admin/reports/sales-by-cashier/",                           L, 403, 403, 200, 200),
    ("analytics:sales-by-register",               "GET",  "/admin/reports/sales-by-register/",                          L, 403, 403, 200, 200),
    ("analytics:sales-by-payment-method",         "GET",  "/admin/reports/sales-by-payment-method/",                    L, 403, 403, 200, 200),
    ("analytics:sales-heat-map",                  "GET",  "/admin/reports/sales-heat-map/",                             L, 403, 403, 200, 200),
    ("analytics:refunds",                         "GET",  "/admin/reports/refunds/",                                    L, 403, 403, 200, 200),
    ("analytics:inventory",                       "GET",  "/admin/reports/inventory/",                                  L, 403, 403, 200, 200),
    ("catalog_categories:list",                  "GET",  "/admin/catalog/categories/",                                   L, 403, 200, 200, 200),
    ("catalog_categories:add",                   "GET",  "/admin/catalog/categories/add/",                               L, 403, 200, 200, 200),
    ("catalog_categories:copy",                  "GET",  "/admin/catalog/categories/copy/{category}/",                   L, 403, 200, 200, 200),
    ("catalog_categories:delete",                "GET",  "/admin/catalog/categories/delete/{category}/",                 L, 403, 200, 200, 200),
    ("catalog_categories:edit",                  "GET",  "/admin/catalog/categories/edit/{category}/",                   L, 403, 200, 200, 200),
    ("catalog_categories:history_results",       "GET",  "/admin/catalog/categories/history-results/{category}/",        L, 403, 200, 200, 200),
    ("catalog_categories:history",               "GET",  "/admin/catalog/categories/history/{category}/",                L, 403, 200, 200, 200),
    ("catalog_categories:list_results",          "GET",  "/admin/catalog/categories/results/",                           L, 403, 200, 200, 200),
    ("catalog_categories:usage",                 "GET",  "/admin/catalog/categories/usage/{category}/",                  L, 403, 200, 200, 200),
    ("catalog_products:list",                    "GET",  "/admin/catalog/products/",                                     L, 403, 200, 200, 200),
    ("catalog_products:add",                     "GET",  "/admin/catalog/products/add/",                                 L, 403, 200, 200, 200),
    ("catalog_products:delete",                  "GET",  "/admin/catalog/products/delete/{product}/",                    L, 403, "→/admin/catalog/products/edit/{product}/", "→/admin/catalog/products/edit/{product}/", "→/admin/catalog/products/edit/{product}/"),
    ("catalog_products:edit",                    "GET",  "/admin/catalog/products/edit/{product}/",                      L, 403, 200, 200, 200),
    ("catalog_products:export",                  "GET",  "/admin/catalog/products/export.csv",                           L, 403, 200, 200, 200),
    ("catalog_products:history_results",         "GET",  "/admin/catalog/products/history-results/{product}/",           L, 403, 200, 200, 200),
    ("catalog_products:history",                 "GET",  "/admin/catalog/products/history/{product}/",                   L, 403, 200, 200, 200),
    ("catalog_products:revisions_compare",       "GET",  "/admin/catalog/products/history/{product}/revisions/compare/earliest...latest/",L, 403, 200, 200, 200),
    ("catalog_products:revisions_revert",        "GET",  "/admin/catalog/products/history/{product}/revisions/{revision}/revert/",L, 403, 200, 200, 200),
    ("catalog_categories:revisions_compare",     "GET",  "/admin/catalog/categories/history/{category}/revisions/compare/earliest...latest/",L, 403, 200, 200, 200),
    ("catalog_categories:revisions_revert",      "GET",  "/admin/catalog/categories/history/{category}/revisions/{category_revision}/revert/",L, 403, 200, 200, 200),
    ("catalog_products:import",                  "GET",  "/admin/catalog/products/import/",                              L, 403, 200, 200, 200),
    ("catalog_products:import_sample",           "GET",  "/admin/catalog/products/import/sample.csv",                    L, 403, 200, 200, 200),
    ("catalog_products:import_confirm",          "GET",  "/admin/catalog/products/import/{import}/confirm/",             L, 403, "→/admin/catalog/products/import/", "→/admin/catalog/products/import/", "→/admin/catalog/products/import/"),
    ("catalog_products:list_results",            "GET",  "/admin/catalog/products/results/",                             L, 403, 200, 200, 200),
    ("catalog_products:usage",                   "GET",  "/admin/catalog/products/usage/{product}/",                     L, 403, 200, 200, 200),
    ("catalog_tax_rates:list",                   "GET",  "/admin/catalog/tax-rates/",                                    L, 403, 200, 200, 200),
    ("catalog_tax_rates:add",                    "GET",  "/admin/catalog/tax-rates/add/",                                L, 403, 200, 200, 200),
    ("catalog_tax_rates:copy",                   "GET",  "/admin/catalog/tax-rates/copy/{tax_rate}/",                    L, 403, 200, 200, 200),
    ("catalog_tax_rates:delete",                 "GET",  "/admin/catalog/tax-rates/delete/{tax_rate}/",                  L, 403, "→/admin/catalog/tax-rates/edit/{tax_rate}/", "→/admin/catalog/tax-rates/edit/{tax_rate}/", "→/admin/catalog/tax-rates/edit/{tax_rate}/"),
    ("catalog_tax_rates:edit",                   "GET",  "/admin/catalog/tax-rates/edit/{tax_rate}/",                    L, 403, 200, 200, 200),
    ("catalog_tax_rates:history_results",        "GET",  "/admin/catalog/tax-rates/history-results/{tax_rate}/",         L, 403, 200, 200, 200),
    ("catalog_tax_rates:history",                "GET",  "/admin/catalog/tax-rates/history/{tax_rate}/",                 L, 403, 200, 200, 200),
    ("catalog_tax_rates:list_results",           "GET",  "/admin/catalog/tax-rates/results/",                            L, 403, 200, 200, 200),
    ("catalog_tax_rates:usage",                  "GET",  "/admin/catalog/tax-rates/usage/{tax_rate}/",                   L, 403, 200, 200, 200),
    ("pos_inventory:low_stock",                  "GET",  "/admin/inventory/",                                            L, 403, 403, 200, 200),
    ("pos_inventory:adjust",                     "GET",  "/admin/inventory/adjust/",                                     L, 403, 403, 200, 200),
    ("pos_inventory:count",                      "GET",  "/admin/inventory/count/",                                      L, 403, 403, 200, 200),
    ("pos_inventory:product_movements",          "GET",  "/admin/inventory/products/{product}/movements/",               L, 403, 200, 200, 200),
    ("pos_inventory:receive",                    "GET",  "/admin/inventory/receive/",                                    L, 403, 403, 200, 200),
    ("pos_offlinesale_modeladmin_index",         "GET",  "/admin/pos/offlinesale/",                                      L, 403, 403, 200, 200),
    ("pos_offlinesale_modeladmin_create",        "GET",  "/admin/pos/offlinesale/create/",                               L, 403, 403, 403, 403),
    ("pos_offlinesale_modeladmin_delete",        "GET",  "/admin/pos/offlinesale/delete/{offline_sale}/",                L, 403, 403, 403, 403),
    ("pos_offlinesale_modeladmin_edit",          "GET",  "/admin/pos/offlinesale/edit/{offline_sale}/",                  L, 403, 403, 403, 403),
    ("pos_refund_modeladmin_index",              "GET",  "/admin/pos/refund/",                                           L, 403, 403, 200, 200),
    ("pos_refund_modeladmin_create",             "GET",  "/admin/pos/refund/create/",                                    L, 403, 403, 403, 403),
    ("pos_refund_modeladmin_delete",             "GET",  "/admin/pos/refund/delete/{refund_pk}/",                        L, 403, 403, 403, 403),
    ("pos_refund_modeladmin_edit",               "GET",  "/admin/pos/refund/edit/{refund_pk}/",                          L, 403, 403, 403, 403),
    ("pos_refund_modeladmin_inspect",            "GET",  "/admin/pos/refund/inspect/{refund_pk}/",                       L, 403, 403, 200, 200),
    ("pos_sale_modeladmin_index",                "GET",  "/admin/pos/sale/",                                             L, 403, 403, 200, 200),
    ("pos_sale_modeladmin_create",               "GET",  "/admin/pos/sale/create/",                                      L, 403, 403, 403, 403),
    ("pos_sale_modeladmin_delete",               "GET",  "/admin/pos/sale/delete/{sale_pk}/",                            L, 403, 403, 403, 403),
    ("pos_sale_modeladmin_edit",                 "GET",  "/admin/pos/sale/edit/{sale_pk}/",                              L, 403, 403, 403, 403),
    ("pos_sale_modeladmin_inspect",              "GET",  "/admin/pos/sale/inspect/{sale_pk}/",                           L, 403, 403, 200, 200),
    ("pos_sales:refund",                         "GET",  "/admin/sales/{sale_pk}/refund/",                               L, 403, 403, 200, 200),
    ("pos_sales:refund",                         "POST", "/admin/sales/{sale_pk}/refund/",                               L, 403, 403, 200, 200),
    ("pos_shift_modeladmin_index",               "GET",  "/admin/pos/shift/",                                            L, 403, 403, 200, 200),
    ("pos_shift_modeladmin_create",              "GET",  "/admin/pos/shift/create/",                                     L, 403, 403, 403, 403),
    ("pos_shift_modeladmin_delete",              "GET",  "/admin/pos/shift/delete/{shift}/",                             L, 403, 403, 403, 403),
    ("pos_shift_modeladmin_edit",                "GET",  "/admin/pos/shift/edit/{shift}/",                               L, 403, 403, 403, 403),
    ("pos_shift_modeladmin_inspect",             "GET",  "/admin/pos/shift/inspect/{shift}/",                            L, 403, 403, 200, 200),
    ("pos_stockmovement_modeladmin_index",       "GET",  "/admin/pos/stockmovement/",                                    L, 403, 200, 200, 200),
    ("pos_stockmovement_modeladmin_create",      "GET",  "/admin/pos/stockmovement/create/",                             L, 403, 403, 403, 403),
    ("pos_stockmovement_modeladmin_delete",      "GET",  "/admin/pos/stockmovement/delete/{movement}/",                  L, 403, 403, 403, 403),
    ("pos_stockmovement_modeladmin_edit",        "GET",  "/admin/pos/stockmovement/edit/{movement}/",                    L, 403, 403, 403, 403),
    ("pos_stockmovement_modeladmin_inspect",     "GET",  "/admin/pos/stockmovement/inspect/{movement}/",                 L, 403, 200, 200, 200),
    ("receipts_admin:find",                      "GET",  "/admin/receipts/find/",                                        L, 403, ADMIN, 200, 200),
    ("receipts_templates:list",                  "GET",  "/admin/receipts/templates/",                                   L, 403, 200, 200, 200),
    ("receipts_templates:add",                   "GET",  "/admin/receipts/templates/add/",                               L, 403, 200, 200, 200),
    ("receipts_templates:copy",                  "GET",  "/admin/receipts/templates/copy/{template}/",                   L, 403, 200, 200, 200),
    ("receipts_templates:delete",                "GET",  "/admin/receipts/templates/delete/{template}/",                 L, 403, "→/admin/receipts/templates/edit/{template}/", "→/admin/receipts/templates/edit/{template}/", "→/admin/receipts/templates/edit/{template}/"),
    ("receipts_templates:edit",                  "GET",  "/admin/receipts/templates/edit/{template}/",                   L, 403, 200, 200, 200),
    ("receipts_templates:history_results",       "GET",  "/admin/receipts/templates/history-results/{template}/",        L, 403, 200, 200, 200),
    ("receipts_templates:history",               "GET",  "/admin/receipts/templates/history/{template}/",                L, 403, 200, 200, 200),
    ("receipts_templates:preview_on_add",        "GET",  "/admin/receipts/templates/preview/",                           L, 403, 200, 200, 200),
    ("receipts_templates:preview_on_edit",       "GET",  "/admin/receipts/templates/preview/{template}/",                L, 403, 200, 200, 200),
    ("receipts_templates:list_results",          "GET",  "/admin/receipts/templates/results/",                           L, 403, 200, 200, 200),
    ("receipts_templates:usage",                 "GET",  "/admin/receipts/templates/usage/{template}/",                  L, 403, 200, 200, 200),
    ("wagtailsettings:edit",                     "GET",  "/admin/settings/store/storesettings/",                         L, 403, ADMIN, "→/admin/settings/store/storesettings/{site}/", "→/admin/settings/store/storesettings/{site}/"),
    ("wagtailsnippetchoosers_catalog_category:choose","GET",  "/admin/snippets/choose/catalog/category/",                     L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_category:chosen_multiple","GET",  "/admin/snippets/choose/catalog/category/chosen-multiple/",     L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_category:chosen","GET",  "/admin/snippets/choose/catalog/category/chosen/{category}/",   L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_category:create","GET",  "/admin/snippets/choose/catalog/category/create/",              L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_category:choose_results","GET",  "/admin/snippets/choose/catalog/category/results/",             L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_product:choose","GET",  "/admin/snippets/choose/catalog/product/",                      L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_product:chosen_multiple","GET",  "/admin/snippets/choose/catalog/product/chosen-multiple/",      L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_product:chosen","GET",  "/admin/snippets/choose/catalog/product/chosen/{product}/",     L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_product:create","GET",  "/admin/snippets/choose/catalog/product/create/",               L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_product:choose_results","GET",  "/admin/snippets/choose/catalog/product/results/",              L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_taxrate:choose","GET",  "/admin/snippets/choose/catalog/taxrate/",                      L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_taxrate:chosen_multiple","GET",  "/admin/snippets/choose/catalog/taxrate/chosen-multiple/",      L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_taxrate:chosen","GET",  "/admin/snippets/choose/catalog/taxrate/chosen/{tax_rate}/",    L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_taxrate:create","GET",  "/admin/snippets/choose/catalog/taxrate/create/",               L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_catalog_taxrate:choose_results","GET",  "/admin/snippets/choose/catalog/taxrate/results/",              L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_receipts_receipttemplate:choose","GET",  "/admin/snippets/choose/receipts/receipttemplate/",             L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_receipts_receipttemplate:chosen_multiple","GET",  "/admin/snippets/choose/receipts/receipttemplate/chosen-multiple/",L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_receipts_receipttemplate:chosen","GET",  "/admin/snippets/choose/receipts/receipttemplate/chosen/{template}/",L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_receipts_receipttemplate:create","GET",  "/admin/snippets/choose/receipts/receipttemplate/create/",      L, 403, 200, 200, 200),
    ("wagtailsnippetchoosers_receipts_receipttemplate:choose_results","GET",  "/admin/snippets/choose/receipts/receipttemplate/results/",     L, 403, 200, 200, 200),
    # Wagtail's users, groups and API tokens: managers run staff and tokens, only administrators groups
    ("wagtailusers_users:add",                    "GET",  "/admin/users/new/",                                          L, 403, ADMIN, 200, 200),
    ("wagtailusers_users:copy",                   "GET",  "/admin/users/copy/{user}/",                                  L, 403, ADMIN, 200, 200),
    ("wagtailusers_users:delete",                 "GET",  "/admin/users/delete/{user}/",                                L, 403, ADMIN, 200, 200),
    ("wagtailusers_users:edit",                   "GET",  "/admin/users/edit/{user}/",                                  L, 403, ADMIN, 200, 200),
    ("wagtailusers_users:history",                "GET",  "/admin/users/history/{user}/",                               L, 403, ADMIN, 200, 200),
    ("wagtailusers_users:history_results",        "GET",  "/admin/users/history-results/{user}/",                       L, 403, ADMIN, 200, 200),
    ("wagtailusers_users:index",                  "GET",  "/admin/users/",                                              L, 403, ADMIN, 200, 200),
    ("wagtailusers_users:index_results",          "GET",  "/admin/users/results/",                                      L, 403, ADMIN, 200, 200),
    ("wagtailusers_users:usage",                  "GET",  "/admin/users/usage/{user}/",                                 L, 403, ADMIN, 200, 200),
    ("wagtailusers_users:add",                    "POST", "/admin/users/new/",                                          L, 403, ADMIN, 200, 200),
    ("wagtailusers_users:edit",                   "POST", "/admin/users/edit/{user}/",                                  L, 403, ADMIN, 200, 200),
    ("wagtailusers_users:delete",                 "POST", "/admin/users/delete/{user}/",                                L, 403, ADMIN, "→/admin/users/edit/{user}/", "→/admin/users/edit/{user}/"),
    ("wagtailusers_users:edit",                   "GET",  "/admin/users/edit/{superuser_pk}/",                          L, 403, ADMIN, ADMIN, 200),
    ("wagtailusers_users:edit",                   "POST", "/admin/users/edit/{superuser_pk}/",                          L, 403, ADMIN, ADMIN, 200),
    ("wagtailusers_groups:index",                 "GET",  "/admin/groups/",                                             L, 403, ADMIN, 200, 200),
    ("wagtailusers_groups:index_results",         "GET",  "/admin/groups/results/",                                     L, 403, ADMIN, 200, 200),
    ("wagtailusers_groups:add",                   "GET",  "/admin/groups/new/",                                         L, 403, ADMIN, ADMIN, 200),
    ("wagtailusers_groups:delete",                "GET",  "/admin/groups/delete/{group}/",                              L, 403, ADMIN, ADMIN, 200),
    ("wagtailusers_groups:edit",                  "GET",  "/admin/groups/edit/{group}/",                                L, 403, ADMIN, ADMIN, 200),
    ("wagtailusers_groups:history",               "GET",  "/admin/groups/history/{group}/",                             L, 403, ADMIN, ADMIN, 200),
    ("wagtailusers_groups:history_results",       "GET",  "/admin/groups/history-results/{group}/",                     L, 403, ADMIN, ADMIN, 200),
    ("wagtailusers_groups:usage",                 "GET",  "/admin/groups/usage/{group}/",                               L, 403, ADMIN, ADMIN, 200),
    ("wagtailusers_groups:add",                   "POST", "/admin/groups/new/",                                         L, 403, ADMIN, ADMIN, 200),
    ("wagtailusers_groups:edit",                  "POST", "/admin/groups/edit/{group}/",                                L, 403, ADMIN, ADMIN, 200),
    ("wagtailusers_groups:delete",                "POST", "/admin/groups/delete/{group}/",                              L, 403, ADMIN, ADMIN, "→/admin/groups/"),
    ("wagtailusers_api_tokens:add",               "GET",  "/admin/api-tokens/new/",                                     L, 403, ADMIN, 200, 200),
    ("wagtailusers_api_tokens:edit",              "GET",  "/admin/api-tokens/edit/{api_token}/",                        L, 403, ADMIN, 200, 200),
    ("wagtailusers_api_tokens:history",           "GET",  "/admin/api-tokens/history/{api_token}/",                     L, 403, ADMIN, 200, 200),
    ("wagtailusers_api_tokens:history_results",   "GET",  "/admin/api-tokens/history-results/{api_token}/",             L, 403, ADMIN, 200, 200),
    ("wagtailusers_api_tokens:index",             "GET",  "/admin/api-tokens/",                                         L, 403, ADMIN, 200, 200),
    ("wagtailusers_api_tokens:index_results",     "GET",  "/admin/api-tokens/results/",                                 L, 403, ADMIN, 200, 200),
    ("wagtailusers_api_tokens:usage",             "GET",  "/admin/api-tokens/usage/{api_token}/",                       L, 403, ADMIN, 200, 200),
    ("wagtailusers_api_tokens:delete",            "GET",  "/admin/api-tokens/delete/{api_token}/",                      L, 403, 404, 200, 200),
    ("wagtailusers_api_tokens:add",               "POST", "/admin/api-tokens/new/",                                     L, 403, ADMIN, 200, 200),
    ("wagtailusers_api_tokens:edit",              "POST", "/admin/api-tokens/edit/{api_token}/",                        L, 403, ADMIN, 200, 200),
    ("wagtailusers_api_tokens:delete",            "POST", "/admin/api-tokens/delete/{api_token}/",                      L, 403, 404, "→/admin/api-tokens/", "→/admin/api-tokens/"),
    # Django's admin: superusers only
    ("admin:index",                              "GET",  "/django-admin/",                                               DJ, DJ, DJ, DJ, 200),
]
# fmt: on


def all_urls(resolver=None, prefix="", namespace=""):
    """(route, name) of every URL the project serves, namespaces joined with ':'."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from all_urls(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield prefix + str(pattern.pattern), name


def covered(route: str, name: str | None) -> bool:
    if route.startswith("django-admin/"):
        return name == "admin:index"
    if route.startswith("^media/"):
        return False
    if not route.startswith("admin/"):
        return True
    return name in OUR_ADMIN_NAMES or (name or "").startswith(OUR_ADMIN_PREFIXES)


def covered_urls() -> dict[str, str]:
    """URL name → route of every covered URL (a name served by two routes is listed once)."""
    found = {}
    for route, name in all_urls():
        if covered(route, name):
            found.setdefault(name or route, route)
    return found


def answer(response) -> int | str:
    if 300 <= response.status_code < 400:
        return "→" + response["Location"].split("?")[0]
    return response.status_code


def request(client, method: str, path: str):
    if method in ("GET", "HEAD", "DELETE"):
        return client.generic(method, path)
    return client.generic(method, path, "{}", content_type="application/json")


def test_every_url_of_ours_has_a_row(shop):
    rows = {row[0] for row in MATRIX}
    placeholders = ", ".join(f"{{{key}}}" for key in shop if key != "objects")
    missing = {name: route for name, route in covered_urls().items() if name not in rows}
    assert not missing, (
        "These URLs have no row in MATRIX (tests/security/test_permission_matrix.py). Add, "
        "for each, one line per method: (name, method, path with {placeholders}, anonymous, "
        "cashier, merchandiser, manager, superuser), e.g.\n"
        '    ("api-carts", "GET", "/api/v1/carts/", 403, 200, 403, 200, 200),\n'
        f"Placeholders (tests/security/conftest.py, shop): {placeholders}.\n"
        + "\n".join(f"  {name!r}: route {route!r}" for name, route in sorted(missing.items()))
    )


def test_every_row_names_a_url_that_exists(shop):
    known = covered_urls()
    stale = []
    for name, method, path, *_ in MATRIX:
        url = path.format(**shop)
        match = resolve(url.split("?")[0])
        if name not in known or match.view_name != name:
            stale.append(f"{name!r} {method} {url}: resolves to {match.view_name!r}")
    assert not stale, "Rows naming a URL that is gone or moved:\n" + "\n".join(stale)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_everywhere(role, role_clients, shop):
    client = role_clients[role]
    column = ROLES.index(role)
    wrong = []
    for name, method, path, *expected in MATRIX:
        url = path.format(**shop)
        want = expected[column]
        want = want.format(**shop) if isinstance(want, str) else want
        cookies = copy.copy(client.cookies)  # logging out must not log the next request out
        with transaction.atomic():
            got = answer(request(client, method, url))
            transaction.set_rollback(True)
        client.cookies = cookies
        cache.clear()
        if got != want:
            wrong.append(f"{method} {url} ({name}): expected {want!r}, got {got!r}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
