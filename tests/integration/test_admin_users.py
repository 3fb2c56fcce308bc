"""Only an administrator makes or touches an administrator (pos_site/users.py)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from pos.roles import CASHIERS
from tests.conftest import PASSWORD, client_for, make_user

ADD = "/admin/users/new/"
NEW_USER = {
    "username": "newbie",
    "email": "newbie@example.com",
    "first_name": "New",
    "last_name": "Bie",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "is_superuser": "on",
}


def edit_url(user) -> str:
    return f"/admin/users/edit/{user.pk}/"


def test_a_manager_sees_no_administrator_box_and_cannot_tick_it(manager_client):
    page = manager_client.get(ADD)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()

    cashiers = Group.objects.get(name=CASHIERS)
    response = manager_client.post(ADD, {**NEW_USER, "groups": [cashiers.pk]})
    assert response.status_code == 302, response.content[:2000]
    newbie = get_user_model().objects.get(username="newbie")
    assert not newbie.is_superuser  # the forged box was ignored
    assert list(newbie.groups.all()) == [cashiers]


def test_a_manager_cannot_make_a_cashier_an_administrator(manager_client, cashier):
    page = manager_client.get(edit_url(cashier))
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    data = {
        "username": cashier.username,
        "email": "c@example.com",
        "first_name": "Casey",
        "last_name": "Cash",
        "is_active": "on",
        "is_superuser": "on",
        "groups": [Group.objects.get(name=CASHIERS).pk],
    }
    assert manager_client.post(edit_url(cashier), data).status_code == 302
    cashier.refresh_from_db()
    assert not cashier.is_superuser and cashier.first_name == "Casey"


def test_a_manager_cannot_open_or_change_an_administrators_account(manager_client, superuser):
    before = superuser.password
    refused = manager_client.get(edit_url(superuser), follow=True)
    assert refused.redirect_chain == [("/admin/", 302)]  # Wagtail's answer to a PermissionDenied
    assert "permission" in refused.content.decode().lower()
    data = {"username": superuser.username, "password1": "x" * 20, "password2": "x" * 20}
    assert manager_client.post(edit_url(superuser), data)["Location"] == "/admin/"
    superuser.refresh_from_db()
    assert superuser.password == before


def test_an_administrator_still_makes_administrators(superuser):
    client = client_for(superuser)
    assert 'name="is_superuser"' in client.get(ADD).content.decode()
    assert client.post(ADD, NEW_USER).status_code == 302
    assert get_user_model().objects.get(username="newbie").is_superuser
    other = make_user("root2", is_superuser=True)
    assert client.get(edit_url(other)).status_code == 200


def test_deleting_a_user_with_sales_explains_and_keeps_them(manager_client, cashier):
    from tests import factories

    factories.open_shift(cashier)
    sale = factories.sale(cashier, (factories.product("Beans", "10.00", stock=5), 1))
    response = manager_client.post(f"/admin/users/delete/{cashier.pk}/", follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "cannot be deleted" in text and "Active" in text
    sale.refresh_from_db()
    assert get_user_model().objects.filter(pk=cashier.pk).exists() and sale.cashier == cashier


def test_a_user_with_no_records_can_be_deleted(manager_client):
    newbie = make_user("temp")
    response = manager_client.post(f"/admin/users/delete/{newbie.pk}/")
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=newbie.pk).exists()
