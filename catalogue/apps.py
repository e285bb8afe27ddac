from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue"
    # What each of the desk's roles may do with the catalogue (desk/roles.py gathers these):
    # contributors see books, authors, subjects and reading lists, to embed them, and
    # change none.
    desk_roles = {
        "Contributors": [
            "view_book",
            "view_author",
            "view_subject",
            "view_readinglist",
            "view_readinglistitem",
        ],
        "Editors": ["*"],
        "Administrators": ["*"],
    }
    # The desk's first page shows these panels of work (desk/home.py gathers them).
    desk_home_panels = "catalogue.home_panels.panels"

    def ready(self):
        # Connect the page cache housekeeping.
        from . import list_signals, signals  # noqa: F401
