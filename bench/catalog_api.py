"""Catalog API with 100,000 products: barcode lookup and the first page of a search.

Server-side latency through Django's test client (the whole middleware, authentication,
permission and serialization stack; no network), and the number of SQL queries per request.

    python -m bench catalog_api                      # SQLite (temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench catalog_api
"""

from __future__ import annotations

import os
import random
import time
from decimal import Decimal

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "300"))
WORDS = (
    "espresso house decaf oat almond cocoa matcha chai honey vanilla lemon ginger mint berry "
    "maple caramel hazelnut sesame rye spelt"
).split()
KINDS = "beans blend tea bar cookie muffin juice water syrup crackers mug filter".split()
SIZES = ["100 g", "250 g", "500 g", "1 kg", "330 ml", "1 l", "6 pack", "single"]


def build_catalog() -> list[str]:
    """Insert the catalog with one multi-row INSERT per batch; returns barcodes to look up."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog.models import Category, Product, TaxRate
    from catalog.testing import barcode_for, make_image

    rng = random.Random(42)
    rate = TaxRate.objects.create(name="Standard", rate=Decimal("8.25"))
    categories = [Category.objects.create(name=f"Category {i}", slug=f"cat-{i}") for i in range(12)]
    currency = settings.POS_DEFAULT_CURRENCY
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = (
        "name slug sku barcode description category_id price_currency price "
        "cost_price_currency cost_price tax_rate_id quantity_on_hand low_stock_threshold "
        "is_active created_at updated_at"
    ).split()
    sql = (
        f"INSERT INTO {Product._meta.db_table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    start = time.perf_counter()
    rows = []
    barcodes = []
    for n in range(PRODUCTS):
        name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {rng.choice(KINDS)} "
        name += f"{rng.choice(SIZES)} #{n}"
        barcode = barcode_for(400_000_000_000 + n * 7)
        if n % 10:
            barcodes.append(barcode)  # look up active products, as a register does
        rows.append(
            (
                name,
                f"p-{n}",
                f"SKU-{n:06d}",
                barcode,
                "",
                categories[n % len(categories)].pk,
                currency,
                str(Decimal(rng.randint(50, 5000)) / 100),
                currency,
                str(Decimal(rng.randint(10, 2000)) / 100),
                rate.pk,
                rng.randint(0, 80),
                5,
                n % 10 != 0,
                now,
                now,
            )
        )
    with transaction.atomic(), connection.cursor() as cursor:
        for offset in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[offset : offset + 5000])
    # Pictures on the products a search page shows first, so thumbnails are part of the work.
    images = [make_image(f"Photo {i}") for i in range(60)]
    for image in images:  # renditions exist, as they do after a shop's first day
        image.get_rendition("fill-160x160")
    first = list(Product.objects.order_by("name", "id").values_list("pk", flat=True)[:3000])
    with transaction.atomic():
        for index, image in enumerate(images):
            Product.objects.filter(pk__in=first[index :: len(images)]).update(image=image)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a long-running database has
    print(f"created {PRODUCTS:,} products in {time.perf_counter() - start:.1f} s")
    return barcodes


def run() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.common import report, timed

    barcodes = build_catalog()
    User = get_user_model()
    clients = {}
    for username, role in (("cashier", "Cashiers"), ("manager", "Managers")):
        user = User.objects.create_user(username, password=None)
        user.groups.add(Group.objects.get(name=role))
        clients[username] = Client()
        clients[username].force_login(user)

    rng = random.Random(7)
    cases = {
        "barcode lookup (cashier)": (
            "cashier",
            lambda: f"/api/v1/products/by-barcode/{rng.choice(barcodes)}/",
        ),
        "search 'espresso', page 1 (cashier)": (
            "cashier",
            lambda: "/api/v1/products/?search=espresso",
        ),
        "register: 'esp', 60 a page (cashier)": (
            "cashier",
            lambda: "/api/v1/products/?active=true&page_size=60&search=esp",
        ),
        "search SKU prefix, page 1 (cashier)": (
            "cashier",
            lambda: f"/api/v1/products/?search=SKU-0{rng.randint(10, 99)}",
        ),
        "search rare word, page 1 (cashier)": (
            "cashier",
            lambda: "/api/v1/products/?search=hazelnut%20spelt%20mug",
        ),
        "list page 1 (manager, all products)": ("manager", lambda: "/api/v1/products/"),
        "category + low stock, page 1 (manager)": (
            "manager",
            lambda: "/api/v1/products/?category=cat-3&low_stock=true",
        ),
    }
    results = {}
    for label, (who, url) in cases.items():
        client = clients[who]

        def call(client=client, url=url):
            response = client.get(url())
            assert response.status_code == 200, (response.status_code, response.content[:300])

        call()  # the first call makes the thumbnails (renditions); that is not what we measure
        with CaptureQueriesContext(connection) as queries:
            call()
        count = len(queries)  # now: the log is cleared by the requests that follow
        results[label] = {**timed(call, runs=RUNS), "queries": count}
    report("catalog_api", results, products=PRODUCTS)
