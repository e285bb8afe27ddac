from django.apps import AppConfig


class SharedConfig(AppConfig):
    """What several apps share, knowing no domain model: paging, text cleaning, full-text
    helpers, the client's address, slugs, labels, old addresses, path converters."""

    name = "shared"
    label = "shared"
    verbose_name = "Shared"
