"""The address a request came from, as sign-in throttling (django-axes) counts it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the address the outermost one saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the
    entry TRUSTED_PROXY_COUNT places from the right is the one our own outermost proxy wrote;
    whatever a client put to the left of it is ignored. Without this, behind a proxy every
    client has the proxy's address and one stranger could lock a cashier out of every till.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    return forwarded[-count] if len(forwarded) >= count else remote
