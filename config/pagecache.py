"""Whole public pages in the shared cache, invalidated precisely, with per-visitor parts.

A page is cached as rendered for everyone. What differs per visitor (the rating form with
its CSRF token and "your rating", flash messages) is left in the page as a placeholder,
`<!--visitor:NAME:ARG-->`, which VisitorPartsMiddleware fills for each request, cached
page or not. Editors' HTML cannot contain such a comment: the sanitiser drops comments.

Invalidation is by tags. A view lists what its page shows (`response.cache_tags`:
"article:12", "book:7", "book-list" …); each tag has a version number in the cache,
bumped when what it names changes (see the apps' signals). A cached page is served only
while every one of its tags still has the version it was rendered with, so a change
anywhere shows at once on every app server sharing the cache. A page rendered while
anything changed is not stored (a generation counter tells), so no stale copy is kept.

If the cache is unreachable, pages are rendered as if nothing were cached, with a
warning in the log: never a 500.

With Redis, each process also keeps copies of the finished pages it serves, dropped the
moment Redis reports that any of their keys changed (config/nearcache.py).
"""

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.urls import resolve
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString, mark_safe

from config.nearcache import near_cache

logger = logging.getLogger(__name__)

PAGE_PREFIX = "page:"
TAG_PREFIX = "page-tag:"
GENERATION_KEY = "page-generation"
SITE_TAG = "site"  # every page carries it: bumped by bulk changes (imports, refreshes)

VISITOR_PART = re.compile(r"<!--visitor:([a-z-]+)(?::([0-9A-Za-z_-]*))?-->")
VISITOR_PARTS: dict[str, Callable] = {}


def visitor_part(name: str):
    """Register `function(request, argument) -> str` to fill `<!--visitor:NAME:ARG-->`."""

    def register(function: Callable) -> Callable:
        VISITOR_PARTS[name] = function
        return function

    return register


def placeholder(name: str, argument: object = "") -> SafeString:
    return mark_safe(f"<!--visitor:{name}:{argument}-->")


# --- How long a page may live ------------------------------------------------------------

# Functions giving the seconds until something becomes visible by the clock alone (an
# article scheduled to appear): no write happens then, so no tag is bumped, and every
# page must expire by that moment. Apps register them (articles does, for scheduling).
EXPIRY_LIMITS: list[Callable[[], float | None]] = []


def expiry_limit(function: Callable[[], float | None]) -> Callable[[], float | None]:
    EXPIRY_LIMITS.append(function)
    return function


def _lifetime() -> float:
    limits = [settings.PAGE_CACHE_SECONDS]
    for limit in EXPIRY_LIMITS:
        seconds = limit()
        if seconds is not None:
            limits.append(max(seconds, 1))
    return min(limits)


# --- Tags and their versions -----------------------------------------------------------


def _fresh_version() -> int:
    return time.time_ns()


def bump(*tags: str) -> None:
    """Mark everything tagged with `tags` as changed, once the transaction commits (so no
    other process can cache the old content under the new version)."""
    tags = tuple(tag for tag in tags if tag)

    def now() -> None:
        try:
            _increment([*_held_back(), *tags])
        except Exception:  # noqa: BLE001 - any backend's connection error
            _hold_back(tags)
            logger.warning("Page cache not invalidated for %s: the cache is unavailable.", tags)

    transaction.on_commit(now)


def _increment(tags: Iterable[str]) -> None:
    # The generation first: a page whose render overlapped this change then sees a new
    # generation before it could see a new tag version (see _store).
    for key in [GENERATION_KEY, *(TAG_PREFIX + tag for tag in tags)]:
        try:
            cache.incr(key)
        except ValueError:  # not in the cache (new, or evicted): start afresh
            cache.set(key, _fresh_version(), None)


# Invalidations that could not reach the cache (it was down): pages stored before the
# outage may still be there when it comes back, so these are sent before this process
# uses the cache again. (A process that dies first takes them with it: pages then live
# until they expire or change again.)
_HELD_BACK: set[str] = set()
_HELD_BACK_LIMIT = 1000  # beyond this many tags, everything is invalidated instead
_held_back_lock = threading.Lock()


def _hold_back(tags: Iterable[str]) -> None:
    with _held_back_lock:
        _HELD_BACK.update(tags)
        if len(_HELD_BACK) > _HELD_BACK_LIMIT:
            _HELD_BACK.clear()
            _HELD_BACK.add(SITE_TAG)


def _held_back() -> list[str]:
    with _held_back_lock:
        tags = list(_HELD_BACK)
        _HELD_BACK.clear()
    return tags


def _send_held_back() -> None:
    """Send the invalidations held back while the cache was down; raises if it still is."""
    if not _HELD_BACK:
        return
    tags = _held_back()
    try:
        _increment(tags)
    except Exception:
        _hold_back(tags)
        raise
    logger.info("Page cache invalidated for %d changes made while it was unavailable.", len(tags))


