"""Database indexes that make product search fast on 100,000 products.

The search itself is plain ORM (`catalog.selectors.search_q`: name contains the term, or SKU /
barcode starts with it). A `LIKE '%term%'` cannot use a B-tree index, so each database gets a
substring index the ORM's queries can use:

* PostgreSQL: indexes on exactly the expressions Django's lookups produce, which the planner
  uses directly: a `pg_trgm` GIN index on `UPPER(name::text)` for `icontains`, and
  `text_pattern_ops` B-trees on `UPPER(sku::text)` and `barcode::text` for the prefixes.
* SQLite: the candidates are collected first, then the exact conditions are applied to them
  only, so the result is the same as without any index, only faster. Names come from an FTS5
  table with the trigram tokenizer (`catalog_product_search`), kept in step with
  `catalog_product` by triggers, so bulk imports and raw updates are covered too; SKU and
  barcode prefixes from B-tree range scans on the unique indexes of `LOWER(sku)` and `barcode`
  (a trigram index is slow for them: every SKU shares its first letters). Terms shorter than
  three characters, and common terms, scan the products in name order instead.

Django's SQLite schema editor rebuilds a table to alter it, which drops its triggers: the
`post_migrate` handler `ensure_search_index` puts them back (and refills the index).
"""

from __future__ import annotations

import json
import logging
import string

from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

logger = logging.getLogger(__name__)

PRODUCT_TABLE = "catalog_product"
FTS_TABLE = "catalog_product_search"
MIN_TERM_LENGTH = 3  # a trigram index needs three characters
# All SQL below is constant text: no value from outside is ever formatted into it.
CREATE_FTS_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_product_search USING fts5(name, tokenize='trigram')"
)
FILL_FTS_TABLE = (
    "INSERT INTO catalog_product_search (rowid, name) SELECT id, name FROM catalog_product"
)
TRIGGERS = {
    "catalog_product_search_insert": """
        CREATE TRIGGER catalog_product_search_insert AFTER INSERT ON catalog_product BEGIN
            INSERT INTO catalog_product_search (rowid, name) VALUES (new.id, new.name);
        END""",
    "catalog_product_search_update": """
        CREATE TRIGGER catalog_product_search_update
        AFTER UPDATE OF name ON catalog_product BEGIN
            DELETE FROM catalog_product_search WHERE rowid = old.id;
            INSERT INTO catalog_product_search (rowid, name) VALUES (new.id, new.name);
        END""",
    "catalog_product_search_delete": """
        CREATE TRIGGER catalog_product_search_delete AFTER DELETE ON catalog_product BEGIN
            DELETE FROM catalog_product_search WHERE rowid = old.id;
        END""",
}
PG_INDEXES = {
    # Substring search in names: trigrams.
    "product_name_trgm": (
        "CREATE INDEX IF NOT EXISTS product_name_trgm ON catalog_product "
        "USING gin (UPPER(name::text) gin_trgm_ops)"
    ),
    # Prefixes (`istartswith`, `startswith`): B-trees that LIKE 'abc%' can range-scan in any
    # collation. Trigrams are slow here: every SKU shares its first letters.
    "product_sku_prefix": (
        "CREATE INDEX IF NOT EXISTS product_sku_prefix ON catalog_product "
        "(UPPER(sku::text) text_pattern_ops)"
    ),
    "product_barcode_prefix": (
        "CREATE INDEX IF NOT EXISTS product_barcode_prefix ON catalog_product "
        "((barcode::text) text_pattern_ops)"
    ),
}
# Indexes earlier versions made, dropped by uninstall() and migration 0004.
OBSOLETE_PG_INDEXES = ("product_sku_trgm", "product_barcode_trgm")
MATCH_SQL = (
    "SELECT rowid FROM catalog_product_search WHERE catalog_product_search MATCH %s LIMIT %s"
)
# Range scans of the unique indexes (LOWER(sku) is the index expression, byte order).
SKU_PREFIX_SQL = (
    "SELECT id FROM catalog_product WHERE lower(sku) >= %s AND lower(sku) < %s LIMIT %s"
)
BARCODE_PREFIX_SQL = "SELECT id FROM catalog_product WHERE barcode >= %s AND barcode < %s LIMIT %s"
JSON_IDS_SQL = "SELECT value FROM json_each(%s)"
# A term with more candidates than this is common: walking the products in name order finds
# a page of matches sooner than fetching and sorting every candidate.
DENSE = 2000
_available: dict[str, bool] = {}


