"""Report pages in the Wagtail admin: who may open them, filters in the URL, bad input."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from analytics.reports import REPORTS
from catalog.models import Category
from tests.reports_data import build_shop

pytestmark = pytest.mark.django_db

OVERVIEW = "/admin/reports/sales-overview/"


@pytest.fixture(autouse=True)
def _new_york(settings):
    settings.TIME_ZONE = "America/New_York"


@pytest.fixture
def shop(cashier, manager):
    return build_shop(cashier, manager)


@pytest.mark.parametrize("slug", list(REPORTS))
def test_managers_open_every_report(manager_client, shop, slug):
    response = manager_client.get(reverse(f"analytics:{slug}"), {"preset": "this_year"})
    assert response.status_code == 200
    assert REPORTS[slug].title in response.content.decode()


@pytest.mark.parametrize("slug", list(REPORTS))
def test_merchandisers_are_refused(merchandiser_client, slug):
    url = reverse(f"analytics:{slug}")
    assert merchandiser_client.get(url).status_code == 403
    assert merchandiser_client.get(url, {"export": "csv"}).status_code == 403


@pytest.mark.parametrize("slug", ["sales-overview", "inventory"])
def test_cashiers_never_reach_reports(cashier_client, slug):
    response = cashier_client.get(reverse(f"analytics:{slug}"), {"export": "xlsx"})
    assert response.status_code in (302, 403)
    assert "sheet" not in response.get("Content-Type", "")


def test_anonymous_users_go_to_login(client):
    response = client.get(OVERVIEW)
    assert response.status_code == 302 and "login" in response["Location"]


def test_reports_menu_lists_reports_for_managers_only(manager_client, merchandiser_client):
    assert "/admin/reports/sales-overview/" in manager_client.get("/admin/").content.decode()
    assert (
        "/admin/reports/sales-overview/" not in merchandiser_client.get("/admin/").content.decode()
    )


def test_filters_stay_in_the_url_and_in_every_link(manager_client, shop):
    params = {
        "preset": "custom",
        "start": "2026-03-10",
        "end": "2026-03-12",
        "register": shop["till2"].pk,
    }
    response = manager_client.get(OVERVIEW, params)
    page = response.content.decode()
    assert "$9.74" in page  # only Till 2's sale
    query = f"preset=custom&amp;start=2026-03-10&amp;end=2026-03-12&amp;register={shop['till2'].pk}"
    assert f"?{query}&amp;export=csv" in page
    assert f"/admin/reports/top-products/?{query}" in page


def test_chart_data_travels_as_json_without_floats(manager_client, shop):
    response = manager_client.get(
        OVERVIEW, {"preset": "custom", "start": "2026-03-10", "end": "2026-03-12"}
    )
    page = response.content.decode()
    marker = '<script id="chart-data-1" type="application/json">'
    start = page.index(marker) + len(marker)
    data = json.loads(page[start : page.index("</script>", start)])
    assert data["series"][0]["values"] == ["46.55", "8.66", "-10.83"]
    assert data["currency"] == "USD" and data["kind"] == "bar"
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in page


def test_no_inline_script_in_report_pages(manager_client, shop):
    page = manager_client.get(OVERVIEW, {"preset": "this_year"}).content.decode()
    report_part = page[page.index('class="an-report"') :]
    for chunk in report_part.split("<script")[1:]:
        tag = chunk[: chunk.index(">")]
        assert 'type="application/json"' in tag or "src=" in tag, tag


@pytest.mark.parametrize(
    "params, message",
    [
        ({"preset": "custom", "start": "2026-13-40", "end": "2026-03-12"}, "valid date"),
        ({"preset": "custom", "start": "2026-03-12"}, "needs both a start and an end"),
        ({"preset": "custom", "start": "2026-03-12", "end": "2026-03-01"}, "start date is after"),
        ({"preset": "next_century"}, "Select a valid choice"),
        ({"product": "NO-SUCH-SKU"}, "No product has the SKU"),
        ({"category": "abc"}, "Select a valid choice"),
        ({"preset": "custom", "start": "2000-01-01", "end": "2026-01-01"}, "at most three years"),
    ],
)
def test_bad_filters_give_a_message_not_an_error(manager_client, params, message):
    response = manager_client.get(OVERVIEW, params)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "last 30 days with no other filter" in page


def test_bucket_can_be_switched(manager_client, shop):
    params = {"preset": "custom", "start": "2026-03-10", "end": "2026-03-12", "bucket": "hour"}
    page = manager_client.get(OVERVIEW, params).content.decode()
    assert "Net sales (tax incl.) by hour" in page
    params["bucket"] = "month"
    assert "Net sales (tax incl.) by month" in manager_client.get(OVERVIEW, params).content.decode()


def test_dashboard_panel_for_managers(manager_client, merchandiser_client, shop):
    page = manager_client.get("/admin/").content.decode()
    assert "Sales today" in page and "Low-stock products" in page
    assert "Sales today" not in merchandiser_client.get("/admin/").content.decode()


def test_unknown_report_is_404(manager_client):
    assert manager_client.get("/admin/reports/nope/").status_code == 404


def test_wagtail_own_reports_still_work(manager_client, superuser):
    from tests.conftest import client_for

    assert client_for(superuser).get("/admin/reports/locked/").status_code == 200


def test_payment_methods_note_the_whole_sales_only_under_a_product_or_category_filter(
    manager_client, shop
):
    url = reverse("analytics:sales-by-payment-method")
    note = "Payments are those of whole sales containing the filtered lines."
    assert note not in manager_client.get(url).content.decode()
    category = Category.objects.order_by("pk").first()
    assert note in manager_client.get(url, {"category": category.pk}).content.decode()


def test_skus_are_never_broken_across_lines(manager_client, shop):
    response = manager_client.get(reverse("analytics:top-products"), {"preset": "this_year"})
    assert f'<td class="an-code">{shop["beans"].sku}</td>' in response.content.decode()


def test_inventory_shows_only_the_filters_that_apply(manager_client, shop):
    """Stock has no register nor payment method: the inventory hides those fields, ignores them
    in its exports' header, says what its period covers, and filters movements by kind."""
    till2 = shop["till2"]
    params = {"preset": "today", "register": till2.pk, "payment_method": "card"}
    url = reverse("analytics:inventory")
    page = manager_client.get(url, {**params, "kind": "refund"})
    html = page.content.decode()
    assert 'name="register"' not in html and 'name="payment_method"' not in html
    assert 'name="kind"' in html
    assert "the period, and the Movement filter, apply to the movement history only" in html
    movements = page.context["report"].tables[2].rows
    assert movements and {row[2] for row in movements} == {"Refund"}
    everything = manager_client.get(url, params).context["report"].tables[2].rows
    assert {row[2] for row in everything} >= {"Sale", "Refund"}
    header = manager_client.get(url, {**params, "kind": "refund", "export": "csv"})
    text = header.content.decode("utf-8-sig")
    assert "Register:" not in text and "Payment method:" not in text
    assert "Movements: Refund" in text

    overview = manager_client.get(OVERVIEW, {**params, "kind": "refund"})
    html = overview.content.decode()
    assert 'name="register"' in html and 'name="payment_method"' in html
    assert 'name="kind"' not in html
    assert overview.context["report"].flt.movement_kind == ""
