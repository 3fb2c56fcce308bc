"""Receipt templates in the Wagtail admin: one default, safe placeholders, live preview."""

import json

import pytest
from django.db import IntegrityError, transaction

from receipts.models import ReceiptTemplate

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.receipt_fixtures"]

ADD_URL = "/admin/receipts/templates/add/"


def draftail(text: str, bold: int = 0) -> str:
    """A Draftail content state as the admin's rich text widget posts it."""
    styles = [{"offset": 0, "length": bold, "style": "BOLD"}] if bold else []
    block = {
        "key": "abcde",
        "type": "unstyled",
        "depth": 0,
        "text": text,
        "inlineStyleRanges": styles,
        "entityRanges": [],
        "data": {},
    }
    return json.dumps({"blocks": [block], "entityMap": {}})


def form_data(**overrides) -> dict:
    data = {
        "name": "Big A4",
        "paper": "a4",
        "font_size": "10",
        "logo": "",
        "header": draftail("Open daily 8 to 6", bold=4),
        "footer": draftail("Returns within 30 days"),
        "thank_you_message": "Thanks, see you soon at {store_name}!",
        "show_tax_breakdown": "on",
        "show_cashier": "on",
        "show_register": "on",
        "show_payment_details": "on",
        "code": "qr",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_migration_creates_an_80mm_default():
    template = ReceiptTemplate.objects.get()
    assert template.is_default and template.paper == "80mm"
    assert template.code == "code128" and "{store_name}" in template.thank_you_message


def test_making_a_template_the_default_hands_the_flag_over():
    first = ReceiptTemplate.objects.get(is_default=True)
    second = ReceiptTemplate.objects.create(name="A4", paper="a4", is_default=True)
    first.refresh_from_db()
    assert second.is_default and not first.is_default
    assert ReceiptTemplate.objects.filter(is_default=True).count() == 1


def test_the_database_refuses_two_defaults():
    other = ReceiptTemplate.objects.create(name="58 mm", paper="58mm")
    assert not other.is_default  # a default exists already
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceiptTemplate.objects.filter(pk=other.pk).update(is_default=True)


def test_the_only_default_cannot_be_unset():
    from django.core.exceptions import ValidationError

    template = ReceiptTemplate.objects.get(is_default=True)
    template.is_default = False
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "is_default" in error.value.message_dict


def test_the_first_template_becomes_the_default():
    ReceiptTemplate.objects.all().delete()
    template = ReceiptTemplate.objects.create(name="Only one")
    assert template.is_default


def test_unknown_placeholders_are_rejected_in_the_admin(merchandiser_client):
    response = merchandiser_client.post(
        ADD_URL, form_data(thank_you_message="Thanks {customer_name}!")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown placeholder {customer_name}" in html
    assert "{store_name}" in html and "{sale_number}" in html  # the allowed list
    assert not ReceiptTemplate.objects.filter(name="Big A4").exists()


def test_merchandiser_creates_a_template_with_rich_text(merchandiser_client):
    response = merchandiser_client.post(ADD_URL, form_data(is_default="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ReceiptTemplate.objects.get(name="Big A4")
    assert template.is_default and template.paper == "a4" and template.code == "qr"
    assert "<b>Open</b> daily 8 to 6" in template.header
    assert ReceiptTemplate.objects.filter(is_default=True).count() == 1


def test_the_default_template_cannot_be_deleted(manager_client):
    template = ReceiptTemplate.objects.get(is_default=True)
    url = f"/admin/receipts/templates/delete/{template.pk}/"
    response = manager_client.post(url, follow=True)
    assert ReceiptTemplate.objects.filter(pk=template.pk).exists()
    assert "cannot be deleted" in response.content.decode()
    spare = ReceiptTemplate.objects.create(name="Spare")
    assert manager_client.post(f"/admin/receipts/templates/delete/{spare.pk}/").status_code == 302
    assert not ReceiptTemplate.objects.filter(pk=spare.pk).exists()


def test_cashiers_never_reach_the_templates(cashier_client):
    assert cashier_client.get("/admin/receipts/templates/").status_code == 403


def test_merchandisers_see_templates_but_not_sales(merchandiser_client, sale):
    assert merchandiser_client.get("/admin/receipts/templates/").status_code == 200
    assert merchandiser_client.get("/admin/receipts/find/").status_code in (302, 403)
    menu = merchandiser_client.get("/admin/").content.decode()
    assert "Receipt templates" in menu and "Find a receipt" not in menu


@pytest.mark.parametrize("mode", ["", "pdf", "text"])
def test_live_preview_renders_a_sample_sale(merchandiser_client, mode):
    template = ReceiptTemplate.objects.get(is_default=True)
    url = f"/admin/receipts/templates/preview/{template.pk}/"
    data = form_data(name=template.name, is_default="on", paper="58mm", code="code128")
    assert merchandiser_client.post(url, data).json() == {"is_valid": True, "is_available": True}
    response = merchandiser_client.get(url, {"mode": mode})
    assert response.status_code == 200
    if mode == "pdf":
        from io import BytesIO

        from pypdf import PdfReader

        assert response["Content-Type"] == "application/pdf"
        text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
        assert "S-000123" in text and "Open daily 8 to 6" in text
        return
    html = response.content.decode()
    assert "S-000123" in html and "Espresso beans 250 g" in html
    assert "Thanks, see you soon at Corner Shop!" in " ".join(html.split())
    if mode == "":
        assert "<strong>Open</strong> daily 8 to 6" in html
        assert "Sample receipt" in html and "paper-58mm.css" in html
    else:
        assert "32 characters" in html
    template.refresh_from_db()
    assert template.paper == "80mm"  # previewing never saves


def test_preview_of_an_invalid_form_shows_wagtails_error_page(merchandiser_client):
    url = "/admin/receipts/templates/preview/"
    data = form_data(thank_you_message="{nope}")
    assert merchandiser_client.post(url, data).json()["is_valid"] is False


def test_new_template_preview(merchandiser_client):
    url = "/admin/receipts/templates/preview/"
    assert merchandiser_client.post(url, form_data()).json()["is_valid"] is True
    html = merchandiser_client.get(url).content.decode()
    assert "paper-a4.css" in html and "Reduced 2.5" in html and "Visa •••• 4242" in html


def test_flush_puts_the_default_template_back(db):
    """`flush` (a reset shop, transactional tests) empties the table; post_migrate restores the
    default the migration made, once."""
    from django.core.management.sql import emit_post_migrate_signal

    from receipts.models import ReceiptTemplate

    ReceiptTemplate.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert list(ReceiptTemplate.objects.values_list("name", "is_default")) == [
        ("Standard 80 mm", True)
    ]
