"""Visitor parts: the pieces of a shared page that differ for each visitor.

A cached page is the same for everyone, but a few things in it are not: the rating form
(with this visitor's CSRF token and their own rating) and flash messages. Such a piece
is left in the page as a placeholder, `<!--visitor:NAME:ARGUMENT-->` (written by the
`{% visitor_part %}` tag), and filled for each request by VisitorPartsMiddleware, cached
page or not. An app registers the function that fills a part with `@visitor_part(NAME)`.
Editors' HTML cannot contain such a comment: the article sanitiser drops comments.
"""

import hashlib
import re
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

PLACEHOLDER = re.compile(r"<!--visitor:([a-z-]+)(?::([0-9A-Za-z_-]*))?-->")
PARTS: dict[str, Callable[[HttpRequest, str], str]] = {}


def visitor_part(name: str):
    """Register `function(request, argument) -> str` to fill `<!--visitor:NAME:ARG-->`."""

    def register(function: Callable) -> Callable:
        PARTS[name] = function
        return function

    return register


def placeholder(name: str, argument: object = "") -> SafeString:
    return mark_safe(f"<!--visitor:{name}:{argument}-->")


def names_in(html: str) -> set[str]:
    """The visitor parts a page has."""
    return {match[1] for match in PLACEHOLDER.finditer(html)}


def fill(
    request: HttpRequest, html: str, *, include: Callable | None = None
) -> tuple[str, bool, bool]:
    """The page with every placeholder filled for this request; whether it showed any
    messages; and whether anything filled in is this visitor's own (messages, a rating
    form): such a page is theirs alone. Given `include(name, argument)`, every part but
    the messages is left to the edge as what that returns (an Edge Side Include,
    pagecache.edge); messages are filled here, as the edge passes a visitor who has some."""
    shows_messages = personal = False

    def part_html(match: re.Match) -> str:
        nonlocal shows_messages, personal
        name, argument = match[1], match[2] or ""
        if include is not None and name in PARTS and name != "messages":
            return include(name, argument)
        part = PARTS.get(name)
        html = part(request, argument) if part else ""
        shows_messages = shows_messages or (name == "messages" and bool(html))
        personal = personal or bool(html)
        return html

    return PLACEHOLDER.sub(part_html, html), shows_messages, personal


# Django's hidden CSRF input: its token is masked afresh for each response.
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+"')


def visitor_etag(request: HttpRequest, content: bytes) -> str:
    """An ETag for a page as this visitor sees it that stays the same while nothing they
    see changes. The masked CSRF token differs in every response, yet any of them is
    good while the visitor's CSRF secret stands, so the secret is hashed in its stead;
    otherwise a page with a rating form could never be answered with a 304."""
    secret = request.META.get("CSRF_COOKIE", "").encode()
    digest = hashlib.sha256(CSRF_INPUT.sub(lambda match: match[1] + secret + b'"', content))
    return f'"{digest.hexdigest()[:32]}"'


@visitor_part("messages")
def messages_part(request: HttpRequest, argument: str) -> str:
    storage = get_messages(request)
    # Counting reads without using them up: reading them would have the messages
    # middleware delete a cookie the visitor never had (a Set-Cookie that shared caches
    # and CDNs refuse to store a page with).
    if not len(storage):
        return ""
    stored = list(storage)
    return render_to_string("includes/messages.html", {"messages": stored}) if stored else ""
