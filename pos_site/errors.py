"""Errors raised by services; the API turns them into `{"detail", "code"}` responses."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused operation. The message is plain words a cashier or manager can act on."""

    status_code = 400

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


class NotFoundError(ServiceError):
    status_code = 404


class PermissionDeniedError(ServiceError):
    status_code = 403


class ConflictError(ServiceError):
    """The request is valid but the state forbids it (stock ran out, key reused, ...)."""

    status_code = 409
