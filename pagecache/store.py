"""Pages in the shared cache: what a page is stored under, what is stored, for how long.

An entry holds the page as rendered (placeholders for the visitor parts left in), the
tags it carries with the versions they had (pagecache.versions), and, once it has been
sent, the *finished response*: the bytes and headers the outer middleware produced, so
that a page needing nothing from the visitor can be sent again as it is.
"""

import hashlib
import json
import logging
import re
import socket
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from functools import cache as memoize
from functools import lru_cache
from importlib.metadata import distributions
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.http.request import split_domain_port
from django.utils.cache import patch_cache_control

from . import visitor_parts
from .tags import SITE
from .versions import CHANGES_KEY, TAG_PREFIX, fresh_version, versions_of

logger = logging.getLogger(__name__)

# "v3": the host's port is part of the address (v2 stored every port's page under the
# portless one), and tags are named as in pagecache/tags.py: a page stored under an older
# scheme is never looked up again (its links could name another port than its key).
PAGE_PREFIX = "page:v3:"
PAGE_PARAM = "page"
SOURCE_SUFFIXES = (".py", ".html", ".txt", ".xml")  # what code_version reads
# How many query pages (store.is_query_page) may be stored per window of
# PAGE_CACHE_QUERY_SECONDS, each kept at most that long: at most twice as many live.
QUERY_BUDGET_KEY = "page-query-budget:"
DEFAULT_PORTS = {"http": "80", "https": "443"}

# --- What a page is stored under ---------------------------------------------------------

# Where spell_host_normally keeps the Host as the client sent it, when it respelled it.
HOST_AS_SENT = "colophon.host_as_sent"
# A port as a server or a proxy states it: digits, nothing else.
PORT_NUMBER = re.compile(r"[0-9]{1,5}")


def normal_spelling(host: str, scheme: str) -> str:
    """`host` in lower case, without a trailing dot or the scheme's default port
    (`EXAMPLE.COM.:80` is `example.com`); a port of any other number is kept, since the
    page's links would name it. An invalid Host comes back as it is."""
    domain, port = split_domain_port(host)
    if not domain:
        return host
    if port == DEFAULT_PORTS.get(scheme):
        port = ""
    return f"{domain}:{port}" if port else domain


def spell_host_normally(request: HttpRequest) -> None:
    """Write the request's Host in its normal spelling before anything reads it, so the
    page's own links (canonical, JSON-LD) are spelled as its key is; the Host as sent is
    kept in META[HOST_AS_SENT]. An invalid Host is left for Django to refuse."""
    host = request.META.get("HTTP_HOST")
    if host is None:
        return
    normal = normal_spelling(host, request.scheme)
    if normal != host:
        request.META[HOST_AS_SENT] = host
        request.META["HTTP_HOST"] = normal


def may_be_stored_for_its_host(request: HttpRequest) -> bool:
    """Whether a page rendered for this request may be stored. Its key names the host
    with its port, so what is stored always matches its key; what bounds the entries per
    page is which hosts may store one: a Host sent in its normal spelling, naming a host
    ALLOWED_HOSTS lists by name (a name matched only by a pattern, `.example.com` or
    `*`, is served uncached: its names are endless), and no port or one the request
    really came in on. Any other spelling is served, never stored."""
    sent = request.META.get(HOST_AS_SENT) or request.get_host()
    host = normal_spelling(sent, request.scheme)
    if sent != host:
        return False
    domain, port = split_domain_port(host)
    if domain not in listed_host_names():
        return False
    return not port or port in ports_reached(request)


def listed_host_names() -> set[str]:
    """The names ALLOWED_HOSTS lists literally; `.example.com` names `example.com` itself
    (and a pattern for its subdomains, which is not a name)."""
    names = set()
    for pattern in settings.ALLOWED_HOSTS:
        name = pattern.lower().removeprefix(".").removesuffix(".")
        if name and name != "*":
            names.add(name)
    return names


def ports_reached(request: HttpRequest) -> set[str]:
    """The ports this request came in on: the one the server listens on (SERVER_PORT,
    unless the server made it up from the Host, as gunicorn does on a unix socket), and
    behind TRUSTED_PROXIES the one the proxy says it listens on (X-Forwarded-Port, which
    the front must set itself, overwriting a client's: deploy/varnish/colophon.vcl)."""
    ports = set()
    server_port = request.META.get("SERVER_PORT", "")
    if PORT_NUMBER.fullmatch(server_port) and not on_unix_socket(request):
        ports.add(server_port)
    forwarded = request.META.get("HTTP_X_FORWARDED_PORT", "").strip()
    if settings.TRUSTED_PROXIES > 0 and PORT_NUMBER.fullmatch(forwarded):
        ports.add(forwarded)
    return ports