def _versions(tags: Iterable[str]) -> dict[str, int]:
    keys = [TAG_PREFIX + tag for tag in tags]
    found = cache.get_many(keys)
    if len(found) < len(keys):  # tags never bumped yet (or evicted): give them a version
        for key in keys:
            if key not in found:
                cache.add(key, _fresh_version(), None)
        found = cache.get_many(keys)
    return {key.removeprefix(TAG_PREFIX): found.get(key) for key in keys}


def _address(request, params: Iterable[str] = ()) -> str:
    """What a page is cached under: its address with only the query parameters its view
    reads, in a fixed order (`?utm_source=…` and `?b=2&a=1` share the page)."""
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    query = _known_query(request.GET, params)
    return f"{address}?{query.urlencode()}" if query else address


def _known_query(query: QueryDict, params: Iterable[str]) -> QueryDict:
    known = QueryDict(mutable=True)
    for name in sorted(params):
        if name in query:
            known.setlist(name, query.getlist(name))
    known._mutable = False
    return known


def _page_key(address: str) -> str:
    return PAGE_PREFIX + hashlib.sha256(address.encode()).hexdigest()


# --- The decorator ----------------------------------------------------------------------


def tagged(response, *tags: str):
    """Name what the page shows, so the page cache drops it when any of it changes."""
    response.cache_tags = tags
    return response


def tagged_view(view, *tags: str):
    """`view` with its responses tagged: for views written elsewhere (feeds, sitemaps)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return tagged(view(request, *args, **kwargs), *tags)

    return wrapper


def shared_page(view=None, *, params: Iterable[str] = ()):
    """Cache a public GET page for every reader; see the module docstring.

    `params` names the query parameters the view reads; it sees only those, and pages
    differing in anything else are one page."""
    params = tuple(params)
    if view is None:
        return lambda view: shared_page(view, params=params)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        request.GET = _known_query(request.GET, params)
        if not settings.PAGE_CACHE_SECONDS:
            return view(request, *args, **kwargs)
        key = _page_key(_address(request, params))
        generation = None
        try:
            _send_held_back()
            entry = cache.get(key)
            if entry is not None and entry["versions"] == _versions(entry["tags"]):
                return _from_entry(entry)
            generation = cache.get(GENERATION_KEY)
        except Exception:  # noqa: BLE001 - cache down: serve uncached
            logger.warning("Page cache unavailable; %s rendered uncached.", request.path)
            return view(request, *args, **kwargs)

        replica_current = _replica_caught_up()
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if (
            response.status_code == 200
            and not response.streaming
            and replica_current
            and _store(key, response, generation)
        ):
            response.page_cache_key = key
        patch_cache_control(response, no_cache=True)  # browsers revalidate (ETag)
        return response

    wrapper.page_cache_params = params
    return wrapper


def _replica_caught_up() -> bool:
    """With a read replica, whether it has replayed all the primary had committed when
    the generation was read: if not, a page rendered now may miss a change whose bump
    already happened, and must not be stored under the new versions. Two one-row
    queries, made only when a page is about to be rendered for the cache."""
    if "replica" not in settings.DATABASES:
        return True
    from django.db import connections

    return replica_has_replayed(connections["default"], connections["replica"])


def replica_has_replayed(primary, replica) -> bool:
    if primary.vendor != "postgresql" or replica.vendor != "postgresql":
        logger.warning("Cannot tell how far the read replica is behind; page not stored.")
        return False
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        primary_lsn = cursor.fetchone()[0]
    with replica.cursor() as cursor:
        # Not in recovery: it is a primary itself, so nothing to wait for.
        cursor.execute(
            "SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, NOT pg_is_in_recovery())",
            [primary_lsn],
        )
        return bool(cursor.fetchone()[0])


def _store(key: str, response, generation) -> bool:
    tags = sorted({*getattr(response, "cache_tags", ()), SITE_TAG})
    try:
        versions = _versions(tags)
        if cache.get(GENERATION_KEY) != generation:
            return False  # something changed while this page was rendered: don't keep it
        parts = {match[1] for match in VISITOR_PART.finditer(response.content.decode())}
        lifetime = _lifetime()
        entry = {
            "html": response.content,
            "content_type": response["Content-Type"],
            "tags": tags,
            "versions": versions,
            # Nothing but flash messages differs per visitor: the fast path may serve it.
            "for_everyone": parts <= {"messages"},
            "expires_at": time.time() + lifetime,
        }
        cache.set(key, entry, lifetime)
        response.page_cache_versions = versions
        return True
    except Exception:  # noqa: BLE001
        logger.warning("Page cache unavailable; page not stored.")
        return False


class CachedPageMiddleware:
    """The fast path: a cached page that needs nothing from this visitor is answered
    here, as it was finished the first time (security headers, ETag and all), before
    sessions, CSRF, authentication and the view are even looked at: from this process's
    own copy when it holds one (config.nearcache), else from the shared cache.

    Pages with per-visitor parts (or a visitor with pending messages) go on to the view,
    where `shared_page` serves them from the cache and VisitorPartsMiddleware fills in.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # Which tags each page had when last seen here, so that the page and its tags'
        # versions come back from the cache in one round trip (a guess, checked).
        self.known_tags: dict[str, list[str]] = {}

    def __call__(self, request):
        eligible = (
            request.method in ("GET", "HEAD")
            and settings.PAGE_CACHE_SECONDS
            and "messages" not in request.COOKIES
        )
        key = None
        if eligible:
            try:
                _send_held_back()
                address = _address(request, _params_of(request))
                copies = near_cache()
                if copies is not None:
                    final = copies.get(address)
                    if final is not None:
                        return _final_response(request, final)
                    epoch = copies.epoch
                key = _page_key(address)
                entry = self._fresh_entry(key)
                if entry is not None and "final" in entry:
                    if copies is not None:
                        keys = [cache.make_key(TAG_PREFIX + tag) for tag in entry["tags"]]
                        copies.keep(
                            address, epoch, [cache.make_key(key), *keys], entry["final"],
                            entry["expires_at"],
                        )  # fmt: skip
                    return _final_response(request, entry["final"])
            except Exception:  # noqa: BLE001 - the view path logs and carries on
                key = None
        response = self.get_response(request)
        if key is not None and request.method == "GET" and hasattr(response, "page_cache_key"):
            _keep_final(response.page_cache_key, response)
        return response

    def _fresh_entry(self, key: str) -> dict | None:
        tags = self.known_tags.get(key)
        if tags is None:
            entry = cache.get(key)
            versions = _versions(entry["tags"]) if entry is not None else None
        else:
            found = cache.get_many([key, *(TAG_PREFIX + tag for tag in tags)])
            entry = found.get(key)
            if entry is None:
                return None
            if entry["tags"] == tags:
                versions = {tag: found.get(TAG_PREFIX + tag) for tag in tags}
            else:
                versions = _versions(entry["tags"])
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


# Headers that belong to one request or one connection, never to the page.
PER_REQUEST_HEADERS = {
    "set-cookie", "date", "x-request-id", "content-length", "strict-transport-security",
    "vary", "x-page-cache",
}  # fmt: skip


def _keep_final(key: str, response) -> None:
    """Add the finished response (outer middleware's headers, the ETag, the content with
    no messages filled in) to the entry, so the fast path can send it as it is."""
    try:
        entry = cache.get(key)
        if entry is None or not entry.get("for_everyone"):
            return
        if entry["versions"] != getattr(response, "page_cache_versions", None):
            return  # another process stored a newer render meanwhile: leave it be
        entry["final"] = {
            "content": response.content,
            "headers": {
                name: value
                for name, value in response.items()
                if name.lower() not in PER_REQUEST_HEADERS
            },
        }
        remaining = entry["expires_at"] - time.time()
        if remaining > 1:
            cache.set(key, entry, remaining)
    except Exception:  # noqa: BLE001
        logger.warning("Page cache unavailable; page not stored.")


def _final_response(request, final: dict):
    etag = final["headers"].get("ETag")
    if etag and etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
        response["ETag"] = etag
    else:
        response = HttpResponse(final["content"], headers=final["headers"])
    response["X-Page-Cache"] = "hit"
    if request.is_secure() and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        response["Strict-Transport-Security"] = hsts
    return response


def _from_entry(entry):
    response = HttpResponse(entry["html"], content_type=entry["content_type"])
    response["X-Page-Cache"] = "hit"
    patch_cache_control(response, no_cache=True)
    return response


# --- Filling the per-visitor parts --------------------------------------------------------


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

        shows_messages = False

        def fill(match: re.Match) -> str:
            nonlocal shows_messages
            part = VISITOR_PARTS.get(match[1])
            html = part(request, match[2] or "") if part else ""
            shows_messages = shows_messages or (match[1] == "messages" and bool(html))
            return html

        try:
            response.content = VISITOR_PART.sub(fill, response.content.decode()).encode()
        except (OperationalError, InterfaceError) as error:
            # A cached page needs no database, but its visitor parts do.
            from config.middleware import database_unavailable

            return database_unavailable(error)
        if response.status_code == 200 and not shows_messages and not response.has_header("ETag"):
            response["ETag"] = _visitor_etag(request, response.content)
        return response


# Django's hidden CSRF input: its token is masked afresh for each response.
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+"')


def _visitor_etag(request, content: bytes) -> str:
    """An ETag for a page as this visitor sees it that stays the same while nothing they
    see changes. The masked CSRF token differs in every response, yet any of them is
    good while the visitor's CSRF secret stands, so the secret is hashed in its stead;
    otherwise a page with a rating form could never be answered with a 304."""
    secret = request.META.get("CSRF_COOKIE", "").encode()
    digest = hashlib.sha256(CSRF_INPUT.sub(lambda match: match[1] + secret + b'"', content))
    return f'"{digest.hexdigest()[:32]}"'


@visitor_part("messages")
def messages_part(request, argument: str) -> str:
    from django.contrib.messages import get_messages
    from django.template.loader import render_to_string

    stored = list(get_messages(request))
    return render_to_string("includes/messages.html", {"messages": stored}) if stored else ""
