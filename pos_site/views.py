"""Project-level pages: where `/` sends each person, and the one login page for everybody."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pos.roles import landing_url


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous → login; cashiers → the register; merchandisers, managers → the admin."""
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(landing_url(request.user))


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout answer: the sign-in page's look, a plain sentence, HTTP 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


def no_role(request: HttpRequest) -> HttpResponse:
    """A signed-in account that belongs to no role yet."""
    return render(request, "no_role.html", status=403)