def on_unix_socket(request: HttpRequest) -> bool:
    connection = request.META.get("gunicorn.socket")
    return getattr(connection, "family", None) == socket.AF_UNIX


def page_address(request: HttpRequest, params: Iterable[str] = ()) -> str:
    """Its address with only the query parameters its view reads, in a fixed order
    (`?utm_source=…` and `?b=2&a=1` share the page), and its host in its normal spelling
    (`LOCALHOST.:80` is `localhost`; a port other than the scheme's is kept, since the
    page's links name it). Under a script name (a site mounted under a path) the script
    name and the path within the site are told apart: `/about` + `/` (the home page) is
    not `/about/` (the about page), whoever set the script name."""
    host = normal_spelling(request.get_host(), request.scheme)
    address = f"{request.scheme}://{host}{request.path}"
    if script_name := request.META.get("SCRIPT_NAME", ""):
        address = json.dumps([address, script_name, request.path_info])
    query = known_query(request.GET, params)
    return f"{address}?{query.urlencode()}" if query else address


def known_query(query: QueryDict, params: Iterable[str]) -> QueryDict:
    """The query parameters the view reads, and only those, in one spelling each: spaces
    folded, blanks dropped, a page number without leading zeros (page 1 is no page), so
    `?page=001`, `?page=1&q=` and `?` are one page, not three."""
    known = QueryDict(mutable=True)
    for name in sorted(params):
        values = [" ".join(value.split()) for value in query.getlist(name)]
        if name == PAGE_PARAM:
            values = [value.lstrip("0") or "0" if value.isdigit() else value for value in values]
            values = [value for value in values if value != "1"]
        values = [value for value in values if value]
        if values:
            known.setlist(name, values)
    # Read-only, as Django's own request.GET (the view sees it as that).
    return QueryDict(known.urlencode())


def is_query_page(query: QueryDict) -> bool:
    """A page of search results or filtered lists: anything but a plain page number.
    Readers can ask for endlessly many; they get a capped share of the cache."""
    return any(name != PAGE_PARAM for name in query)


@memoize
def code_version() -> str:
    """A digest of the project's own code, templates and migrations (a data migration
    may change what parts show without a signal) and of the installed libraries'
    versions (a new sanitiser or Django renders otherwise): pages and fragments
    rendered by another deploy are never looked up."""
    base = Path(settings.BASE_DIR).resolve()
    roots = {
        Path(directory).resolve()
        for engine in settings.TEMPLATES
        for directory in engine.get("DIRS", [])
    }
    roots |= {Path(config.path).resolve() for config in apps.get_app_configs()}
    roots = {root for root in roots if root.is_relative_to(base) and ".venv" not in root.parts}
    digest = hashlib.sha256()
    for root in sorted(roots):
        for path in sorted(root.rglob("*")):
            if path.suffix in SOURCE_SUFFIXES:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    libraries = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in distributions())
    digest.update("\n".join([sys.version, *libraries]).encode())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=16)
def _variant_of(values: str) -> str:
    return f"{code_version()}:{hashlib.sha256(values.encode()).hexdigest()[:12]}"


def page_variant() -> str:
    """What a page's key carries besides its address: the deploy (code_version) and the
    settings that change what pages show (PAGE_CACHE_VARIES_WITH, e.g. the affiliate
    codes): a page stored by another deploy, or before a restart with other values, is
    never served."""
    names = getattr(settings, "PAGE_CACHE_VARIES_WITH", ())
    return _variant_of(repr([getattr(settings, name, None) for name in names]))


def page_key(address: str) -> str:
    return PAGE_PREFIX + hashlib.sha256(f"{page_variant()} {address}".encode()).hexdigest()


# --- How long a page may live ------------------------------------------------------------

# Functions giving the seconds until something becomes visible by the clock alone (an
# article scheduled to appear): no write happens then, so nothing is invalidated, and
# every page must expire by that moment. Apps register them with @expiry_limit.
EXPIRY_LIMITS: list[Callable[[], float | None]] = []


def expiry_limit(function: Callable[[], float | None]) -> Callable[[], float | None]:
    EXPIRY_LIMITS.append(function)
    return function


