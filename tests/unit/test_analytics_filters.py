"""Report filters: presets, automatic buckets, previous period, URL round trip."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import QueryDict

from analytics.filters import ReportFilter, auto_bucket, parse_filters, preset_range

TODAY = date(2026, 3, 4)  # a Wednesday


@pytest.mark.parametrize(
    "preset, first, last",
    [
        ("today", date(2026, 3, 4), date(2026, 3, 4)),
        ("yesterday", date(2026, 3, 3), date(2026, 3, 3)),
        ("last_7_days", date(2026, 2, 26), date(2026, 3, 4)),
        ("last_30_days", date(2026, 2, 3), date(2026, 3, 4)),
        ("this_month", date(2026, 3, 1), date(2026, 3, 4)),
        ("last_month", date(2026, 2, 1), date(2026, 2, 28)),
        ("this_year", date(2026, 1, 1), date(2026, 3, 4)),
    ],
)
def test_presets(preset, first, last):
    assert preset_range(preset, TODAY) == (first, last)


def test_last_month_in_january():
    assert preset_range("last_month", date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    "days, bucket",
    [(1, "hour"), (2, "hour"), (3, "day"), (62, "day"), (63, "week"), (184, "month")],
)
def test_auto_bucket(days, bucket):
    assert auto_bucket(days) == bucket


def test_previous_period_has_the_same_length():
    flt = ReportFilter(start=date(2026, 3, 1), end=date(2026, 3, 10), preset="custom")
    previous = flt.previous()
    assert (previous.start, previous.end) == (date(2026, 2, 19), date(2026, 2, 28))


@pytest.mark.django_db
def test_url_round_trip():
    params = QueryDict("preset=custom&start=2026-02-01&end=2026-02-10&bucket=week&order=quantity")
    flt, form = parse_filters(params, today=TODAY)
    assert form.is_valid()
    assert (flt.start, flt.end, flt.bucket, flt.order) == (
        date(2026, 2, 1),
        date(2026, 2, 10),
        "week",
        "quantity",
    )
    again, _ = parse_filters(QueryDict(flt.query_string()), today=TODAY)
    assert again == flt


@pytest.mark.django_db
def test_dates_alone_mean_a_custom_range():
    flt, form = parse_filters(QueryDict("start=2026-02-01&end=2026-02-02"), today=TODAY)
    assert form.is_valid() and flt.preset == "custom" and flt.bucket == "hour"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, shown",
    [
        ("", "last_30_days"),
        ("category=", "last_30_days"),
        ("start=2026-02-01&end=2026-02-02", "custom"),
    ],
)
def test_the_period_menu_shows_the_period_the_report_covers(query, shown):
    """Without a preset in the address the menu showed "Today" above a 30-day report."""
    flt, form = parse_filters(QueryDict(query), today=TODAY)
    assert flt.preset == shown
    assert f'<option value="{shown}" selected>' in str(form["preset"])


@pytest.mark.django_db
@pytest.mark.parametrize("days, expected", [("7", 7), ("0", 1), ("99999", 3650), ("x", 30)])
def test_days_unsold(days, expected):
    flt, _ = parse_filters(QueryDict(f"days={days}"), today=TODAY)
    assert flt.days_unsold == expected
