"""The three staff roles and what each may do.

Roles are Django groups. This module is the one place that says which permissions each
group holds; a data migration creates the groups and `post_migrate` re-applies the matrix,
so permissions of models added later land in the groups too.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.management import create_permissions

CASHIERS = "Cashiers"
MERCHANDISERS = "Merchandisers"
MANAGERS = "Managers"
ROLE_NAMES = (CASHIERS, MERCHANDISERS, MANAGERS)


def _crud(app_label: str, *models: str, actions=("add", "change", "delete", "view")) -> list:
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


CATALOG_READ = _crud("catalog", "product", "category", "taxrate", actions=("view",))
CATALOG_EDIT = _crud("catalog", "product", "category", "taxrate")
IMAGES_EDIT = ["wagtailimages.add_image", "wagtailimages.change_image"]
IMAGES_EDIT += ["wagtailimages.delete_image", "wagtailimages.choose_image"]
RECEIPT_TEMPLATES_EDIT = _crud("receipts", "receipttemplate")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    CASHIERS: ["pos.use_register", *CATALOG_READ],
    MERCHANDISERS: [
        "wagtailadmin.access_admin",
        *CATALOG_EDIT,
        *IMAGES_EDIT,
        *RECEIPT_TEMPLATES_EDIT,
        "pos.view_stockmovement",  # stock history of a product (quantities, no amounts)
    ],
    MANAGERS: [
        "wagtailadmin.access_admin",
        *CATALOG_EDIT,
        *IMAGES_EDIT,
        *RECEIPT_TEMPLATES_EDIT,
        "pos.use_register",
        "pos.apply_discount",
        "pos.refund_sale",
        "pos.void_sale",
        *_crud("pos", "register"),
        "pos.view_sale",
        "pos.view_refund",
        "pos.view_shift",
        "pos.change_shift",
        "pos.view_stockmovement",
        "pos.add_stockmovement",
        "pos.view_lowstockalert",
        "store.change_storesettings",
        "store.view_storesettings",
        "analytics.view_reports",
        *_crud("auth", "user"),
        "auth.view_group",
        *_crud("wagtailcore", "apitoken"),  # Settings → API tokens, for non-superusers
    ],
}

# Wagtail grants image permissions per collection; these are granted on the root collection.
COLLECTION_PERMISSIONS = {"wagtailimages"}


def sync_role_permissions(apps) -> None:
    """Create the role groups and give each the permissions of ROLE_PERMISSIONS (add only).

    `apps` is a migration's historical registry or the live one; permissions of models
    that do not exist yet are skipped and added by a later run.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    try:
        Collection = apps.get_model("wagtailcore", "Collection")
        GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    except LookupError:
        Collection = GroupCollectionPermission = None
    root = Collection.objects.filter(depth=1).first() if Collection else None

    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                continue
            if app_label in COLLECTION_PERMISSIONS:
                if root is not None:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root, permission=permission
                    )
            else:
                group.permissions.add(permission)


def create_roles(apps, schema_editor) -> None:
    """Data-migration entry point: make sure permissions exist, then build the groups."""
    from django.apps import apps as global_apps

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0)
    sync_role_permissions(apps)


def sync_roles_after_migrate(sender, apps=None, **kwargs) -> None:
    """post_migrate handler (also sent by `flush`, without `apps`)."""
    from django.apps import apps as global_apps

    from .reference_data import ensure_counters, ensure_default_register, ensure_root_collection

    # post_migrate fires once per app, in INSTALLED_APPS order: the permissions of apps
    # listed after this one do not exist yet, so create_roles creates them all first.
    if sender.name == "pos":
        apps = apps or global_apps
        ensure_root_collection(apps)
        create_roles(apps, None)
        ensure_default_register(apps)
        ensure_counters(apps)


def role_of(user: AbstractBaseUser) -> str | None:
    """The role name a user acts in (superusers count as managers); None for no role."""
    if user.is_superuser:
        return MANAGERS
    names = set(user.groups.values_list("name", flat=True))
    for role in (MANAGERS, MERCHANDISERS, CASHIERS):
        if role in names:
            return role
    return None


def landing_url(user: AbstractBaseUser) -> str:
    """Where a user goes after login: cashiers to the register, admin users to the admin."""
    if user.has_perm("wagtailadmin.access_admin"):
        return "/admin/"
    if user.has_perm("pos.use_register"):
        return "/register/"
    return "/no-role/"