# When the next change by the clock is due, kept in the shared cache with the change
# counter it was worked out under: any write that could move it (an article scheduled)
# invalidates something, which moves the counter on, so it is worked out again then, or
# once that moment has passed. A page stored, a fragment kept, asks no query for it.
NEXT_CHANGE_KEY = "page-next-change"


def next_change(found: dict | None = None) -> float | None:
    """Seconds until the next change by the clock alone, if one is scheduled. `found`:
    the counter and NEXT_CHANGE_KEY, when the caller read them already."""
    now = time.time()
    if found is None:
        try:
            found = cache.get_many([CHANGES_KEY, NEXT_CHANGE_KEY])
        except Exception:  # noqa: BLE001 - any backend's connection error
            found = {}
    counter, kept = found.get(CHANGES_KEY), found.get(NEXT_CHANGE_KEY)
    if counter is None:
        # Nothing invalidated yet (a new cache): a counter to keep the answer under (and
        # for the caller's render to be checked against: see store_page).
        with suppress(Exception):
            cache.add(CHANGES_KEY, fresh_version(), None)
            counter = found[CHANGES_KEY] = cache.get(CHANGES_KEY)
    if counter is not None and kept is not None and kept["counter"] == counter:
        due = kept["due"]
        if due is None or due > now:
            return max(due - now, 1) if due is not None else None
    # The counter was read first: a change committed after it leaves this one unused.
    found = [seconds for seconds in (limit() for limit in EXPIRY_LIMITS) if seconds is not None]
    change_in = max(min(found), 1) if found else None
    if counter is not None:
        due = now + change_in if change_in is not None else None
        with suppress(Exception):  # any backend's connection error: worked out next time
            cache.set(NEXT_CHANGE_KEY, {"counter": counter, "due": due}, None)
    return change_in


def next_change_due(found: dict | None = None) -> float | None:
    """The time (time.time()) of the next change by the clock, if one is scheduled."""
    change_in = next_change(found)
    return time.time() + change_in if change_in is not None else None


def lifetime() -> float:
    return kept_for(next_change())


def kept_for(change_in: float | None) -> float:
    """Seconds a page may be kept, the next change by the clock being `change_in` away."""
    if change_in is None:
        return settings.PAGE_CACHE_SECONDS
    return min(settings.PAGE_CACHE_SECONDS, change_in)


# --- Storing a page ----------------------------------------------------------------------


def replica_caught_up() -> bool:
    """With a read replica, whether it has replayed all the primary had committed when
    the change counter was read: if not, a page rendered now may miss a change already
    invalidated, and must not be stored under the new versions. Two one-row queries,
    made only when a page is about to be rendered for the cache."""
    if "replica" not in settings.DATABASES:
        return True
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


def within_query_budget(counter: str = QUERY_BUDGET_KEY) -> bool:
    """Whether another query page may be stored in this window (one INCR); `counter`:
    another count of the same budget, for what else a query keeps."""
    window = settings.PAGE_CACHE_QUERY_SECONDS
    key = f"{counter}{int(time.time() // window)}"
    if cache.add(key, 1, window * 2):
        return True
    return cache.incr(key) <= settings.PAGE_CACHE_QUERY_PAGES


def store_page(
    key: str,
    response: HttpResponse,
    changes_before,
    *,
    due=...,
    query_page=False,
    finished_later=False,
    versions_read: dict[str, int] | None = None,
) -> bool:
    """Keep the rendered page under `key`, unless anything changed since the render
    began (the change counter then differs from `changes_before`), at most until `due`,
    the time of the next change by the clock as it stood when the render began
    (next_change_due; None: none scheduled): a page rendered just before an article
    goes live and stored just after would otherwise be kept until the one after. A
    query page is kept briefly, and only while the window's budget lasts, so no flood
    of distinct searches can grow the cache without bound.

    `finished_later`: the outer middleware will store it with its finished response
    (keep_finished), in one write instead of two; until then only `response` holds it.
    `versions_read`: versions of some of its tags read before the render began (by its
    kept parts): it is stored under those, and only the others are read now."""
    tags = sorted({*getattr(response, "cache_tags", ()), SITE})
    try:
        if query_page and not within_query_budget():
            return False
        # The tags' versions and the change counter, in one round trip.
        versions = {tag: versions_read[tag] for tag in tags if tag in (versions_read or ())}
        unread = [tag for tag in tags if tag not in versions]
        keys = [TAG_PREFIX + tag for tag in unread]
        found = cache.get_many([*keys, CHANGES_KEY])
        if all(key in found for key in keys):
            versions.update({tag: found[key] for tag, key in zip(unread, keys, strict=True)})
        else:  # tags never invalidated yet (or evicted)
            versions.update(versions_of(unread))
        versions = {tag: versions[tag] for tag in tags}
        # No counter when the render began (none could be made, or it was evicted at
        # once): nothing tells whether a change came since, so the render is not kept.
        if changes_before is None or found.get(CHANGES_KEY) != changes_before:
            return False
        parts = visitor_parts.names_in(response.content.decode())
        if due is ...:
            due = next_change_due()
        change_in = due - time.time() if due is not None else None
        if change_in is not None and change_in < 1:  # its change came during the render
            return False
        seconds = kept_for(change_in)
        if query_page:
            seconds = min(seconds, settings.PAGE_CACHE_QUERY_SECONDS)
        entry = {
            "html": response.content,
            "content_type": response["Content-Type"],
            "tags": tags,
            "versions": versions,
            # Nothing but flash messages differs per visitor: the fast path may serve it.
            "for_everyone": parts <= {"messages"},
            "expires_at": time.time() + seconds,
            # No edge serves it stale past this (pagecache.edge.share): no purge comes then.
            "changes_at": time.time() + change_in if change_in is not None else None,
        }
        if finished_later:
            response.page_cache_unstored = True
        else:
            cache.set(key, entry, seconds)
        response.page_cache_entry = entry
        return True
    except Exception:  # noqa: BLE001
        logger.warning("Page cache unavailable; page not stored.")
        return False


