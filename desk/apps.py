from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class DeskConfig(AppConfig):
    default = True  # `desk` in INSTALLED_APPS; the admin's config below is named apart
    name = "desk"
    verbose_name = "Editors’ desk"
    # Administrators manage people: accounts and groups (auth), lockouts (axes).
    desk_roles = {"Administrators": ["auth.*", "axes.*"]}

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import sync_after_migrate

        # Once per migrate; sync_roles makes every app's permissions first.
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="desk-roles")


class DeskAdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by the desk's site (desk/sites.py)."""

    default = False
    default_site = "desk.sites.DeskAdminSite"
