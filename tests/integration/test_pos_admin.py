"""The point of sale in the Wagtail admin: read-only transaction listings, stock screens,
low-stock list, menu badge and dashboard panel, and who may see what."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.utils import timezone

from pos import admin_selectors
from pos.inventory import ledger_mismatches
from pos.models import LowStockAlert, Refund, Register, Sale, Shift, StockMovement
from pos.refunds import RefundLineRequest, refund_sale, void_sale
from pos.wagtail_hooks import (
    InventoryMenuItem,
    LowStockMenuItem,
    StockHistoryMenuItem,
    product_stock_buttons,
    register_inventory_menu,
)
from tests import factories
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

LISTINGS = [
    "/admin/pos/sale/",
    "/admin/pos/refund/",
    "/admin/pos/shift/",
    "/admin/pos/stockmovement/",
]
STOCK_PAGES = ["/admin/inventory/receive/", "/admin/inventory/adjust/", "/admin/inventory/count/"]


@pytest.fixture
def shop(cashier, manager):
    """One shift with a cash sale, a card sale, a split sale and a partial refund."""
    shift = factories.open_shift(cashier)
    beans = factories.product("Espresso beans", "10.00", stock=40, threshold=5)
    mugs = factories.product("Mug", "6.00", stock=12, threshold=2)
    cash = factories.sale(cashier, (beans, 2))  # 20.00 + 1.65 tax
    card = factories.sale(cashier, (mugs, 1), payments=[("card", "6.50")])  # 6.00 + 0.50
    split = factories.sale(
        cashier, (beans, 1), (mugs, 1), payments=[("card", "10.00"), ("cash", "7.33")]
    )  # 16.00 + 0.83 + 0.50 tax = 17.33
    refund = refund_sale(
        sale=cash,
        lines=[RefundLineRequest(cash.lines.get().pk, 1, True)],
        idempotency_key=uuid.uuid4(),
        user=manager,
        reason="customer changed their mind",
    ).refund
    return {
        "shift": shift,
        "beans": beans,
        "mugs": mugs,
        "cash": cash,
        "card": card,
        "split": split,
        "refund": refund,
    }


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


# --------------------------------------------------------------------------- listings


def test_manager_sees_every_listing_with_figures(manager_client, shop):
    sales = page(manager_client, "/admin/pos/sale/")
    for sale in ("cash", "card", "split"):
        assert shop[sale].number in sales
    assert "$21.65" in sales and "$6.50" in sales and "$17.33" in sales
    assert "Card + Cash" in sales  # the split sale's tenders, in order
    assert "casey" in sales and "Register 1" in sales

    refunds = page(manager_client, "/admin/pos/refund/")
    assert shop["refund"].number in refunds and shop["cash"].number in refunds
    assert "$10.83" in refunds and "customer changed their mind" in refunds

    shifts = page(manager_client, "/admin/pos/shift/")
    assert f"#{shop['shift'].pk}" in shifts and "Open" in shifts

    movements = page(manager_client, "/admin/pos/stockmovement/")
    assert "Espresso beans" in movements and shop["cash"].number in movements
    assert "Opening balance" in movements and "−2" in movements


def test_dates_are_shown_in_the_store_time_zone(manager_client, shop, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # UTC+12/13: the day often differs from UTC
    sale = shop["card"]
    expected = admin_selectors.store_datetime_text(sale.created_at)
    local = timezone.localtime(sale.created_at, timezone=ZoneInfo("Pacific/Auckland"))
    assert f"{local:%-I}:{local:%M}" in expected
    assert expected in page(manager_client, "/admin/pos/sale/")


def test_sale_inspect_shows_lines_payments_taxes_refunds_and_receipt_links(manager_client, shop):
    sale = shop["split"]
    html = page(manager_client, f"/admin/pos/sale/inspect/{sale.pk}/")
    assert "Espresso beans" in html and "Mug" in html and shop["beans"].sku in html
    assert "$17.33" in html and "$1.33" in html and "8.25 %" in html
    assert "Card Visa •••• 4242" in html and "Cash" in html
    payment = sale.payments.get(method="card")
    assert payment.gateway_token and payment.gateway_token not in html
    assert "4242424242424242" not in html
    assert f'href="/receipts/{sale.number}/"' in html
    assert f'href="/receipts/{sale.number}.pdf"' in html
    assert f'href="/admin/pos/shift/inspect/{shop["shift"].pk}/"' in html

    refunded = page(manager_client, f"/admin/pos/sale/inspect/{shop['cash'].pk}/")
    assert shop["refund"].number in refunded and "1 refunded" in refunded
    assert f'href="/admin/pos/refund/inspect/{shop["refund"].pk}/"' in refunded


def test_refund_shift_and_movement_inspect_views(manager_client, shop):
    refund = shop["refund"]
    html = page(manager_client, f"/admin/pos/refund/inspect/{refund.pk}/")
    assert refund.number in html and "$10.83" in html and "Back in stock" in html
    assert "customer changed their mind" in html and "max" in html
    assert f'href="/receipts/{refund.number}/"' in html
    assert f'href="/admin/pos/sale/inspect/{shop["cash"].pk}/"' in html

    shift = shop["shift"]
    html = page(manager_client, f"/admin/pos/shift/inspect/{shift.pk}/")
    assert "X report" in html and "$45.48" in html  # 21.65 + 6.50 + 17.33
    assert f'href="/shifts/{shift.pk}/report/"' in html
    assert f'href="/shifts/{shift.pk}/report.pdf"' in html

    movement = StockMovement.objects.filter(sale=shop["card"]).get()
    html = page(manager_client, f"/admin/pos/stockmovement/inspect/{movement.pk}/")
    assert "Mug" in html and "−1" in html and shop["card"].number in html
    assert f"/admin/inventory/products/{shop['mugs'].pk}/movements/" in html


def test_merchandisers_and_cashiers_cannot_see_transactions(
    merchandiser_client, cashier_client, shop
):
    urls = [*LISTINGS, f"/admin/pos/sale/inspect/{shop['cash'].pk}/"]
    for url in urls:
        assert cashier_client.get(url).status_code == 403, url
        # merchandisers see stock (movement history, quantities only), never sales figures
        expected = 200 if url.startswith("/admin/pos/stockmovement/") else 403
        assert merchandiser_client.get(url).status_code == expected, url
    dashboard = page(merchandiser_client, "/admin/")
    assert "/admin/pos/sale/" not in dashboard


def test_anonymous_users_are_sent_to_the_login_page(client):
    for url in [*LISTINGS, *STOCK_PAGES, "/admin/inventory/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


@pytest.mark.parametrize("who", ["manager", "superuser"])
def test_nobody_can_add_edit_or_delete_transactions(users, shop, who):
    client = client_for(users[who])
    objects = {
        "sale": shop["cash"].pk,
        "refund": shop["refund"].pk,
        "shift": shop["shift"].pk,
        "stockmovement": StockMovement.objects.first().pk,
    }
    for model, pk in objects.items():
        assert client.get(f"/admin/pos/{model}/create/").status_code == 403
        assert client.get(f"/admin/pos/{model}/edit/{pk}/").status_code == 403
        assert client.post(f"/admin/pos/{model}/edit/{pk}/", {}).status_code == 403
        assert client.get(f"/admin/pos/{model}/delete/{pk}/").status_code == 403
        assert client.post(f"/admin/pos/{model}/delete/{pk}/").status_code == 403
        assert client.get(f"/admin/pos/{model}/history/{pk}/").status_code == 404
        listing = page(client, f"/admin/pos/{model}/")
        assert f"/admin/pos/{model}/edit/" not in listing
        assert f"/admin/pos/{model}/delete/" not in listing
        assert f"/admin/pos/{model}/create/" not in listing
    assert Sale.objects.count() == 3 and Refund.objects.count() == 1 and Shift.objects.count() == 1


# --------------------------------------------------------------------------- filters


def numbers_in(html, shop):
    return {name for name in ("cash", "card", "split") if shop[name].number in html}


def test_sales_filters_and_search(manager_client, manager, shop):
    other = make_user("olive", "Cashiers")
    register = Register.objects.create(name="Register 2")
    factories.open_shift(other, register)
    mug = factories.sale(other, (shop["mugs"], 1), register=register)
    base = "/admin/pos/sale/"

    html = page(manager_client, f"{base}?method=card")
    assert numbers_in(html, shop) == {"card", "split"} and mug.number not in html
    html = page(manager_client, f"{base}?method=cash")
    assert numbers_in(html, shop) == {"cash", "split"} and mug.number in html

    html = page(manager_client, f"{base}?cashier__id__exact={other.pk}")
    assert numbers_in(html, shop) == set() and mug.number in html
    html = page(manager_client, f"{base}?register__id__exact={register.pk}")
    assert numbers_in(html, shop) == set() and mug.number in html

    Sale.objects.filter(pk=shop["cash"].pk).update(created_at=timezone.now() - timedelta(days=40))
    # the "Past 7 days" link of the date filter (aware datetimes, as the filter writes them)
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    query = urlencode(
        {"created_at__gte": start - timedelta(days=7), "created_at__lt": start + timedelta(days=1)}
    )
    html = page(manager_client, f"{base}?{query}")
    assert numbers_in(html, shop) == {"card", "split"}
    html = page(manager_client, f"{base}?q={shop['split'].number}")
    assert numbers_in(html, shop) == {"split"}
    html = page(manager_client, f"{base}?q=olive")
    assert numbers_in(html, shop) == set() and mug.number in html


def test_sales_status_refund_kind_and_movement_filters(manager_client, cashier, shop):
    void_sale(sale=shop["card"], user=make_user("vera", "Managers"))
    html = page(manager_client, "/admin/pos/sale/?status__exact=voided")
    assert numbers_in(html, shop) == {"card"}
    html = page(manager_client, "/admin/pos/refund/?kind__exact=void")
    assert shop["card"].number in html and shop["refund"].number not in html
    html = page(manager_client, "/admin/pos/stockmovement/?kind__exact=restock")
    assert shop["cash"].number not in html
    html = page(manager_client, "/admin/pos/stockmovement/?q=mug")
    assert "Mug" in html and "Espresso beans" not in html


# --------------------------------------------------------------------------- stock forms


def form_errors(response):
    return response.content.decode()


def test_receive_one_product(manager_client, manager, shop):
    beans = shop["beans"]
    before = beans.quantity_on_hand - 3 + 1  # three sold, one refunded to stock
    beans.refresh_from_db()
    assert beans.quantity_on_hand == before
    html = page(manager_client, f"/admin/inventory/receive/?product={beans.pk}")
    assert f'<option value="{beans.pk}" selected>' in html
    response = manager_client.post(
        "/admin/inventory/receive/",
        {
            "reference": "DN-1001",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "1",
            "lines-0-product": beans.pk,
            "lines-0-quantity": "12",
            "lines-1-product": "",
            "lines-1-quantity": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    beans.refresh_from_db()
    assert beans.quantity_on_hand == before + 12
    movement = StockMovement.objects.filter(product=beans).order_by("-pk").first()
    assert (movement.kind, movement.quantity, movement.reference) == ("restock", 12, "DN-1001")
    assert movement.user == manager and movement.resulting_quantity == before + 12
    assert f"Received 12 × Espresso beans (delivery note DN-1001). Stock now {before + 12}." in (
        response.content.decode()
    )
    assert ledger_mismatches() == []


def test_receive_a_delivery_of_several_products(manager_client, shop):
    beans, mugs = shop["beans"], shop["mugs"]
    response = manager_client.post(
        "/admin/inventory/receive/?next=/admin/inventory/",
        {
            "reference": "INV-77",
            "next": "/admin/inventory/",
            "lines-TOTAL_FORMS": "5",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": beans.pk,
            "lines-0-quantity": "5",
            "lines-2-product": mugs.pk,
            "lines-2-quantity": "7",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/admin/inventory/"
    received = StockMovement.objects.filter(kind="restock", reference="INV-77")
    assert sorted(received.values_list("product__name", "quantity")) == [
        ("Espresso beans", 5),
        ("Mug", 7),
    ]
    assert ledger_mismatches() == []


@pytest.mark.parametrize(
    "rows, message",
    [
        ({}, "Add at least one product"),
        ({"lines-0-product": "{beans}", "lines-0-quantity": ""}, "How many arrived?"),
        ({"lines-0-product": "{beans}", "lines-0-quantity": "0"}, "greater than or equal to 1"),
        ({"lines-0-product": "{beans}", "lines-0-quantity": "-4"}, "greater than or equal to 1"),
        ({"lines-0-product": "{beans}", "lines-0-quantity": "2.5"}, "Enter a whole number"),
        ({"lines-0-product": "", "lines-0-quantity": "3"}, "Choose the product"),
        ({"lines-0-product": "999999", "lines-0-quantity": "3"}, "Select a valid choice"),
        ({"lines-0-product": "{beans}", "lines-0-quantity": "100001"}, "less than or equal to"),
    ],
)
def test_bad_receive_input_changes_nothing(manager_client, shop, rows, message):
    count = StockMovement.objects.count()
    data = {"reference": "x", "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0"}
    data.update({k: v.format(beans=shop["beans"].pk) for k, v in rows.items()})
    response = manager_client.post("/admin/inventory/receive/", data)
    assert response.status_code == 200
    assert message in form_errors(response)
    assert "Nothing was changed" in form_errors(response)
    assert StockMovement.objects.count() == count


def test_receive_is_all_or_nothing(manager_client, shop, monkeypatch):
    """A refusal on the second row rolls back the first one."""
    from pos import admin_views
    from pos_site.errors import ServiceError

    real = admin_views.receive_stock

    def picky(*, product, **kwargs):
        if product == shop["mugs"]:
            raise ServiceError("Mugs are not delivered today.")
        return real(product=product, **kwargs)

    monkeypatch.setattr(admin_views, "receive_stock", picky)
    count = StockMovement.objects.count()
    response = manager_client.post(
        "/admin/inventory/receive/",
        {
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": shop["beans"].pk,
            "lines-0-quantity": "5",
            "lines-1-product": shop["mugs"].pk,
            "lines-1-quantity": "5",
        },
    )
    assert response.status_code == 200
    assert "Mugs are not delivered today." in response.content.decode()
    assert StockMovement.objects.count() == count and ledger_mismatches() == []


def test_adjust_stock_with_a_reason(manager_client, manager, shop):
    mugs = shop["mugs"]
    mugs.refresh_from_db()
    before = mugs.quantity_on_hand
    response = manager_client.post(
        "/admin/inventory/adjust/",
        {"product": mugs.pk, "quantity": "-2", "reason": "damaged", "note": "dropped a box"},
        follow=True,
    )
    assert response.status_code == 200
    movement = StockMovement.objects.filter(product=mugs).order_by("-pk").first()
    assert (movement.kind, movement.quantity, movement.reason) == (
        "adjustment",
        -2,
        "damaged: dropped a box",
    )
    mugs.refresh_from_db()
    assert mugs.quantity_on_hand == before - 2 and movement.user == manager
    assert f"Mug: −2 (damaged). Stock now {before - 2}." in response.content.decode()
    assert ledger_mismatches() == []


@pytest.mark.parametrize(
    "data, message",
    [
        ({"quantity": "-2", "reason": ""}, "Choose why the stock changes."),
        ({"quantity": "-2", "reason": "bored"}, "Select a valid choice"),
        ({"quantity": "0", "reason": "damaged"}, "A change of 0 changes nothing"),
        ({"quantity": "", "reason": "damaged"}, "This field is required"),
        ({"quantity": "-2", "reason": "other"}, "Say what happened"),
        ({"quantity": "-5000", "reason": "theft"}, "in stock; cannot take 5000"),
    ],
)
def test_bad_adjustments_change_nothing(manager_client, shop, data, message):
    mugs = shop["mugs"]
    count = StockMovement.objects.count()
    response = manager_client.post("/admin/inventory/adjust/", {"product": mugs.pk, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert StockMovement.objects.count() == count
    assert ledger_mismatches() == []


def test_stock_count_records_the_difference(manager_client, shop):
    beans = shop["beans"]
    beans.refresh_from_db()
    system = beans.quantity_on_hand
    response = manager_client.post(
        "/admin/inventory/count/", {"product": beans.pk, "counted": str(system - 3)}, follow=True
    )
    assert response.status_code == 200
    movement = StockMovement.objects.filter(product=beans).order_by("-pk").first()
    assert movement.kind == "count" and movement.quantity == -3
    assert movement.resulting_quantity == system - 3
    assert f"counted {system - 3}, −3 against the system" in response.content.decode()

    count = StockMovement.objects.count()
    response = manager_client.post(
        "/admin/inventory/count/", {"product": beans.pk, "counted": str(system - 3)}, follow=True
    )
    assert "the count matches the system" in response.content.decode()
    assert StockMovement.objects.count() == count

    response = manager_client.post(
        "/admin/inventory/count/", {"product": beans.pk, "counted": "-1"}
    )
    assert response.status_code == 200 and "greater than or equal to 0" in response.content.decode()
    assert StockMovement.objects.count() == count and ledger_mismatches() == []


def test_merchandisers_cannot_change_stock(merchandiser_client, shop):
    beans = shop["beans"]
    count = StockMovement.objects.count()
    for url in [*STOCK_PAGES, "/admin/inventory/"]:
        assert merchandiser_client.get(url).status_code == 403, url
    history = f"/admin/inventory/products/{beans.pk}/movements/"
    assert merchandiser_client.get(history).status_code == 200  # they see stock, not change it
    posts = {
        "/admin/inventory/receive/": {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": beans.pk,
            "lines-0-quantity": "5",
        },
        "/admin/inventory/adjust/": {"product": beans.pk, "quantity": "5", "reason": "correction"},
        "/admin/inventory/count/": {"product": beans.pk, "counted": "0"},
    }
    for url, data in posts.items():
        response = merchandiser_client.post(url, data)
        assert response.status_code == 403, url
        assert "You are not allowed to open this page" in response.content.decode()
    assert StockMovement.objects.count() == count
    menu = page(merchandiser_client, "/admin/")
    assert "Receive stock" not in menu and "/admin/inventory/" not in menu


def test_cashiers_never_reach_the_stock_pages(cashier_client, shop):
    for url in STOCK_PAGES:
        assert cashier_client.get(url).status_code == 403


# --------------------------------------------------------------------------- low stock


@pytest.fixture
def low(db):
    """Three products at or below their threshold (alerts raised by their opening stock)."""
    return [
        factories.product("Oat milk", "3.00", stock=1, threshold=4),
        factories.product("Cocoa", "5.00", stock=1, threshold=2),
        factories.product("Filters", "2.00", stock=3, threshold=3),
    ]


def test_low_stock_list_and_receive_link(manager_client, low):
    html = page(manager_client, "/admin/inventory/")
    for product in low:
        assert product.name in html
        assert f"/admin/inventory/receive/?product={product.pk}&amp;next=/admin/inventory/" in html
    assert "3 products at or below their low-stock threshold" in html
    # receiving the oat milk back above its threshold clears its alert
    manager_client.post(
        "/admin/inventory/receive/?next=/admin/inventory/",
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-product": low[0].pk,
            "lines-0-quantity": "10",
        },
    )
    html = page(manager_client, "/admin/inventory/")
    assert "Received 10 × Oat milk" in html  # the success message
    assert "<strong>Oat milk</strong>" not in html and "<strong>Cocoa</strong>" in html


def test_menu_badge_counts_open_alerts(manager_client, low):
    html = page(manager_client, "/admin/")
    assert '"Low stock (3)"' in html and '"Inventory (3)"' in html
    LowStockAlert.objects.filter(product=low[0]).update(cleared_at=timezone.now())
    html = page(manager_client, "/admin/")
    assert '"Low stock (2)"' in html


def test_menu_badge_costs_one_query_per_page(manager, low, django_assert_num_queries):
    request = RequestFactory().get("/admin/")
    request.user = manager
    manager.has_perm("pos.view_lowstockalert")  # warm the permission cache
    inventory = register_inventory_menu()
    assert isinstance(inventory, InventoryMenuItem)
    low_item = next(
        i for i in inventory.menu.registered_menu_items if isinstance(i, LowStockMenuItem)
    )
    with django_assert_num_queries(1):
        inventory.render_component(request)
        component = low_item.render_component(request)
    assert component.label == "Low stock (3)"


def test_menu_without_alerts_has_no_badge(manager_client, db):
    html = page(manager_client, "/admin/")
    assert '"Low stock"' in html and "Low stock (" not in html


def test_dashboard_panel_for_managers_only(manager_client, merchandiser_client, low):
    html = page(manager_client, "/admin/")
    assert 'id="low-stock-section"' in html
    for product in low:
        assert product.name in html
    assert f"/admin/inventory/receive/?product={low[1].pk}" in html
    html = page(merchandiser_client, "/admin/")
    assert 'id="low-stock-section"' not in html and "Oat milk" not in html


def test_dashboard_panel_shows_at_most_ten(manager_client, db):
    for n in range(12):
        factories.product(f"Scarce {n:02d}", "1.00", stock=1, threshold=1)
    html = page(manager_client, "/admin/")
    panel = html[html.index('id="low-stock-section"') :]
    assert panel.count("Scarce ") == 10 and "See all low-stock products" in panel


# --------------------------------------------------------------------------- product history


def test_product_movement_history(manager_client, shop):
    beans = shop["beans"]
    html = page(manager_client, f"/admin/inventory/products/{beans.pk}/movements/")
    assert "Espresso beans" in html and beans.sku in html
    assert "Opening balance" in html and "Sale" in html and "Refund" in html
    assert shop["cash"].number in html and shop["refund"].number in html
    assert f'href="/admin/pos/sale/inspect/{shop["cash"].pk}/"' in html
    assert f"/admin/inventory/adjust/?product={beans.pk}" in html
    page(manager_client, "/admin/inventory/products/999999/movements/", status=404)


def test_product_listing_and_editor_link_to_the_history(manager, merchandiser, shop):
    beans = shop["beans"]
    buttons = product_stock_buttons(beans, manager)
    urls = {button.label: button.url for button in buttons}
    assert urls == {
        "Stock history": f"/admin/inventory/products/{beans.pk}/movements/",
        "Receive stock": f"/admin/inventory/receive/?product={beans.pk}",
    }
    merchandiser_urls = {b.label: b.url for b in product_stock_buttons(beans, merchandiser)}
    assert merchandiser_urls == {"Stock history": urls["Stock history"]}
    assert product_stock_buttons(shop["refund"], manager) == []

    item = StockHistoryMenuItem()
    request = RequestFactory().get("/")
    request.user = manager
    context = {"view": "edit", "instance": beans, "request": request}
    assert item.is_shown(context)
    assert item.get_url(context) == f"/admin/inventory/products/{beans.pk}/movements/"
    request.user = merchandiser
    assert item.is_shown(context)
    request.user = manager
    assert not item.is_shown({"view": "create", "request": request})


def test_refund_register_and_payment_method_filters(manager_client, manager, shop):
    card_refund = refund_sale(
        sale=shop["card"],
        lines=[RefundLineRequest(shop["card"].lines.get().pk, 1, True)],
        idempotency_key=uuid.uuid4(),
        user=manager,
    ).refund
    other = make_user("olive", "Cashiers")
    register = Register.objects.create(name="Register 2")
    factories.open_shift(other, register)
    mug = factories.sale(other, (shop["mugs"], 1), register=register)
    far_refund = refund_sale(
        sale=mug,
        lines=[RefundLineRequest(mug.lines.get().pk, 1, True)],
        idempotency_key=uuid.uuid4(),
        user=manager,
    ).refund
    assert far_refund.register == register
    base = "/admin/pos/refund/"
    numbers = {r.number for r in (shop["refund"], card_refund, far_refund)}

    def shown(html):
        return {number for number in numbers if number in html}

    assert shown(page(manager_client, f"{base}?method=card")) == {card_refund.number}
    assert shown(page(manager_client, f"{base}?method=cash")) == {
        shop["refund"].number,
        far_refund.number,
    }
    html = page(manager_client, f"{base}?register__id__exact={register.pk}")
    assert shown(html) == {far_refund.number}
    assert "payment method" in page(manager_client, base)


def test_stock_movement_user_filter_and_reference_search(manager_client, manager, cashier, shop):
    from pos.inventory import receive_stock

    receive_stock(product=shop["mugs"], quantity=6, user=manager, reference="DN-4711")
    base = "/admin/pos/stockmovement/"
    html = page(manager_client, f"{base}?user__id__exact={cashier.pk}")
    assert shop["cash"].number in html and "DN-4711" not in html
    html = page(manager_client, f"{base}?user__id__exact={manager.pk}")
    assert "DN-4711" in html and shop["cash"].number not in html
    html = page(manager_client, f"{base}?q=DN-4711")
    assert "DN-4711" in html and "Espresso beans" not in html
    html = page(manager_client, f"{base}?q={shop['card'].number}")
    assert "Mug" in html and "Espresso beans" not in html
    html = page(manager_client, f"{base}?q={shop['refund'].number}")
    assert "Espresso beans" in html and "Mug" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/admin/pos/refund/?colour=red",
        "/admin/pos/refund/?method=cheque&nonsense=1",
        "/admin/pos/sale/?item_count__gt=abc",
        "/admin/pos/stockmovement/?created_at__gte=not-a-date",
        "/admin/pos/shift/?status__in=open&register__name__frob=1",
    ],
)
def test_bad_filters_show_the_whole_list_with_a_message(manager_client, shop, url):
    response = manager_client.get(url)
    assert response.status_code == 302 and response["Location"] == url.split("?")[0]
    html = page(manager_client, response["Location"])
    assert "That filter is unknown or its value is not valid" in html
