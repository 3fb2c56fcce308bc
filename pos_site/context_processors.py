from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def store(request: HttpRequest) -> dict:
    """The store's name for every page title and header."""
    return {"store_name": settings.POS_STORE_NAME}