def entry_versions_and_counter(key: str) -> tuple[dict | None, dict | None, dict]:
    """The entry under `key`, its tags' current versions, and what a render must read
    before it begins (see store_page): the change counter (`found[CHANGES_KEY]`) and the
    next change (for next_change_due), all but the versions in one round trip."""
    return entry_and_versions(key, None)


def entry_and_versions(
    key: str, known_tags: list[str] | None
) -> tuple[dict | None, dict | None, dict]:
    """The entry under `key`, its tags' current versions (it is fresh while they are the
    versions it was stored with), and the change counter and next change a render would
    need (see entry_versions_and_counter). Given the tags the entry had last time (a
    guess, checked), all of it comes in one round trip."""
    tag_keys = [TAG_PREFIX + tag for tag in known_tags or ()]
    found = cache.get_many([key, CHANGES_KEY, NEXT_CHANGE_KEY, *tag_keys])
    entry = found.pop(key, None)
    versions = None
    if entry is not None:
        if entry["tags"] == known_tags:
            versions = {tag: found.get(TAG_PREFIX + tag) for tag in known_tags}
        else:
            versions = versions_of(entry["tags"])
    return entry, versions, found


# Headers that belong to one request or one connection, never to the page.
PER_REQUEST_HEADERS = {
    "set-cookie", "date", "x-request-id", "content-length", "strict-transport-security",
    "vary", "x-page-cache",
}  # fmt: skip


def keep_finished(key: str, response: HttpResponse) -> None:
    """Add the finished response (outer middleware's headers, the ETag, the content with
    no messages filled in) to the entry, so the fast path can send it as it is."""
    try:
        # The entry this response stored (no round trip to fetch it back): if another
        # process stored a newer render since, ours carries older versions and is only
        # ever a miss, never a stale page.
        entry = getattr(response, "page_cache_entry", None)
        if entry is None:
            return
        unstored = getattr(response, "page_cache_unstored", False)
        if not entry.get("for_everyone"):
            if unstored:  # the page as rendered, its visitor parts filled per request
                remaining = entry["expires_at"] - time.time()
                if remaining > 1:
                    cache.set(key, entry, remaining)
            return
        entry["finished"] = {
            "tags": entry["tags"],  # for the edge's headers (pagecache.edge.share)
            "expires_at": entry["expires_at"],
            "changes_at": entry.get("changes_at"),
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


def finished_response(request: HttpRequest, finished: dict) -> HttpResponse:
    """A finished response sent again: a 304 if the browser has it."""
    etag = finished["headers"].get("ETag")
    if etag and etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
        response["ETag"] = etag
    else:
        response = HttpResponse(finished["content"], headers=finished["headers"])
    response["X-Page-Cache"] = "hit"
    if request.is_secure() and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        response["Strict-Transport-Security"] = hsts
    return response


def rendered_response(entry: dict) -> HttpResponse:
    """The page as rendered, visitor parts still to fill (by the middleware)."""
    response = HttpResponse(entry["html"], content_type=entry["content_type"])
    response["X-Page-Cache"] = "hit"
    patch_cache_control(response, no_cache=True)
    return response
