from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue"
    # What each of the desk's roles may do with the catalogue (desk/roles.py gathers these):
    # contributors see books, authors and subjects, to embed books, and change none.
    desk_roles = {
        "Contributors": ["view_book", "view_author", "view_subject"],
        "Editors": ["*"],
        "Administrators": ["*"],
    }

    def ready(self):
        from . import signals  # noqa: F401  (connects the page cache housekeeping)
