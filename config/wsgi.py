"""WSGI entry point, used by gunicorn (`make serve`)."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - after the application set Django up

if settings.SECRET_KEY_MISSING:
    # Each worker would sign sessions and CSRF cookies with its own random key.
    from website.apps import SECRET_KEY_MESSAGE

    raise ImproperlyConfigured(SECRET_KEY_MESSAGE)
