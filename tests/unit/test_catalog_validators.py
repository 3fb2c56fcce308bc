"""Barcode check digits (EAN-13, EAN-8, UPC-A), CSV file reading and rich-text cleaning."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from catalog.services import clean_rich_text, read_csv_text, same_rich_text
from catalog.validators import barcode_check_digit, validate_barcode, with_check_digit
from pos_site.errors import ServiceError

# Real codes printed on real packs.
VALID = {
    "EAN-13": "4006381333931",
    "EAN-8": "73513537",
    "UPC-A": "036000291452",
}


@pytest.mark.parametrize("code", VALID.values(), ids=VALID.keys())
def test_real_barcodes_pass(code):
    validate_barcode(code)


@pytest.mark.parametrize(("kind", "code"), VALID.items())
def test_a_wrong_check_digit_names_the_symbology(kind, code):
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as error:
        validate_barcode(wrong)
    assert error.value.code == "barcode_check_digit"
    assert f"check digit of this {kind} barcode is wrong" in error.value.messages[0]


@pytest.mark.parametrize("code", ["123", "12345678901", "40063813339310", "40063813339a1", ""])
def test_other_lengths_and_letters_are_refused(code):
    with pytest.raises(ValidationError) as error:
        validate_barcode(code)
    assert error.value.code == "barcode_format"


def test_check_digit_helper_completes_a_body():
    assert barcode_check_digit("400638133393") == 1
    assert with_check_digit("03600029145") == "036000291452"


def test_csv_text_accepts_utf8_with_bom_and_windows_1252():
    assert read_csv_text("\ufeffsku\nA".encode()) == "sku\nA"
    assert read_csv_text("sku,name\nA,Café".encode("cp1252")) == "sku,name\nA,Café"


def test_csv_text_refuses_big_files_workbooks_and_binaries():
    with pytest.raises(ServiceError, match="limit is 5 MB") as error:
        read_csv_text(b"x" * (5 * 1024 * 1024 + 1))
    assert error.value.code == "file_too_large"
    with pytest.raises(ServiceError, match="workbook"):
        read_csv_text(b"PK\x03\x04rest-of-an-xlsx")
    with pytest.raises(ServiceError, match="not look like a CSV"):
        read_csv_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00")


def test_rich_text_from_outside_keeps_only_the_editor_features():
    cleaned = clean_rich_text(
        '<p onclick="steal()">Dark <b>roast</b><script>alert(1)</script></p>'
        '<iframe src="https://evil.example"></iframe><ul><li>250 g</li></ul>'
    )
    assert "<b>roast</b>" in cleaned and "<li" in cleaned
    assert "onclick" not in cleaned and "<script" not in cleaned and "<iframe" not in cleaned


def test_plain_text_becomes_escaped_paragraphs():
    cleaned = clean_rich_text("Fish & chips\nline two\n\n5 < 6")
    assert cleaned == "<p>Fish &amp; chips<br/>line two</p><p>5 &lt; 6</p>"
    assert clean_rich_text("  ") == ""


def test_same_rich_text_ignores_editor_block_keys():
    assert same_rich_text('<p data-block-key="a1b2c">Hi</p>', "<p>Hi</p>")
    assert not same_rich_text("<p>Hi</p>", "<p>Hello</p>")
