"""The site as a whole: its own pages, project-wide middleware and system checks."""

import os

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

SECRET_KEY_MESSAGE = (
    "SECRET_KEY is not set. Production settings (DEBUG=False) need a secret key: set "
    "SECRET_KEY in the environment or in .env (`make serve` writes one for you)."
)


def secret_key_is_set(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if getattr(settings, "SECRET_KEY_MISSING", False):
        return [
            checks.Warning(
                SECRET_KEY_MESSAGE,
                hint="This command runs on a random key of its own; the site will not serve.",
                id="colophon.W001",
            )
        ]
    return []


def counters_are_shared(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Rate limits count in the cache: a per-process cache under several workers counts
    each worker apart, so a client gets the limit once per worker."""
    backend = settings.CACHES["default"]["BACKEND"]
    workers = int(os.environ.get("WEB_CONCURRENCY", "1") or 1)
    if not settings.DEBUG and workers > 1 and backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                f"The rating limits count in a per-process cache under {workers} workers: "
                "each worker counts apart, so a client may rate that many times the limit.",
                hint="Set CACHE_URL to a shared cache (redis://…).",
                id="colophon.W002",
            )
        ]
    return []


class WebsiteConfig(AppConfig):
    name = "website"
    verbose_name = "Colophon website"

    def ready(self) -> None:
        checks.register(secret_key_is_set, checks.Tags.security)
        checks.register(counters_are_shared, checks.Tags.security)
