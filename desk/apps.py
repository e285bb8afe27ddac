from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = "Editors’ desk"

    def ready(self) -> None:
        from django.contrib import admin
        from django.db.models.signals import post_migrate

        from .roles import sync_after_migrate

        # Once per migrate; sync_roles makes every app's permissions first.
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="desk-roles")

        admin.site.site_header = "Colophon editors’ desk"
        admin.site.site_title = "Colophon desk"
        admin.site.index_title = "Articles, books and ratings"
