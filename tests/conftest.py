"""Fixtures shared by every test tier: one user per role, a logged-in client per role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from pos.roles import CASHIERS, MANAGERS, MERCHANDISERS

PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, role: str | None = None, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def cashier(db):
    return make_user("casey", CASHIERS)


@pytest.fixture
def merchandiser(db):
    return make_user("morgan", MERCHANDISERS)


@pytest.fixture
def manager(db):
    return make_user("max", MANAGERS)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("ada", "ada@example.com", PASSWORD)


@pytest.fixture
def users(cashier, merchandiser, manager, superuser):
    return {
        "cashier": cashier,
        "merchandiser": merchandiser,
        "manager": manager,
        "superuser": superuser,
    }


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cashier_client(cashier):
    return client_for(cashier)


@pytest.fixture
def merchandiser_client(merchandiser):
    return client_for(merchandiser)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture(autouse=True)
def _fresh_store_settings_cache():
    """Each test starts without cached store settings (the cache outlives a rolled-back test)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher is slow on purpose, tests need not be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
