from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"
    # What each of the desk's roles may do with articles (desk/roles.py gathers these):
    # contributors write and submit, and never publish, withdraw or delete.
    desk_roles = {
        "Contributors": ["add_article", "change_article", "view_article", "view_topic"],
        "Editors": ["*"],
        "Administrators": ["*"],
    }
    # The desk's first page shows these panels of work (desk/home.py gathers them).
    desk_home_panels = "articles.home_panels.panels"

    def ready(self):
        from . import signals  # noqa: F401  (connects the page cache housekeeping)
