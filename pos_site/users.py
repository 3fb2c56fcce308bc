"""The admin's Users screens, with one rule Wagtail leaves out: only an administrator (superuser)
makes or touches an administrator.

Managers may add and edit users (cashiers come and go), but Wagtail's user form offers its
"Administrator" box to anyone who may edit users, and lets them edit an administrator's account
(password included): either would let a manager give themselves every permission. Here a
non-administrator gets the form without that box, and a 403 on an administrator's account;
deleting one is already refused by Wagtail.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.users.views import users


def _without_administrator_box(form, user):
    if not user.is_superuser:
        form.fields.pop("is_superuser", None)
    return form


class CreateView(users.CreateView):
    def get_form(self, form_class=None):
        return _without_administrator_box(super().get_form(form_class), self.request.user)


class EditView(users.EditView):
    def dispatch(self, request, *args, **kwargs):
        if self.object.is_superuser and not request.user.is_superuser:
            raise PermissionDenied("Only an administrator can change an administrator's account.")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return _without_administrator_box(super().get_form(form_class), self.request.user)


class UserViewSet(users.UserViewSet):
    add_view_class = CreateView
    edit_view_class = EditView
