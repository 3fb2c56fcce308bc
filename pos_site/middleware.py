from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class AdminAccessMiddleware:
    """Refuse the Wagtail admin to signed-in users without admin access (cashiers).

    Wagtail itself would bounce them to the login page, which for a signed-in cashier is
    confusing (and with `next=` could loop); a plain 403 page with a way back is clearer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/admin/")
            and user is not None
            and user.is_authenticated
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            return render(request, "403_admin.html", status=403)
        return self.get_response(request)
