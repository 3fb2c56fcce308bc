"""Thank-you placeholders and the header/footer rich text reduction (no database)."""

import pytest
from django.core.exceptions import ValidationError

from receipts.placeholders import PLACEHOLDERS, substitute, validate_placeholders
from receipts.richtext import Run, plain, rich_text_lines


def test_known_placeholders_are_replaced():
    text = "Thanks for shopping at {store_name}! Sale {sale_number}, {total}."
    values = {"store_name": "Corner Shop", "sale_number": "S-000042", "total": "$9.99"}
    assert substitute(text, values) == "Thanks for shopping at Corner Shop! Sale S-000042, $9.99."


def test_substitution_is_not_str_format():
    # Attribute access and indexing are not placeholders: they are rejected, never evaluated.
    for text in ("{sale.cashier.password}", "{store_name.__class__}", "{0}", "{total!r}"):
        with pytest.raises(ValidationError):
            validate_placeholders(text)
        assert substitute(text, {"store_name": "x", "total": "y"}) == text


def test_values_are_inserted_literally():
    # A value that looks like a placeholder is not substituted again.
    assert substitute("{cashier}", {"cashier": "{store_name}"}) == "{store_name}"


def test_unknown_placeholder_lists_the_allowed_ones():
    with pytest.raises(ValidationError) as error:
        validate_placeholders("Thank you, {customer}! See you at {shop}.")
    message = error.value.messages[0]
    assert "{customer}" in message and "{shop}" in message
    assert "Unknown placeholders" in message
    for name in PLACEHOLDERS:
        assert "{" + name + "}" in message


def test_text_without_placeholders_or_with_lone_braces_is_fine():
    validate_placeholders("")
    validate_placeholders("Thank you :-} see you {soon")
    validate_placeholders("{store_name} {date} {time}")


def test_rich_text_keeps_bold_italic_and_line_breaks():
    lines = rich_text_lines(
        '<p data-block-key="a"><b>Open</b> daily<br/>8–18 <i>h</i></p><p data-block-key="b"></p>'
        '<p data-block-key="c">Bye</p>'
    )
    assert lines == (
        (Run("Open", bold=True), Run(" daily")),
        (Run("8–18 "), Run("h", italic=True)),
        (),
        (Run("Bye"),),
    )


def test_rich_text_drops_unknown_markup_but_keeps_its_text():
    lines = rich_text_lines('<p>Hi <a href="javascript:x()">there</a><script>alert(1)</script></p>')
    assert [plain(line) for line in lines] == ["Hi there"]
    assert rich_text_lines("") == ()
