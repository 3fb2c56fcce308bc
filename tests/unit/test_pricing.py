"""Tests of the money rules in ``pos.pricing``: hand-computed examples, every error, and properties.

Pure Python: no database and no Django import, so the file runs with or without pytest-django.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos.pricing import (
    MAX_QUANTITY,
    AppliedTender,
    CartDiscount,
    LineInput,
    PricedCart,
    PricingError,
    PricingRules,
    TaxBand,
    TenderInput,
    cash_due,
    currency_places,
    price_cart,
    refund_share,
    round_money,
    round_to_increment,
    settle_tenders,
)

D = Decimal
USD = PricingRules()
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def line(key, price, qty=1, rate="0", discount="0"):
    return LineInput(
        key=key, unit_price=D(price), quantity=qty, tax_rate=D(rate), discount=D(discount)
    )


def error_of(call, *args, **kwargs) -> PricingError:
    with pytest.raises(PricingError) as info:
        call(*args, **kwargs)
    return info.value


# ----------------------------------------------------------------------------- rounding primitives


@pytest.mark.parametrize(
    ("currency", "places"), [("USD", 2), ("EUR", 2), ("JPY", 0), ("BHD", 3), ("KWD", 3)]
)
def test_currency_places(currency, places):
    assert currency_places(currency) == places


@pytest.mark.parametrize("code", ["XYZ", "usd", "", "US", None])
def test_unknown_currency_is_refused(code):
    assert error_of(currency_places, code).code == "invalid_currency"


@pytest.mark.parametrize(
    ("amount", "currency", "expected", "half_even_would_give"),
    [
        ("0.125", "USD", "0.13", "0.12"),
        ("0.135", "USD", "0.14", "0.14"),
        ("2.5", "JPY", "3", "2"),
        ("3.5", "JPY", "4", "4"),
        ("1.0005", "BHD", "1.001", "1.000"),
        ("-0.125", "USD", "-0.13", "-0.12"),
        ("10", "USD", "10.00", "10.00"),
        ("0.124999", "USD", "0.12", "0.12"),
    ],
)
def test_round_money_is_half_up_never_half_even(amount, currency, expected, half_even_would_give):
    result = round_money(D(amount), currency)
    assert result == D(expected)
    assert str(result) == expected  # quantized: the exponent is the minor unit
    places = D(1).scaleb(-currency_places(currency))
    assert D(amount).quantize(places, rounding=ROUND_HALF_EVEN) == D(half_even_would_give)


def test_round_money_ignores_the_callers_decimal_context():
    from decimal import localcontext

    with localcontext(Context(prec=3, rounding=ROUND_HALF_EVEN)):
        assert round_money(D("123456.125"), "USD") == D("123456.13")


def test_round_money_refuses_float():
    with pytest.raises(TypeError):
        round_money(0.125, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_round_money_refuses_non_numbers(value):
    assert error_of(round_money, D(value), "USD").code == "invalid_amount"


@pytest.mark.parametrize(
    ("amount", "increment", "expected"),
    [
        ("10.02", "0.05", "10.00"),
        ("10.03", "0.05", "10.05"),
        ("10.025", "0.05", "10.05"),
        ("10.07", "0.10", "10.10"),
        ("10.05", "0.10", "10.10"),
        ("1234", "5", "1235"),
        ("1232", "5", "1230"),
        ("-10.025", "0.05", "-10.05"),
    ],
)
def test_round_to_increment(amount, increment, expected):
    assert round_to_increment(D(amount), D(increment)) == D(expected)


@pytest.mark.parametrize("increment", ["0", "-0.05"])
def test_round_to_increment_refuses_non_positive_increment(increment):
    assert error_of(round_to_increment, D("1"), D(increment)).code == "invalid_cash_rounding"


# ----------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"currency": "XXY"}, "invalid_currency"),
        ({"cash_rounding": D("0")}, "invalid_cash_rounding"),
        ({"cash_rounding": D("-0.05")}, "invalid_cash_rounding"),
        ({"cash_rounding": D("0.001")}, "invalid_cash_rounding"),
        ({"cash_rounding": D("NaN")}, "invalid_cash_rounding"),
        ({"currency": "JPY", "cash_rounding": D("0.5")}, "invalid_cash_rounding"),
    ],
)
def test_bad_rules_fail_on_creation(kwargs, code):
    assert error_of(PricingRules, **kwargs).code == code


def test_rules_refuse_float_cash_rounding():
    with pytest.raises(TypeError):
        PricingRules(cash_rounding=0.05)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- price_cart examples


def test_three_times_ten_cents_with_8_25_percent_tax():
    cart = price_cart([line("a", "0.10", 3, "8.25")], USD)
    (priced,) = cart.lines
    assert priced.gross == D("0.30")
    assert priced.total == D("0.30")
    assert priced.tax == D("0.02")  # 0.30 * 8.25% = 0.02475
    assert cart.tax_bands == (TaxBand(rate=D("8.25"), taxable=D("0.30"), tax=D("0.02")),)
    assert cart.subtotal == D("0.30")
    assert cart.tax_total == D("0.02")
    assert cart.total == D("0.32")
    assert cart.currency == "USD"
    assert cart.prices_include_tax is False


def test_tax_exclusive_half_cent_rounds_up():
    cart = price_cart([line("a", "0.50", 1, "5")], USD)  # 0.025 -> 0.03 (half-even: 0.02)
    assert cart.tax_total == D("0.03")
    assert cart.total == D("0.53")


def test_tax_per_line_versus_per_sale():
    lines = [line(k, "0.10", 1, "8.25") for k in "abc"]
    per_line = price_cart(lines, PricingRules(tax_per_line=True))
    per_sale = price_cart(lines, PricingRules(tax_per_line=False))
    # Each line: 0.10 * 8.25% = 0.00825 -> 0.01; the whole sale: 0.30 * 8.25% = 0.02475 -> 0.02.
    assert [pl.tax for pl in per_line.lines] == [D("0.01")] * 3
    assert per_line.tax_total == D("0.03")
    assert per_line.total == D("0.33")
    assert per_sale.tax_total == D("0.02")
    assert per_sale.total == D("0.32")
    # The band's 0.02 goes to the lines by largest remainder; equal remainders: earlier line first.
    assert [pl.tax for pl in per_sale.lines] == [D("0.01"), D("0.01"), D("0.00")]


def test_tax_inclusive_19_99_with_20_percent_vat():
    cart = price_cart([line("a", "19.99", 1, "20")], PricingRules("EUR", prices_include_tax=True))
    # 19.99 * 20 / 120 = 3.33166...
    assert cart.lines[0].tax == D("3.33")
    assert cart.lines[0].total == D("19.99")
    assert cart.tax_bands == (TaxBand(rate=D("20"), taxable=D("16.66"), tax=D("3.33")),)
    assert cart.total == D("19.99")
    assert cart.prices_include_tax is True


def test_tax_inclusive_per_line_versus_per_sale():
    lines = [line(k, "1.00", 1, "20") for k in "abc"]
    per_line = price_cart(lines, PricingRules(prices_include_tax=True, tax_per_line=True))
    per_sale = price_cart(lines, PricingRules(prices_include_tax=True, tax_per_line=False))
    # Each line: 1.00 / 6 = 0.1666 -> 0.17; the sale: 3.00 / 6 = 0.50.
    assert per_line.tax_total == D("0.51")
    assert per_line.tax_bands[0].taxable == D("2.49")
    assert per_sale.tax_total == D("0.50")
    assert per_sale.tax_bands[0].taxable == D("2.50")
    assert [pl.tax for pl in per_sale.lines] == [D("0.17"), D("0.17"), D("0.16")]
    # The customer pays the shelf price either way.
    assert per_line.total == per_sale.total == D("3.00")


def test_jpy_has_no_decimals():
    rules = PricingRules("JPY")
    cart = price_cart([line("a", "1000", 3, "10"), line("b", "1234", 1, "8")], rules)
    assert cart.lines[0].tax == D("300")
    assert cart.lines[1].tax == D("99")  # 98.72
    assert cart.total == D("4633")
    assert str(cart.total) == "4633"
    assert [band.rate for band in cart.tax_bands] == [D("8"), D("10")]


def test_jpy_price_with_decimals_is_refused():
    err = error_of(price_cart, [line("a", "99.5")], PricingRules("JPY"))
    assert err.code == "invalid_price"
    assert "JPY" in str(err)


def test_bhd_has_three_decimals():
    cart = price_cart([line("a", "1.234", 3, "10")], PricingRules("BHD"))
    assert cart.subtotal == D("3.702")
    assert cart.tax_total == D("0.370")  # 0.3702
    assert cart.total == D("4.072")
    assert str(cart.total) == "4.072"


def test_percent_cart_discount_splits_cents_over_equal_lines_deterministically():
    lines = [line(k, "0.33") for k in "abc"]
    cart = price_cart(lines, USD, CartDiscount("percent", D("2")))  # 0.99 * 2% = 0.0198 -> 0.02
    assert cart.cart_discount == D("0.02")
    assert [pl.cart_discount for pl in cart.lines] == [D("0.01"), D("0.01"), D("0.00")]
    assert [pl.total for pl in cart.lines] == [D("0.32"), D("0.32"), D("0.33")]
    assert cart.total == D("0.97")
    assert price_cart(lines, USD, CartDiscount("percent", D("2"))) == cart


def test_amount_cart_discount_over_equal_lines():
    lines = [line(k, "1.00") for k in "abc"]
    cart = price_cart(lines, USD, CartDiscount("amount", D("0.10")))
    assert [pl.cart_discount for pl in cart.lines] == [D("0.04"), D("0.03"), D("0.03")]
    assert cart.total == D("2.90")


def test_cart_discount_largest_remainder_goes_to_the_largest_fraction():
    lines = [line("a", "1.00"), line("b", "2.00"), line("c", "3.00")]
    cart = price_cart(lines, USD, CartDiscount("amount", D("1.00")))
    # Exact shares 0.1666, 0.3333, 0.50: floors 0.16, 0.33, 0.50 and the last cent to "a".
    assert [pl.cart_discount for pl in cart.lines] == [D("0.17"), D("0.33"), D("0.50")]


def test_cart_discount_is_spread_after_line_discounts_and_before_tax():
    lines = [line("a", "10.00", 1, "10", discount="0.00"), line("b", "25.00", 1, "0", "5.00")]
    cart = price_cart(lines, USD, CartDiscount("amount", D("3.00")))
    a, b = cart.lines
    assert (a.cart_discount, b.cart_discount) == (D("1.00"), D("2.00"))  # 10 : 20
    assert (a.total, b.total) == (D("9.00"), D("18.00"))
    assert (a.tax, b.tax) == (D("0.90"), D("0.00"))
    assert cart.tax_bands == (
        TaxBand(rate=D("0"), taxable=D("18.00"), tax=D("0.00")),
        TaxBand(rate=D("10"), taxable=D("9.00"), tax=D("0.90")),
    )
    assert cart.subtotal == D("35.00")
    assert cart.line_discounts == D("5.00")
    assert cart.cart_discount == D("3.00")
    assert cart.discount_total == D("8.00")
    assert cart.total == D("27.90")


def test_percent_cart_discount_rounds_half_up():
    cart = price_cart([line("a", "0.50")], USD, CartDiscount("percent", D("5")))  # 0.025
    assert cart.cart_discount == D("0.03")


def test_tax_inclusive_with_discounts_is_not_a_cent_off():
    lines = [line("a", "9.99", 3, "20", "1.00"), line("b", "4.99", 1, "5.5")]
    rules = PricingRules("GBP", prices_include_tax=True, tax_per_line=False)
    cart = price_cart(lines, rules, CartDiscount("percent", D("12.5")))
    assert cart.cart_discount == D("4.25")  # (28.97 + 4.99) * 12.5% = 4.245
    assert sum(pl.total for pl in cart.lines) == cart.total == D("29.71")
    assert cart.total == cart.subtotal - cart.discount_total
    assert sum(band.taxable + band.tax for band in cart.tax_bands) == cart.total


def test_full_discount_makes_a_free_sale_that_settles_without_tenders():
    cart = price_cart([line("a", "5.00", 2, "8")], USD, CartDiscount("percent", D("100")))
    assert cart.total == D("0.00")
    assert cart.tax_total == D("0.00")
    settlement = settle_tenders(cart.total, [], USD)
    assert settlement.amount_paid == D("0.00")
    assert settlement.tenders == ()


def test_empty_cart_prices_to_zero():
    cart = price_cart([], USD)
    assert cart == PricedCart(
        currency="USD",
        lines=(),
        subtotal=D("0.00"),
        line_discounts=D("0.00"),
        cart_discount=D("0.00"),
        discount_total=D("0.00"),
        tax_bands=(),
        tax_total=D("0.00"),
        total=D("0.00"),
        prices_include_tax=False,
    )


def test_keys_come_back_untouched_and_equal_rates_share_a_band():
    key = object()
    cart = price_cart([line(key, "1.00", 1, "8.25"), line(2, "1.00", 1, "8.250")], USD)
    assert cart.lines[0].key is key
    assert cart.lines[1].key == 2
    assert len(cart.tax_bands) == 1
    assert cart.tax_bands[0].tax == D("0.16")


def test_amounts_are_quantized_to_the_minor_unit():
    cart = price_cart([line("a", "10", 2, "0", "1")], USD)
    (priced,) = cart.lines
    assert (str(priced.unit_price), str(priced.gross), str(priced.discount)) == (
        "10.00",
        "20.00",
        "1.00",
    )
    # Trailing zeros beyond the minor unit are not extra precision.
    assert price_cart([line("a", "10.000")], USD).lines[0].unit_price == D("10.00")


def test_price_cart_ignores_the_callers_decimal_context():
    from decimal import localcontext

    lines = [line("a", "123456.78", 9999, "8.875")]
    expected = price_cart(lines, USD)
    with localcontext(Context(prec=4, rounding=ROUND_HALF_EVEN)):
        assert price_cart(lines, USD) == expected
    assert expected.subtotal == D("1234444343.22")  # 123456.78 * 10000 - 123456.78
    assert expected.tax_total == D("109556935.46")  # 109556935.4607...


# ----------------------------------------------------------------------------- price_cart errors


@pytest.mark.parametrize("qty", [0, -1, MAX_QUANTITY + 1, True, 1.5, D("2")])
def test_invalid_quantity(qty):
    err = error_of(price_cart, [LineInput("k", D("1.00"), qty, D("0"))], USD)
    assert err.code == "invalid_quantity"
    assert err.key == "k"
    assert "1 to 9999" in str(err)


@pytest.mark.parametrize("price", ["-0.01", "1.005", "NaN", "1E+20"])
def test_invalid_unit_price(price):
    err = error_of(price_cart, [line("k", price)], USD)
    assert err.code == "invalid_price"
    assert err.key == "k"


def test_negative_price_message():
    assert str(error_of(price_cart, [line("k", "-1.00")], USD)) == (
        "Price cannot be negative (got -1.00)."
    )


def test_float_price_is_a_programming_error():
    with pytest.raises(TypeError):
        price_cart([LineInput("k", 1.1, 1, D("0"))], USD)  # type: ignore[arg-type]


@pytest.mark.parametrize("rate", ["-1", "100.01", "8.1234567"])
def test_invalid_tax_rate(rate):
    err = error_of(price_cart, [line("k", "1.00", 1, rate)], USD)
    assert err.code == "invalid_tax_rate"
    assert err.key == "k"


def test_tax_rate_of_100_percent_is_allowed():
    assert price_cart([line("k", "1.00", 1, "100")], USD).total == D("2.00")


@pytest.mark.parametrize("discount", ["-1.00", "0.005"])
def test_invalid_line_discount(discount):
    err = error_of(price_cart, [line("k", "10.00", 1, "0", discount)], USD)
    assert err.code == "invalid_discount"


def test_line_discount_larger_than_the_line():
    err = error_of(price_cart, [line("a", "1.00"), line("k", "5.00", 2, "0", "12")], USD)
    assert err.code == "discount_too_large"
    assert err.key == "k"
    assert str(err) == "Discount 12.00 is more than the line value 10.00."


def test_line_discount_equal_to_the_line_is_fine():
    assert price_cart([line("k", "5.00", 2, "10", "10.00")], USD).total == D("0.00")


@pytest.mark.parametrize(
    ("discount", "code"),
    [
        (CartDiscount("percent", D("-1")), "invalid_discount"),
        (CartDiscount("percent", D("100.5")), "invalid_discount"),
        (CartDiscount("amount", D("-0.01")), "invalid_discount"),
        (CartDiscount("amount", D("0.001")), "invalid_discount"),
        (CartDiscount("fixed", D("1")), "invalid_discount"),
        (CartDiscount("amount", D("40.01")), "discount_too_large"),
    ],
)
def test_invalid_cart_discount(discount, code):
    lines = [line("a", "30.00", 1, "0", "5.00"), line("b", "15.00")]
    assert error_of(price_cart, lines, USD, discount).code == code


def test_cart_discount_larger_than_the_cart_message():
    err = error_of(price_cart, [line("a", "40.00")], USD, CartDiscount("amount", D("50")))
    assert str(err) == "Discount 50.00 is more than the cart value 40.00."


def test_pricing_error_is_a_value_error_with_a_code():
    err = PricingError("Something is wrong.", code="x")
    assert isinstance(err, ValueError)
    assert (str(err), err.message, err.code, err.key) == (
        "Something is wrong.",
        err.message,
        "x",
        None,
    )


# ----------------------------------------------------------------------------- tenders examples

CASH_05 = PricingRules(cash_rounding=D("0.05"))


def cash(amount):
    return TenderInput("cash", D(amount))


def card(amount):
    return TenderInput("card", D(amount))


def test_cash_with_change():
    settlement = settle_tenders(D("17.35"), [cash("20")], USD)
    assert settlement.due == D("17.35")
    assert settlement.cash_rounding == D("0.00")
    assert settlement.amount_paid == D("17.35")
    assert settlement.change == D("2.65")
    assert settlement.tenders == (AppliedTender("cash", D("20.00"), D("17.35"), D("2.65")),)


def test_card_pays_exactly():
    settlement = settle_tenders(D("17.35"), [card("17.35")], CASH_05)
    assert settlement.cash_rounding == D("0.00")  # cash rounding never touches a card
    assert settlement.amount_paid == D("17.35")
    assert settlement.tenders == (AppliedTender("card", D("17.35"), D("17.35"), D("0.00")),)


@pytest.mark.parametrize(
    ("total", "rounding", "paid", "change"),
    [
        ("10.02", "-0.02", "10.00", "10.00"),
        ("10.03", "0.02", "10.05", "9.95"),
        ("10.05", "0.00", "10.05", "9.95"),
        ("10.07", "-0.02", "10.05", "9.95"),
        ("10.08", "0.02", "10.10", "9.90"),
    ],
)
def test_cash_rounding_to_five_cents(total, rounding, paid, change):
    settlement = settle_tenders(D(total), [cash("20")], CASH_05)
    assert settlement.cash_rounding == D(rounding)
    assert settlement.amount_paid == D(paid)
    assert settlement.change == D(change)


def test_cash_rounding_applies_to_the_cash_remainder_only():
    settlement = settle_tenders(D("10.02"), [cash("10"), card("5.00")], CASH_05)
    # The card pays 5.00 exactly; the 5.02 left in cash rounds to 5.00.
    assert settlement.cash_rounding == D("-0.02")
    assert settlement.amount_paid == D("10.00")
    assert settlement.change == D("5.00")
    assert [t.method for t in settlement.tenders] == ["cash", "card"]  # input order kept
    assert settlement.tenders[0] == AppliedTender("cash", D("10.00"), D("5.00"), D("5.00"))


def test_cash_remainder_rounding_to_zero_is_forgiven():
    settlement = settle_tenders(D("10.02"), [card("10.00"), cash("0.05")], CASH_05)
    assert settlement.cash_rounding == D("-0.02")
    assert settlement.tenders[1] == AppliedTender("cash", D("0.05"), D("0.00"), D("0.05"))
    assert settlement.amount_paid == D("10.00")


def test_cash_due():
    assert cash_due(D("10.02"), CASH_05) == D("10.00")
    assert cash_due(D("10.03"), CASH_05) == D("10.05")
    assert cash_due(D("10.03"), USD) == D("10.03")
    assert str(cash_due(D("10"), PricingRules(cash_rounding=D("1")))) == "10.00"
    assert cash_due(D("1233"), PricingRules("JPY", cash_rounding=D("5"))) == D("1235")


def test_several_cash_tenders_change_from_the_last():
    settlement = settle_tenders(D("10.00"), [cash("5"), cash("20")], USD)
    assert [(t.applied, t.change) for t in settlement.tenders] == [
        (D("5.00"), D("0.00")),
        (D("5.00"), D("15.00")),
    ]
    assert settlement.change == D("15.00")


def test_split_card_other_and_cash():
    tenders = [TenderInput("other", D("5.00")), card("10.00"), cash("20")]
    settlement = settle_tenders(D("25.00"), tenders, USD)
    assert [t.applied for t in settlement.tenders] == [D("5.00"), D("10.00"), D("10.00")]
    assert settlement.change == D("10.00")


# ----------------------------------------------------------------------------- tenders errors


@pytest.mark.parametrize(
    ("total", "tenders", "code"),
    [
        ("10.00", [], "no_tenders"),
        ("10.00", [TenderInput("bitcoin", D("10"))], "invalid_tender_method"),
        ("10.00", [cash("0")], "invalid_tender_amount"),
        ("10.00", [card("-1")], "invalid_tender_amount"),
        ("10.00", [card("9.999")], "invalid_tender_amount"),
        ("10.00", [card("10.01")], "card_exceeds_due"),
        ("10.00", [card("6"), TenderInput("other", D("5"))], "card_exceeds_due"),
        ("0.00", [card("1")], "card_exceeds_due"),
        ("10.00", [card("9.99")], "tenders_short"),
        ("10.00", [card("5"), cash("4.99")], "tenders_short"),
        ("10.00", [card("10"), cash("1")], "nothing_due_in_cash"),
        ("0.00", [cash("1")], "nothing_due_in_cash"),
        ("10.00", [cash("20"), cash("5")], "tender_not_needed"),
        ("-1.00", [cash("1")], "invalid_total"),
        ("1.005", [cash("2")], "invalid_total"),
    ],
)
def test_tender_errors(total, tenders, code):
    assert error_of(settle_tenders, D(total), tenders, USD).code == code


def test_tender_error_messages():
    assert str(error_of(settle_tenders, D("25.00"), [card("30")], USD)) == (
        "Card amount 30.00 is more than the 25.00 due."
    )
    assert str(error_of(settle_tenders, D("25.00"), [card("20")], USD)) == (
        "Payments of 20.00 do not cover the 25.00 due: 5.00 still due."
    )
    assert str(error_of(settle_tenders, D("25.00"), [card("5"), cash("10")], USD)) == (
        "Cash 10.00 does not cover the 20.00 due in cash: 10.00 still due."
    )
    # With cash rounding, the short amount is against the rounded cash due.
    assert str(error_of(settle_tenders, D("10.03"), [cash("10.00")], CASH_05)) == (
        "Cash 10.00 does not cover the 10.05 due in cash: 0.05 still due."
    )
    assert "Nothing left to pay in cash" in str(
        error_of(settle_tenders, D("5.00"), [card("5"), cash("5")], USD)
    )


def test_float_tender_is_a_programming_error():
    with pytest.raises(TypeError):
        settle_tenders(D("1.00"), [TenderInput("cash", 1.0)], USD)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- properties

CURRENCIES = ("USD", "EUR", "JPY", "BHD")
INCREMENTS = {
    "USD": (None, D("0.05"), D("0.10"), D("0.25"), D("1")),
    "EUR": (None, D("0.05")),
    "JPY": (None, D("5"), D("10")),
    "BHD": (None, D("0.005"), D("0.050")),
}
BIG = Context(prec=100)


def money(units: int, currency: str) -> Decimal:
    return D(units).scaleb(-currency_places(currency))


def on_minor_unit(amount: Decimal, currency: str) -> bool:
    return amount.as_tuple().exponent == -currency_places(currency)


def exact_round(value: Fraction, currency: str) -> Decimal:
    """Independent half-up rounding of an exact fraction (via a wide Decimal division)."""
    quotient = BIG.divide(D(value.numerator), D(value.denominator))
    return quotient.quantize(D(1).scaleb(-currency_places(currency)), ROUND_HALF_UP, BIG)


rates = st.one_of(
    st.sampled_from([D("0"), D("5"), D("7.125"), D("8.25"), D("20"), D("100")]),
    st.decimals(min_value=0, max_value=100, places=3),
)


@st.composite
def rules_strategy(draw, **fixed) -> PricingRules:
    currency = fixed.get("currency") or draw(st.sampled_from(CURRENCIES))
    return PricingRules(
        currency=currency,
        prices_include_tax=fixed.get("prices_include_tax", draw(st.booleans())),
        tax_per_line=draw(st.booleans()),
        cash_rounding=draw(st.sampled_from(INCREMENTS[currency])),
    )


@st.composite
def scenarios(draw, **fixed):
    rules = draw(rules_strategy(**fixed))
    currency = rules.currency
    count = draw(st.integers(min_value=fixed.get("min_lines", 0), max_value=8))
    lines = []
    for index in range(count):
        price = draw(st.one_of(st.integers(0, 300), st.integers(0, 10**7)))
        qty = draw(st.one_of(st.integers(1, 5), st.integers(1, MAX_QUANTITY)))
        gross = price * qty
        discount = draw(st.one_of(st.just(0), st.integers(0, gross), st.just(gross)))
        lines.append(
            LineInput(
                key=index,
                unit_price=money(price, currency),
                quantity=qty,
                tax_rate=draw(rates),
                discount=money(discount, currency),
            )
        )
    after = sum((ln.unit_price * ln.quantity - ln.discount for ln in lines), start=D(0)).scaleb(
        currency_places(currency)
    )
    kind = draw(st.sampled_from(["none", "amount", "percent"]))
    if kind == "amount":
        cart_discount = CartDiscount("amount", money(draw(st.integers(0, int(after))), currency))
    elif kind == "percent":
        cart_discount = CartDiscount("percent", draw(st.decimals(0, 100, places=2)))
    else:
        cart_discount = None
    return rules, lines, cart_discount


def assert_cart_invariants(cart: PricedCart, rules, lines, cart_discount) -> None:
    currency = rules.currency
    incl = rules.prices_include_tax
    amounts = [cart.subtotal, cart.line_discounts, cart.cart_discount, cart.discount_total]
    amounts += [cart.tax_total, cart.total]
    for pl in cart.lines:
        amounts += [pl.unit_price, pl.gross, pl.discount, pl.cart_discount, pl.total, pl.tax]
    for band in cart.tax_bands:
        amounts += [band.taxable, band.tax]
    assert all(on_minor_unit(amount, currency) for amount in amounts)
    assert all(amount >= 0 for amount in amounts)

    assert [pl.key for pl in cart.lines] == [ln.key for ln in lines]
    for pl, ln in zip(cart.lines, lines, strict=True):
        assert pl.gross == ln.unit_price * ln.quantity
        assert pl.discount == ln.discount
        assert 0 <= pl.cart_discount <= pl.gross - pl.discount
        assert pl.total == pl.gross - pl.discount - pl.cart_discount >= 0

    # The cart discount: its shares add up exactly and each is within a minor unit of exact.
    after = [pl.gross - pl.discount for pl in cart.lines]
    assert sum(pl.cart_discount for pl in cart.lines) == cart.cart_discount
    if cart_discount is not None and cart_discount.kind == "percent":
        expected = exact_round(Fraction(sum(after)) * Fraction(cart_discount.value) / 100, currency)
        assert cart.cart_discount == expected
    elif cart_discount is not None:
        assert cart.cart_discount == cart_discount.value
    else:
        assert cart.cart_discount == 0
    unit = Fraction(D(1).scaleb(-currency_places(currency)))
    if sum(after):
        for pl, value in zip(cart.lines, after, strict=True):
            exact = Fraction(cart.cart_discount) * Fraction(value) / Fraction(sum(after))
            assert abs(Fraction(pl.cart_discount) - exact) < unit

    # Totals.
    line_totals = sum((pl.total for pl in cart.lines), start=D(0))
    assert cart.subtotal == sum((pl.gross for pl in cart.lines), start=D(0))
    assert cart.discount_total == cart.line_discounts + cart.cart_discount
    assert line_totals == cart.subtotal - cart.discount_total
    assert cart.total == (line_totals if incl else line_totals + cart.tax_total)

    # Tax: bands, lines and the total agree to the cent.
    line_taxes = sum((pl.tax for pl in cart.lines), start=D(0))
    band_taxes = sum((band.tax for band in cart.tax_bands), start=D(0))
    assert cart.tax_total == band_taxes == line_taxes
    band_rates = [band.rate for band in cart.tax_bands]
    assert band_rates == sorted(band_rates)
    assert set(band_rates) == {pl.tax_rate for pl in cart.lines}
    assert len(set(band_rates)) == len(band_rates)
    for band in cart.tax_bands:
        members = [pl for pl in cart.lines if pl.tax_rate == band.rate]
        band_total = sum((pl.total for pl in members), start=D(0))
        assert band.taxable == (band_total - band.tax if incl else band_total)
        assert sum((pl.tax for pl in members), start=D(0)) == band.tax
        rate = Fraction(band.rate)
        factor = rate / (100 + rate) if incl else rate / 100
        for pl in members:
            exact = Fraction(pl.total) * factor
            if rules.tax_per_line:
                assert pl.tax == exact_round(exact, currency)
            else:
                assert abs(Fraction(pl.tax) - exact) < unit
        if not rules.tax_per_line:
            assert band.tax == exact_round(Fraction(band_total) * factor, currency)
        if incl:
            assert band.tax <= band_total


@PROPERTY
@given(scenarios())
def test_price_cart_invariants(scenario):
    rules, lines, cart_discount = scenario
    cart = price_cart(lines, rules, cart_discount)
    assert_cart_invariants(cart, rules, lines, cart_discount)
    assert price_cart(lines, rules, cart_discount) == cart  # deterministic


@PROPERTY
@given(scenarios(prices_include_tax=True, min_lines=1))
def test_tax_inclusive_with_discounts_sums_to_the_total(scenario):
    rules, lines, cart_discount = scenario
    cart = price_cart(lines, rules, cart_discount)
    assert sum((pl.total for pl in cart.lines), start=D(0)) == cart.total
    shelf = sum((ln.unit_price * ln.quantity for ln in lines), start=D(0))
    assert cart.total == shelf - cart.discount_total
    assert sum((band.taxable + band.tax for band in cart.tax_bands), start=D(0)) == cart.total


@PROPERTY
@given(scenarios(), st.data())
def test_the_total_is_always_payable(scenario, data):
    rules, lines, cart_discount = scenario
    total = price_cart(lines, rules, cart_discount).total
    if total == 0:
        assert settle_tenders(total, [], rules).amount_paid == 0
        return

    by_card = settle_tenders(total, [card(total)], rules)
    assert by_card.amount_paid == total
    assert by_card.cash_rounding == 0
    assert by_card.change == 0

    in_cash = cash_due(total, rules)
    if in_cash > 0:
        exact_cash = settle_tenders(total, [cash(in_cash)], rules)
        assert exact_cash.change == 0
        assert exact_cash.amount_paid == in_cash == total + exact_cash.cash_rounding

    # Any split: part on card, the rest in cash, with some change.
    places = currency_places(rules.currency)
    units = int(total.scaleb(places))
    card_part = money(data.draw(st.integers(0, units - 1), label="card units"), rules.currency)
    extra = money(data.draw(st.integers(0, 10**4), label="extra units"), rules.currency)
    remainder = total - card_part
    cash_part = max(cash_due(remainder, rules), money(1, rules.currency)) + extra
    tenders = ([card(card_part)] if card_part else []) + [cash(cash_part)]
    settlement = settle_tenders(total, tenders, rules)
    assert_settlement_invariants(settlement, total, rules)


def assert_settlement_invariants(settlement, total, rules) -> None:
    currency = rules.currency
    assert settlement.due == total
    applied = sum((t.applied for t in settlement.tenders), start=D(0))
    assert applied == settlement.amount_paid == total + settlement.cash_rounding
    assert settlement.change == sum((t.change for t in settlement.tenders), start=D(0)) >= 0
    for tender in settlement.tenders:
        assert tender.applied + tender.change == tender.tendered
        assert tender.applied >= 0
        assert tender.change >= 0
        if tender.method != "cash":
            assert tender.change == 0
            assert tender.applied == tender.tendered
    if rules.cash_rounding is None or all(t.method != "cash" for t in settlement.tenders):
        assert settlement.cash_rounding == 0
    else:
        assert abs(settlement.cash_rounding) * 2 <= rules.cash_rounding
    for amount in [settlement.due, settlement.cash_rounding, settlement.amount_paid]:
        assert on_minor_unit(amount, currency)
    assert on_minor_unit(settlement.change, currency)


@PROPERTY
@given(
    rules_strategy(),
    st.integers(1, 10**7),
    st.lists(
        st.tuples(st.sampled_from(["cash", "card", "other"]), st.integers(1, 10**7)),
        min_size=1,
        max_size=5,
    ),
)
def test_settle_tenders_either_settles_consistently_or_says_why(rules, due_units, raw):
    total = money(due_units, rules.currency)
    tenders = [TenderInput(method, money(units, rules.currency)) for method, units in raw]
    try:
        settlement = settle_tenders(total, tenders, rules)
    except PricingError as err:
        assert err.code in {
            "card_exceeds_due",
            "tenders_short",
            "nothing_due_in_cash",
            "tender_not_needed",
        }
        assert str(err).endswith(".")
        return
    assert_settlement_invariants(settlement, total, rules)
    assert [t.tendered for t in settlement.tenders] == [t.amount for t in tenders]
    cash_changes = [t.change for t in settlement.tenders if t.method == "cash"]
    assert all(change == 0 for change in cash_changes[:-1])  # only the last cash gives change


@PROPERTY
@given(
    st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6),
    st.sampled_from(CURRENCIES),
)
def test_round_money_matches_decimal_half_up(amount, currency):
    rounded = round_money(amount, currency)
    quantum = D(1).scaleb(-currency_places(currency))
    assert rounded == amount.quantize(quantum, ROUND_HALF_UP, BIG)
    assert on_minor_unit(rounded, currency)
    assert abs(rounded - amount) * 2 <= quantum
    assert round_money(rounded, currency) == rounded
    assert round_money(-amount, currency) == -rounded  # symmetric: a refund mirrors the sale


@PROPERTY
@given(
    st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, places=4),
    st.sampled_from([D("0.05"), D("0.10"), D("0.25"), D("1"), D("5"), D("0.005")]),
)
def test_round_to_increment_is_the_nearest_multiple(amount, increment):
    rounded = round_to_increment(amount, increment)
    assert BIG.remainder(rounded, increment) == 0
    assert abs(rounded - amount) * 2 <= increment
    if abs(rounded - amount) * 2 == increment:
        assert abs(rounded) > abs(amount)  # ties away from zero


@settings(PROPERTY, max_examples=100)
@given(scenarios(min_lines=1), st.data())
def test_a_line_discount_above_the_line_is_always_refused(scenario, data):
    rules, lines, _ = scenario
    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    target = lines[index]
    too_much = target.unit_price * target.quantity + money(
        data.draw(st.integers(1, 1000)), rules.currency
    )
    lines[index] = LineInput(
        target.key, target.unit_price, target.quantity, target.tax_rate, too_much
    )
    err = error_of(price_cart, lines, rules)
    assert err.code == "discount_too_large"
    assert err.key == target.key


# --------------------------------------------------------------------------- refund shares


def test_refund_share_examples():
    assert refund_share(Decimal("10.00"), 3, 0, 1, "USD") == Decimal("3.33")
    assert refund_share(Decimal("10.00"), 3, 1, 1, "USD") == Decimal("3.34")
    assert refund_share(Decimal("10.00"), 3, 2, 1, "USD") == Decimal("3.33")
    assert refund_share(Decimal("0.02"), 4, 0, 1, "USD") == Decimal("0.01")  # 0.005 → 0.01
    assert refund_share(Decimal("0.02"), 4, 1, 1, "USD") == Decimal("0.00")


@pytest.mark.parametrize(("before", "now"), [(0, 0), (2, 2), (3, 1), (-1, 1)])
def test_refund_share_refuses_more_than_sold(before, now):
    with pytest.raises(PricingError) as error:
        refund_share(Decimal("9.99"), 3, before, now, "USD")
    assert error.value.code == "refund_too_large"


@given(
    cents=st.integers(min_value=0, max_value=10**8),
    quantity=st.integers(min_value=1, max_value=50),
    data=st.data(),
)
def test_refunds_in_any_steps_return_exactly_the_line(cents, quantity, data):
    amount = Decimal(cents).scaleb(-2)
    refunded, total = 0, Decimal("0.00")
    while refunded < quantity:
        step = data.draw(st.integers(min_value=1, max_value=quantity - refunded))
        share = refund_share(amount, quantity, refunded, step, "USD")
        assert share >= 0
        total += share
        refunded += step
        assert total <= amount
    assert total == amount
