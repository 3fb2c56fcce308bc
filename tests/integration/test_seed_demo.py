import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import Category, Product

pytestmark = pytest.mark.django_db


def run_seed(capsys) -> str:
    call_command("seed_demo")
    return capsys.readouterr().out


def test_seed_demo_builds_a_shop_and_prints_logins_once(capsys):
    first = run_seed(capsys)
    assert 35 <= Product.objects.count() <= 45
    assert Category.objects.count() == 6
    assert Product.objects.filter(image__isnull=True).count() == 0
    low = [p for p in Product.objects.all() if p.is_low_stock]
    assert 3 <= len(low) < Product.objects.count()
    User = get_user_model()
    for username in ("cashier", "merchandiser", "manager", "admin"):
        user = User.objects.get(username=username)
        assert not user.password.startswith(username)
        password_line = next(line for line in first.splitlines() if f" {username} " in line)
        password = password_line.split()[-1]
        assert user.check_password(password)
        assert password not in user.password  # stored hashed only

    counts = (Product.objects.count(), Category.objects.count(), User.objects.count())
    second = run_seed(capsys)
    assert (Product.objects.count(), Category.objects.count(), User.objects.count()) == counts
    assert "password unchanged" in second
    assert "Catalog: 0 new products." in second


def test_seeded_users_have_their_roles(capsys):
    run_seed(capsys)
    User = get_user_model()
    assert User.objects.get(username="cashier").has_perm("pos.use_register")
    assert not User.objects.get(username="cashier").has_perm("wagtailadmin.access_admin")
    assert User.objects.get(username="merchandiser").has_perm("catalog.change_product")
    assert User.objects.get(username="manager").has_perm("pos.refund_sale")
    assert User.objects.get(username="admin").is_superuser


def test_if_empty_leaves_an_existing_shop_alone(capsys, cashier):
    call_command("seed_demo", "--if-empty")
    assert "already has data" in capsys.readouterr().out
    assert Product.objects.count() == 0


def test_if_empty_seeds_an_empty_database(capsys):
    call_command("seed_demo", "--if-empty")
    assert Product.objects.exists()
    assert "Demo logins" in capsys.readouterr().out
