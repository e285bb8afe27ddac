"""`{% site_url "articles:feed" %}`: the address of a page that takes no arguments (the
site's header and footer links), worked out once per URLconf and script prefix rather
than on every page: Django's `{% url %}` reverses each time, about a tenth of an
article page's work when the page cache misses. `{% site_static "css/site.css" %}`: the
address of one of the site's own files, as `{% static %}` gives it, worked out once
while the static files' settings stay as they are (a manifest's lookup and a URL join,
each time, in `{% static %}`)."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString

register = template.Library()

# Where the URLconf and script prefix in force are kept for the rest of one page's
# render: each is a context variable, read under a lock (3 µs), and a page has 8 links.
PLACE_IN_RENDER = object()
# The settings a static file's address is made from (django.test.signals resets the
# storage for the first three).
STATIC_SETTINGS = frozenset({"STORAGES", "STATIC_ROOT", "STATIC_URL", "DEBUG", "INSTALLED_APPS"})


@lru_cache(maxsize=256)
def _reversed(name: str, urlconf: str, prefix: str) -> SafeString:
    # Escaped here, once: the tag's output is then written as it is.
    return escape(reverse(name, urlconf=urlconf))


@register.simple_tag(takes_context=True)
def site_url(context, name: str) -> SafeString:
    # The prefix is part of the key (a site mounted under /colophon/ names it in its
    # links), and so is the URLconf in force (a request's own, or the settings').
    place = context.render_context.get(PLACE_IN_RENDER)
    if place is None:
        place = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
        context.render_context[PLACE_IN_RENDER] = place
    return _reversed(name, *place)


@lru_cache(maxsize=64)
def _static_address(path: str) -> SafeString:
    return escape(static(path))


@receiver(setting_changed)
def forget_static_addresses(*, setting, **kwargs) -> None:
    if setting in STATIC_SETTINGS:
        _static_address.cache_clear()


@register.simple_tag
def site_static(path: str) -> SafeString:
    """`{% static path %}`, for a path spelled in the template (a file of the site's)."""
    return _static_address(path)