def install(connection) -> None:
    """Create the search index of this database (idempotent; refills the SQLite index)."""
    _available.pop(connection.alias, None)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(CREATE_FTS_TABLE)
            for name, sql in TRIGGERS.items():
                cursor.execute("DROP TRIGGER IF EXISTS " + name)
                cursor.execute(sql)
            cursor.execute("DELETE FROM catalog_product_search")
            cursor.execute(FILL_FTS_TABLE)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name, sql in PG_INDEXES.items():
                if name != "product_name_trgm":
                    cursor.execute(sql)
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute(PG_INDEXES["product_name_trgm"])
        except DatabaseError as error:
            # Search still works without it, by scanning names; say how to get the fast path.
            logger.warning(
                "pg_trgm is not available (%s); product search will scan names. "
                "Run CREATE EXTENSION pg_trgm as a superuser, then migrate again.",
                error,
            )


def uninstall(connection) -> None:
    _available.pop(connection.alias, None)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in TRIGGERS:
                cursor.execute("DROP TRIGGER IF EXISTS " + name)
            cursor.execute("DROP TABLE IF EXISTS catalog_product_search")
        elif connection.vendor == "postgresql":
            for name in (*PG_INDEXES, *OBSOLETE_PG_INDEXES):
                cursor.execute("DROP INDEX IF EXISTS " + name)


def is_complete(connection) -> bool:
    """Whether this database's search index (and, on SQLite, its triggers) exists."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE (type = 'trigger' AND tbl_name = %s) "
                "OR (type = 'table' AND name = %s)",
                [PRODUCT_TABLE, FTS_TABLE],
            )
            names = {row[0] for row in cursor.fetchall()}
            return names >= {FTS_TABLE, *TRIGGERS}
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [PRODUCT_TABLE])
            return {row[0] for row in cursor.fetchall()} >= set(PG_INDEXES)
    return True


def ensure_search_index(sender=None, using: str = "default", **kwargs) -> None:
    """`post_migrate`: re-create what a table rebuild dropped (only if the table exists)."""
    if sender is not None and getattr(sender, "name", "") != "catalog":
        return
    connection = connections[using]
    if PRODUCT_TABLE not in connection.introspection.table_names():
        return
    if not is_complete(connection):
        install(connection)


def _fts_available(connection) -> bool:
    if connection.alias not in _available:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE]
            )
            _available[connection.alias] = cursor.fetchone() is not None
    return _available[connection.alias]


def _prefix_range(prefix: str) -> tuple[str, str]:
    """[low, high) holding every string that starts with `prefix`, in byte order."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


# SQLite's lower() and LIKE fold ASCII letters only; fold the term the same way.
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def candidates_q(term: str, using: str = "default") -> Q:
    """On SQLite, `id IN (ids that may match)`: names containing the term (trigram index),
    SKUs and barcodes starting with it (index ranges). `Q()` (no narrowing) elsewhere, for
    short terms, and for common terms. The ids travel as one JSON parameter, so the page and
    the count that follow do not repeat the index lookups.
    """
    connection = connections[using]
    if connection.vendor != "sqlite" or len(term) < MIN_TERM_LENGTH:
        return Q()
    if not _fts_available(connection):
        return Q()
    phrase = '"' + term.replace('"', '""') + '"'
    ids: set[int] = set()
    with connection.cursor() as cursor:
        lookups = [
            (MATCH_SQL, [phrase]),
            (SKU_PREFIX_SQL, _prefix_range(term.translate(_ASCII_LOWER))),
        ]
        if term.isdigit():
            lookups.append((BARCODE_PREFIX_SQL, _prefix_range(term)))
        for sql, params in lookups:
            cursor.execute(sql, [*params, DENSE])
            ids.update(row[0] for row in cursor.fetchall())
            if len(ids) >= DENSE:
                return Q()
    # noqa below: constant SQL; the ids are one bound parameter.
    return Q(pk__in=RawSQL(JSON_IDS_SQL, [json.dumps(sorted(ids))]))  # noqa: S611  # nosec B611
