"""`wagtail.users` with our Users screens (pos_site/users.py): INSTALLED_APPS names this config.

Kept apart from the views, which can only be imported once the apps are loaded.
"""

from wagtail.users.apps import WagtailUsersAppConfig


class UsersConfig(WagtailUsersAppConfig):
    user_viewset = "pos_site.users.UserViewSet"
