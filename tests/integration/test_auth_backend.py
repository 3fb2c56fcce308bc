"""pos_site.auth_backends.ModelBackend: the answers of Django's, in one query instead of two."""

from __future__ import annotations

from django.contrib.auth.models import Permission

from pos.roles import CASHIERS
from tests.conftest import make_user


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # without the permission cache


def test_own_and_group_permissions_in_one_query(db, django_assert_num_queries):
    user = make_user("casey", CASHIERS)
    user.user_permissions.add(Permission.objects.get(codename="apply_discount"))
    user = fresh(user)
    with django_assert_num_queries(1):
        perms = user.get_all_permissions()
        assert user.has_perm("pos.use_register")  # from the Cashiers group
        assert user.has_perm("pos.apply_discount")  # given to the user alone
        assert not user.has_perm("pos.void_sale")  # a manager's
    assert {"pos.use_register", "pos.apply_discount"} <= perms


def test_same_answers_as_djangos_backend(db):
    from django.contrib.auth.backends import ModelBackend as DjangoBackend

    from pos_site.auth_backends import ModelBackend

    user = make_user("morgan", "Managers")
    user.user_permissions.add(Permission.objects.get(codename="apply_discount"))
    superuser = make_user("root", is_superuser=True)
    inactive = make_user("gone", CASHIERS, is_active=False)
    for someone in (user, superuser, inactive):
        ours = ModelBackend().get_all_permissions(fresh(someone))
        djangos = DjangoBackend().get_all_permissions(fresh(someone))
        assert ours == djangos, someone
    assert ModelBackend().get_all_permissions(fresh(inactive)) == set()


def test_a_withdrawn_permission_is_gone_on_the_next_request(db):
    user = make_user("casey", CASHIERS)
    assert fresh(user).has_perm("pos.use_register")
    user.groups.clear()
    assert not fresh(user).has_perm("pos.use_register")
