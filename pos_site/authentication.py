"""API tokens for clients that are not a browser (label printers, scales, scripts).

The tokens are Wagtail's own (`wagtail.models.APIToken`, managed in the admin under Settings →
API tokens or with `manage.py api_tokens`): shown once at creation, stored only as a keyed
digest, revocable, with a last-used time. This class lets our DRF API accept them.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import APIToken

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`) → the token's user, if active."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send one token as “Authorization: Bearer <token>”."
            )
        raw = parts[1].decode(errors="replace")
        token = None
        if APIToken.validate_token_format(raw):  # garbage never reaches the database
            # Wagtail's resolver: digest lookup (current and fallback secret keys), active
            # user only, last-used time recorded at most once a minute.
            token = BearerTokenAuth().authenticate(request._request, raw)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token (drf-spectacular cannot guess it)."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A Wagtail API token (admin: Settings → API tokens).",
        }
