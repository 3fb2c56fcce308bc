"""Writing rows without the ORM's per-object compilation, for the hot paths (checkout).

`QuerySet.bulk_create` compiles its INSERT value by value through the SQL compiler and a
`Model.save()` sends signals and checks for an existing row; in a checkout those two made up a
third of the request. Here the model's own fields still prepare every value
(`pre_save` + `get_db_prep_save`, exactly what `save()` sends), only the statement is built once.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model


def insert_objects(objects: Sequence[Model]) -> None:
    """INSERT unsaved instances of one model with multi-row statements, then set their primary
    keys from `RETURNING` (PostgreSQL, SQLite ≥ 3.35), in order, as `bulk_create` does.

    Sends no signals: only for models nothing listens to (sale rows, stock movements).
    """
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # model metadata only  # noqa: S608  # nosec B608
        quote(meta.db_table), ", ".join(quote(field.column) for field in fields)
    )
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = f" RETURNING {quote(meta.pk.column)}"
    batch = connection.ops.bulk_batch_size(fields, objects) or len(objects)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch):
            chunk = objects[start : start + batch]
            params = [
                field.get_db_prep_save(field.pre_save(obj, True), connection)
                for obj in chunk
                for field in fields
            ]
            cursor.execute(head + ", ".join([row] * len(chunk)) + returning, params)
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias
