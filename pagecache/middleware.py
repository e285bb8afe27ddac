"""The page cache's two middleware: the fast path in front, the visitor parts inside."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import resolve

from . import store, visitor_parts
from .localcopies import local_copies
from .versions import TAG_PREFIX, send_pending

logger = logging.getLogger(__name__)

DATABASE_RETRY_SECONDS = 30


def database_unavailable(error: Exception) -> HttpResponse:
    """The site's styled 503 with Retry-After (website's middleware answers views' database
    errors with it too)."""
    logger.error("Database unavailable: %s", error, exc_info=error)
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_SECONDS)
    return response


class CachedPageMiddleware:
    """The fast path: a cached page that needs nothing from this visitor is answered
    here, as it was finished the first time (security headers, ETag and all), before
    sessions, CSRF, authentication and the view are even looked at: from this process's
    local copy when it holds one (pagecache.localcopies), else from the shared cache.

    Pages with visitor parts (or a visitor with pending messages) go on to the view,
    where `shared_page` serves them from the cache and VisitorPartsMiddleware fills in.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # Which tags each page had when last seen here, so that the page and its tags'
        # versions come back from the cache in one round trip (a guess, checked).
        self.known_tags: dict[str, list[str]] = {}

    def __call__(self, request):
        store.spell_host_normally(request)
        eligible = (
            request.method in ("GET", "HEAD")
            and settings.PAGE_CACHE_SECONDS
            and "messages" not in request.COOKIES
        )
        key = None
        if eligible:
            try:
                send_pending()
                address = store.page_address(request, _params_of(request))
                copies = local_copies()
                if copies is not None:
                    finished = copies.get(address)
                    if finished is not None:
                        return store.finished_response(request, finished)
                    epoch = copies.epoch
                key = store.page_key(address)
                entry = self._entry_for_everyone(key)
                if entry is not None and "finished" in entry:
                    if copies is not None:
                        keys = [cache.make_key(TAG_PREFIX + tag) for tag in entry["tags"]]
                        copies.keep(
                            address, epoch, [cache.make_key(key), *keys], entry["finished"],
                            entry["expires_at"],
                        )  # fmt: skip
                    return store.finished_response(request, entry["finished"])
            except Exception:  # noqa: BLE001 - the view path logs and carries on
                key = None
        response = self.get_response(request)
        if key is not None and request.method == "GET" and hasattr(response, "page_cache_key"):
            store.keep_finished(response.page_cache_key, response)
        return response

    def _entry_for_everyone(self, key: str) -> dict | None:
        """The entry, if it is fresh and needs nothing from the visitor."""
        entry, versions = store.entry_and_versions(key, self.known_tags.get(key))
        if entry is None or not entry.get("for_everyone"):
            return None
        if len(self.known_tags) > 10_000:
            self.known_tags.clear()
        self.known_tags[key] = entry["tags"]
        return entry if entry["versions"] == versions else None


def _params_of(request) -> tuple[str, ...]:
    """The query parameters the page's view reads (see shared_page); none if the address
    has no query (the usual case, where resolving would be wasted)."""
    if not request.META.get("QUERY_STRING"):
        return ()
    return getattr(resolve(request.path_info).func, "page_cache_params", ())


class VisitorPartsMiddleware:
    """Fills each `<!--visitor:…-->` placeholder for this request (cached page or not).

    Listed after the CSRF and messages middleware, so it can hand out tokens and take
    the messages it shows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or b"<!--visitor:" not in response.content
        ):
            return response
        try:
            html, shows_messages = visitor_parts.fill(request, response.content.decode())
        except (OperationalError, InterfaceError) as error:
            # A cached page needs no database, but its visitor parts do.
            return database_unavailable(error)
        response.content = html.encode()
        if response.status_code == 200 and not shows_messages and not response.has_header("ETag"):
            response["ETag"] = visitor_parts.visitor_etag(request, response.content)
        return response
