"""The site as a whole: its own pages, project-wide middleware and system checks."""

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


class WebsiteConfig(AppConfig):
    name = "website"
    verbose_name = "Colophon website"

    def ready(self) -> None:
        checks.register(secret_key_is_set, checks.Tags.security)
