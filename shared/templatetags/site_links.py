"""`{% site_url "articles:feed" %}`: the address of a page that takes no arguments (the
site's header and footer links), worked out once per URLconf and script prefix rather
than on every page: Django's `{% url %}` reverses each time, about a tenth of an
article page's work when the page cache misses."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@lru_cache(maxsize=256)
def _reversed(name: str, urlconf: str, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def site_url(name: str) -> str:
    # The prefix is part of the key (a site mounted under /colophon/ names it in its
    # links), and so is the URLconf in force (a request's own, or the settings').
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(name, urlconf, get_script_prefix())
