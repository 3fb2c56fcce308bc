"""Rows the point of sale cannot work without: a default register, the number counters and
Wagtail's root collection.

Created by migrations and re-created after every `migrate` or `flush` (post_migrate), so a
database emptied by `flush` (or by transactional tests) still has them.
"""

from __future__ import annotations


def ensure_default_register(apps, schema_editor=None) -> None:
    Register = apps.get_model("pos", "Register")
    if not Register.objects.exists():
        Register.objects.create(name="Register 1")


def ensure_counters(apps, schema_editor=None) -> None:
    Counter = apps.get_model("pos", "Counter")
    for name in ("sale", "refund"):
        Counter.objects.get_or_create(name=name)


def ensure_root_collection(apps, schema_editor=None) -> None:
    """Wagtail's root collection, which its migration creates and `flush` deletes: without it
    no collection permission can be granted, and image choosers lose their Upload tab."""
    try:
        Collection = apps.get_model("wagtailcore", "Collection")
    except LookupError:
        return
    if not Collection.objects.filter(depth=1).exists():
        # The row wagtailcore's own migration writes (treebeard path of the first root).
        Collection.objects.create(name="Root", path="0001", depth=1, numchild=0)
