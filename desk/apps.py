from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = "Editors’ desk"

    def ready(self) -> None:
        from django.contrib import admin

        admin.site.site_header = "Colophon editors’ desk"
        admin.site.site_title = "Colophon desk"
        admin.site.index_title = "Articles, books and ratings"
