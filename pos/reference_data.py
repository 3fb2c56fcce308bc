"""Rows the point of sale cannot work without: a default register and the number counters.

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
