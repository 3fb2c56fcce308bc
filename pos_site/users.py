"""The admin's Users screens, with one rule Wagtail leaves out: only an administrator (superuser)
makes or touches an administrator.

Managers may add and edit users (cashiers come and go), but Wagtail's user form offers its
"Administrator" box to anyone who may edit users, and lets them edit an administrator's account
(password included): either would let a manager give themselves every permission. Here a
non-administrator gets the form without that box, and a 403 on an administrator's account;
deleting one is already refused by Wagtail.

A user who has rung up sales, opened shifts or moved stock cannot be deleted: those records keep
who did them (protected keys). Wagtail would answer that with a server error; here the delete
explains it and points to deactivating the account instead.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.shortcuts import redirect
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


class DeleteView(users.DeleteView):
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                f"{self.object} cannot be deleted: their sales, shifts and stock movements keep "
                "their name. Untick “Active” on the account instead; they can no longer sign in.",
            )
            return redirect("wagtailusers_users:edit", self.object.pk)


class UserViewSet(users.UserViewSet):
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView
