from pos.payments import CardDetails, card_brand, luhn_valid
from pos_site.logging import mask_pans


def test_luhn():
    assert luhn_valid("4242424242424242")
    assert luhn_valid("4000000000000002")
    assert not luhn_valid("4242424242424241")


def test_brands():
    assert card_brand("4242424242424242") == "Visa"
    assert card_brand("5555555555554444") == "Mastercard"
    assert card_brand("378282246310005") == "Amex"


def test_card_details_never_print_the_number():
    card = CardDetails(number="4242424242424242", exp_month=1, exp_year=2030, cvc="987")
    assert "4242424242424242" not in repr(card) and "987" not in repr(card)
    assert "4242" in repr(card)


def test_pan_masking_catches_grouped_and_plain_numbers():
    text = "paid with 4242 4242 4242 4242 and 4000-0000-0000-0002 and 5555555555554444, sale 12"
    masked = mask_pans(text)
    assert "4242" not in masked and "0002" not in masked and "4444" not in masked
    assert masked.endswith("sale 12")


def test_barcodes_and_amounts_are_masked_only_when_card_length():
    assert mask_pans("EAN 4006381333931") != "EAN 4006381333931"  # 13 digits may be a PAN
    assert mask_pans("total 1234.56 qty 99999") == "total 1234.56 qty 99999"
