from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
@permission_required("pos.use_register", raise_exception=True)
def register_page(request: HttpRequest) -> HttpResponse:
    return render(request, "pos/register.html")
