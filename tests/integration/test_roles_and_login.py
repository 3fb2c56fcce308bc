import pytest
from django.contrib.auth.models import Group, Permission

from pos.models import Register
from pos.roles import ROLE_NAMES, ROLE_PERMISSIONS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_NAMES)


def test_wagtail_page_editing_groups_are_removed():
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_listed_permission_exists_and_is_granted(role):
    from wagtail.models import GroupCollectionPermission

    group = Group.objects.get(name=role)
    for name in ROLE_PERMISSIONS[role]:
        app_label, codename = name.split(".")
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        granted = group.permissions.filter(pk=permission.pk).exists()
        granted = (
            granted
            or GroupCollectionPermission.objects.filter(group=group, permission=permission).exists()
        )
        assert granted, f"{role} lacks {name}"


def test_only_back_office_roles_reach_the_admin():
    access = {
        g.name: g.permissions.filter(codename="access_admin").exists() for g in Group.objects.all()
    }
    assert access == {"Cashiers": False, "Merchandisers": True, "Managers": True}


def test_default_register_exists():
    assert Register.objects.filter(name="Register 1", is_active=True).exists()


def test_anonymous_home_goes_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_login_page_is_styled_and_has_csrf(client):
    response = client.get("/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "css/site.css" in body and "csrfmiddlewaretoken" in body and "Sign in" in body


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("cashier", "/register/"),
        ("merchandiser", "/admin/"),
        ("manager", "/admin/"),
        ("superuser", "/admin/"),
    ],
)
def test_login_sends_each_role_to_its_place(client, users, role, landing):
    response = client.post("/login/", {"username": users[role].username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == landing
    assert client.get("/")["Location"] == landing
    assert client.get(landing).status_code == 200


def test_wrong_password_shows_message_and_stays_anonymous(client, cashier):
    response = client.post("/login/", {"username": cashier.username, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/")["Location"] == "/login/"


def test_login_next_to_another_host_is_ignored(client, cashier):
    response = client.post(
        "/login/",
        {"username": cashier.username, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/register/"


def test_login_next_on_this_site_is_followed(client, manager):
    response = client.post(
        "/login/", {"username": manager.username, "password": PASSWORD, "next": "/admin/images/"}
    )
    assert response["Location"] == "/admin/images/"


def test_cashier_is_refused_the_admin(cashier_client):
    for path in ("/admin/", "/admin/images/", "/admin/snippets/"):
        response = cashier_client.get(path)
        assert response.status_code == 403
        assert "not part of your role" in response.content.decode()


def test_anonymous_admin_goes_to_the_one_login_page(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_admin_is_branded_with_the_store_name(merchandiser_client, settings):
    assert settings.POS_STORE_NAME in merchandiser_client.get("/admin/").content.decode()


def test_register_page_is_for_cashiers_and_managers(
    client, cashier_client, merchandiser_client, manager_client
):
    assert client.get("/register/").status_code == 302
    assert cashier_client.get("/register/").status_code == 200
    assert manager_client.get("/register/").status_code == 200
    assert merchandiser_client.get("/register/").status_code == 403


def test_user_without_role_sees_an_explanation(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password=PASSWORD)
    client.force_login(user)
    response = client.get(client.get("/")["Location"])
    assert response.status_code == 403 and "no role" in response.content.decode()


def test_logout_works_from_anywhere(manager_client):
    response = manager_client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert manager_client.get("/")["Location"] == "/login/"


def test_django_admin_is_for_superusers_only(merchandiser_client, superuser, client):
    assert merchandiser_client.get("/django-admin/").status_code == 302
    client.force_login(superuser)
    assert client.get("/django-admin/").status_code == 200


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_flush_keeps_the_root_collection_and_image_permissions(db):
    """`flush` (transactional tests, a reset shop) deletes Wagtail's root collection; without it
    nobody may upload an image. post_migrate puts it and the roles' image permissions back."""
    from django.core.management.sql import emit_post_migrate_signal
    from wagtail.models import Collection, GroupCollectionPermission

    GroupCollectionPermission.objects.all().delete()
    Collection.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    root = Collection.get_first_root_node()
    assert root is not None and root.name == "Root"
    assert GroupCollectionPermission.objects.filter(
        group__name="Merchandisers", collection=root, permission__codename="add_image"
    ).exists()
    assert Collection.objects.filter(depth=1).count() == 1  # again: nothing doubled
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert Collection.objects.filter(depth=1).count() == 1
