"""Demo data: a small shop with a believable catalog and one user per role.

Every function is idempotent: running the seed twice changes nothing the second time.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from io import BytesIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.db import transaction
from djmoney.money import Money
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.images import get_image_model

from catalog.models import Category, Product, TaxRate
from catalog.validators import with_check_digit
from pos.roles import CASHIERS, MANAGERS, MERCHANDISERS
from store.selectors import current_store_settings

# (category, colour, [(name, price, cost, stock, threshold, tax)])
CATALOG = [
    (
        "Coffee",
        "#6f4e37",
        [
            ("Espresso beans 250 g", "8.90", "4.10", 24, 6, "standard"),
            ("House blend 1 kg", "24.50", "12.00", 9, 4, "standard"),
            ("Decaf beans 250 g", "9.40", "4.60", 3, 5, "standard"),
            ("Cold brew bottle", "4.25", "1.70", 30, 8, "standard"),
            ("Ground filter coffee 500 g", "11.75", "5.90", 14, 5, "standard"),
            ("Coffee filters (100)", "3.10", "1.05", 40, 10, "standard"),
            ("Oat latte can", "3.60", "1.40", 2, 6, "standard"),
        ],
    ),
    (
        "Tea",
        "#3f7d3a",
        [
            ("Green tea (20 bags)", "4.80", "1.90", 18, 5, "standard"),
            ("Earl Grey loose 100 g", "6.95", "2.80", 11, 4, "standard"),
            ("Chamomile (20 bags)", "4.20", "1.60", 16, 5, "standard"),
            ("Matcha powder 30 g", "14.90", "7.30", 4, 5, "standard"),
            ("Chai concentrate", "7.45", "3.10", 7, 3, "standard"),
            ("Rooibos (20 bags)", "4.35", "1.75", 20, 5, "standard"),
        ],
    ),
    (
        "Bakery",
        "#c27c0e",
        [
            ("Sourdough loaf", "5.50", "1.90", 12, 4, "reduced"),
            ("Butter croissant", "2.40", "0.70", 36, 10, "reduced"),
            ("Cinnamon roll", "3.20", "0.95", 20, 8, "reduced"),
            ("Blueberry muffin", "2.95", "0.85", 5, 6, "reduced"),
            ("Rye bread", "4.70", "1.60", 8, 3, "reduced"),
            ("Almond biscotti (6)", "4.10", "1.30", 15, 5, "reduced"),
            ("Bagel", "1.60", "0.45", 25, 8, "reduced"),
        ],
    ),
    (
        "Snacks",
        "#b23a48",
        [
            ("Dark chocolate bar", "3.40", "1.20", 45, 10, "standard"),
            ("Salted almonds 200 g", "5.80", "2.50", 13, 5, "standard"),
            ("Granola bar", "1.90", "0.60", 60, 15, "standard"),
            ("Potato chips", "2.30", "0.80", 1, 8, "standard"),
            ("Dried mango 150 g", "4.60", "1.90", 9, 4, "standard"),
            ("Trail mix 300 g", "6.25", "2.70", 10, 4, "standard"),
            ("Sea salt crackers", "2.85", "1.00", 22, 6, "standard"),
        ],
    ),
    (
        "Drinks",
        "#1f6fb2",
        [
            ("Sparkling water 500 ml", "1.50", "0.40", 80, 20, "standard"),
            ("Orange juice 1 l", "3.95", "1.60", 14, 6, "standard"),
            ("Lemonade", "2.75", "0.90", 26, 8, "standard"),
            ("Kombucha", "3.80", "1.50", 6, 6, "standard"),
            ("Still water 1.5 l", "1.20", "0.35", 48, 12, "standard"),
            ("Iced tea peach", "2.60", "0.85", 19, 6, "standard"),
        ],
    ),
    (
        "Household",
        "#5b5f97",
        [
            ("Reusable cup", "12.00", "4.50", 15, 4, "standard"),
            ("Travel mug", "18.50", "7.90", 6, 3, "standard"),
            ("Paper bags (10)", "1.80", "0.60", 50, 10, "standard"),
            ("Milk frother", "29.90", "14.00", 4, 2, "standard"),
            ("Cafetière 1 l", "34.00", "16.50", 3, 2, "standard"),
            ("Descaler", "6.40", "2.20", 10, 3, "standard"),
        ],
    ),
]

TAX_RATES = {"standard": ("Standard", Decimal("8.25")), "reduced": ("Reduced", Decimal("2.50"))}

DEMO_USERS = [
    ("cashier", "Casey", "Cashier", CASHIERS, False),
    ("merchandiser", "Morgan", "Merchandiser", MERCHANDISERS, False),
    ("manager", "Max", "Manager", MANAGERS, False),
    ("admin", "Ada", "Administrator", None, True),
]


def product_image(name: str, colour: str) -> ImageFile:
    """A simple square tile with the product's initials, so the demo grid has pictures."""
    image = PILImage.new("RGB", (480, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((60, 60, 420, 420), fill="#ffffff")
    initials = "".join(word[0] for word in name.split()[:2] if word[0].isalnum()).upper()
    font = ImageFont.load_default(size=150)
    draw.text((240, 240), initials or "?", fill=colour, font=font, anchor="mm")
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ImageFile(buffer, name=f"demo-{initials.lower() or 'x'}.png")


@transaction.atomic
def seed_catalog() -> int:
    """Create the demo categories, tax rates and products; returns how many products were new."""
    currency = current_store_settings().currency
    rates = {
        key: TaxRate.objects.get_or_create(name=name, defaults={"rate": rate})[0]
        for key, (name, rate) in TAX_RATES.items()
    }
    Image = get_image_model()
    created = 0
    number = 0
    for position, (category_name, colour, products) in enumerate(CATALOG):
        category, _ = Category.objects.get_or_create(
            name=category_name, defaults={"ordering": position * 10}
        )
        for name, price, cost, stock, threshold, tax in products:
            number += 1
            sku = f"{category_name[:3].upper()}-{number:03d}"
            if Product.objects.filter(sku__iexact=sku).exists():
                continue
            image = Image(title=name, file=product_image(name, colour))
            image.save()
            Product.objects.create(
                name=name,
                sku=sku,
                barcode=with_check_digit(f"200000{number:06d}"),
                category=category,
                price=Money(Decimal(price), currency),
                cost_price=Money(Decimal(cost), currency),
                tax_rate=rates[tax],
                quantity_on_hand=stock,
                low_stock_threshold=threshold,
                image=image,
                description=f"<p>{name} from our {category_name.lower()} shelf.</p>",
            )
            created += 1
    return created


def seed_users() -> list[tuple[str, str | None, str]]:
    """Create one user per role; returns (username, new password or None, role) rows.

    A user that already exists keeps its password: passwords are shown only once.
    """
    User = get_user_model()
    rows = []
    for username, first, last, role, is_superuser in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            rows.append((username, None, role or "Administrator"))
            continue
        password = secrets.token_urlsafe(9)
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.com",
            is_superuser=is_superuser,
            is_staff=is_superuser,
        )
        user.set_password(password)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        rows.append((username, password, role or "Administrator"))
    return rows


def database_has_data() -> bool:
    return Product.objects.exists() or get_user_model().objects.exists()
