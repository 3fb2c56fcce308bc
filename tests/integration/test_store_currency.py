"""The store currency: amounts are stored with 2 decimals, so 3-decimal currencies are refused."""

import pytest
from django.core.exceptions import ValidationError

from store.models import StoreSettings, validate_currency
from store.selectors import current_store_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["USD", "EUR", "JPY"])
def test_currencies_with_up_to_two_decimals_are_accepted(code):
    validate_currency(code)


@pytest.mark.parametrize("code", ["BHD", "KWD"])
def test_three_decimal_currencies_are_refused_with_a_clear_message(code):
    with pytest.raises(ValidationError) as error:
        validate_currency(code)
    assert error.value.messages == [
        f"{code} has 3 decimals (e.g. 1.234), but amounts are stored with at most 2: "
        "choose a currency with 0 to 2 decimals."
    ]


def test_store_settings_refuse_bhd_and_keep_their_currency():
    store = StoreSettings.objects.get(pk=current_store_settings().pk)
    before = store.currency
    store.currency = "BHD"
    with pytest.raises(ValidationError) as error:
        store.full_clean()
    assert "BHD has 3 decimals" in error.value.message_dict["currency"][0]
    assert StoreSettings.objects.get(pk=store.pk).currency == before
