"""Project-wide API plumbing: one error format for every endpoint."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .errors import ServiceError

logger = logging.getLogger(__name__)


def _first_message(data) -> str:
    if isinstance(data, dict):
        for key, value in data.items():
            message = _first_message(value)
            if message:
                if key in ("detail", "non_field_errors", "__all__"):
                    return message
                return f"{key}: {message}"
    elif isinstance(data, list):
        for item in data:
            message = _first_message(item)
            if message:
                return message
    elif data:
        return str(data)
    return ""


def exception_handler(exc, context):
    """Errors as `{"detail": "...", "code": "..."}`, plus `errors` for field errors."""
    if isinstance(exc, ServiceError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    if isinstance(exc, OperationalError | InterfaceError):
        # The database went away (restart, failover, a dropped connection). The transaction was
        # rolled back; the client retries, and idempotency keys make the retry safe.
        logger.exception("Database unavailable during %s", context["request"].path)
        set_rollback()
        return Response(
            {
                "detail": "The database could not be reached; nothing was changed. "
                "Try again in a moment.",
                "code": "database_unavailable",
            },
            status=503,
            headers={"Retry-After": "2"},
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data
        response.data = {"detail": _first_message(errors) or "Invalid input.", "code": "invalid"}
        if isinstance(errors, dict):
            response.data["errors"] = errors
        return response
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    response.data = {
        # Django's bare Http404 has no message; DRF's answer then says "Not found."
        "detail": _first_message(getattr(exc, "detail", ""))
        or str(exc)
        or _first_message(response.data),
        "code": code if isinstance(code, str) else "error",
    }
    return response


def public_endpoints_only(endpoints):
    """drf-spectacular hook: document /api/v1/ only, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
