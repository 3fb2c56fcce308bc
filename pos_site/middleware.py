from __future__ import annotations

import time

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


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


class IdleSessionMiddleware:
    """Sign out a session that made no request for `SESSION_IDLE_TIMEOUT` seconds.

    A register left signed in on the counter must not stay usable by whoever walks by. The time
    of the last request lives in the session and is rewritten at most once a minute, so a busy
    register does not turn every scan into a session write.
    """

    KEY = "_last_activity"
    RESOLUTION = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = settings.SESSION_IDLE_TIMEOUT
        session = getattr(request, "session", None)
        if timeout and session is not None and SESSION_KEY in session:
            now = int(time.time())
            last = session.get(self.KEY)
            if last is not None and now - last > timeout:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": max(1, timeout // 60)},
                )
            elif last is None or now - last >= self.RESOLUTION:
                session[self.KEY] = now
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, strict everywhere but in Wagtail's own admin screens.

    Wagtail 8's admin templates still carry inline scripts (InlinePanel, date and time pickers)
    and style attributes, so under `/admin/` scripts and styles may also be inline; Swagger UI
    (`/api/docs/`) sets style attributes. Our own admin screens (reports, inventory, receipt
    search, CSV import) run no inline script, so they keep the strict `script-src`: there a
    planted `<script>` would not run even if escaping failed. A browser test keeps it so.
    """

    ADMIN_STYLES = {"style-src": [UNSAFE_INLINE]}  # Wagtail's admin base sets style attributes
    RELAXED = {
        "/admin/": {"script-src": [UNSAFE_INLINE], **ADMIN_STYLES},
        "/api/docs/": ADMIN_STYLES,  # Swagger UI sets style attributes
    }
    # Our admin screens, by URL namespace or name (Wagtail's own reports share /admin/reports/).
    OUR_ADMIN_NAMESPACES = {"analytics", "pos_inventory", "receipts_admin"}
    OUR_ADMIN_VIEWS = {"catalog_products:import", "catalog_products:import_confirm"}

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponse, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if self.is_our_admin_screen(request):
            parts.update = {**self.ADMIN_STYLES, **(parts.update or {})}
            return parts
        for prefix, extra in self.RELAXED.items():
            if request.path_info.startswith(prefix):
                parts.update = {**extra, **(parts.update or {})}
        return parts

    def is_our_admin_screen(self, request: HttpRequest) -> bool:
        match = getattr(request, "resolver_match", None)
        return bool(match) and (
            match.view_name in self.OUR_ADMIN_VIEWS
            or bool(self.OUR_ADMIN_NAMESPACES.intersection(match.namespaces))
        )
