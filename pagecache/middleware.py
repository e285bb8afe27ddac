"""The page cache's middleware: the fast path in front, the visitor parts inside, and
the CSRF secret of a form an edge filled in (pagecache.edge)."""

import logging
import re
from html import unescape
from urllib.parse import urlsplit

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.urls import get_resolver, resolve
from django.utils.html import escape

from . import edge, store, visitor_parts
from .versions import send_pending

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
    sessions, CSRF, authentication and the view are even looked at: from the shared
    cache, in one round trip.

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
            and not request.path_info.startswith(edge.VISITOR_PATH)
        )
        key = None
        if eligible:
            try:
                send_pending()
                key = store.page_key(store.page_address(request, _params_of(request)))
                entry = self._entry_for_everyone(request, key)
                if entry is not None and "finished" in entry:
                    return self._finished(request, entry["finished"])
                # The page, rendered, is stored once, with its finished response (below),
                # unless it may turn into a 304 on the way out, which it would not reach.
                request.page_cache_finished_here = request.method == "GET" and not (
                    "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META
                )
            except Exception:  # noqa: BLE001 - the view path logs and carries on
                key = None
        response = self.get_response(request)
        if key is not None and request.method == "GET" and hasattr(response, "page_cache_key"):
            store.keep_finished(response.page_cache_key, response)
        # A page stored for everyone, with nothing of this visitor's filled in: an edge
        # may keep it (with an edge configured).
        entry = getattr(response, "shared_entry", None)
        if entry is not None and not getattr(response, "visitor_bytes", False):
            edge.share(request, response, entry)
        return response

    @staticmethod
    def _finished(request, finished: dict) -> HttpResponse:
        response = store.finished_response(request, finished)
        if "tags" in finished and response.status_code == 200:
            edge.share(request, response, finished)
        return response

    def _entry_for_everyone(self, request, key: str) -> dict | None:
        """The entry, if it is fresh and needs nothing from the visitor. What the view's
        `shared_page` would read next comes with the answer and is left on the request
        (`page_cache_looked_up`) instead of asked again: the entry if it is fresh (a page
        with visitor parts is served from it there), and the change counter a render
        must read before it begins (a change since leaves that render unstored)."""
        entry, versions, found = store.entry_and_versions(key, self.known_tags.get(key))
        fresh = entry is not None and entry["versions"] == versions
        request.page_cache_looked_up = (key, found, entry if fresh else None)
        if entry is None:
            return None
        if len(self.known_tags) > 10_000:
            self.known_tags.clear()
        self.known_tags[key] = entry["tags"]
        return entry if fresh and entry.get("for_everyone") else None


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
        if request.path_info.startswith(edge.VISITOR_PATH):
            return self.fragment(request)
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or b"<!--visitor:" not in response.content
        ):
            return response
        # Through an edge that fills Edge Side Includes, the parts are left to it; the
        # response says it has some, also when it is not shared (a reader with a session,
        # passed by the edge), or the edge would hand the reader the bare include.
        include = edge.esi_include if edge.processes_esi(request) else None
        try:
            html, shows_messages, personal = visitor_parts.fill(
                request, response.content.decode(), include=include
            )
        except (OperationalError, InterfaceError) as error:
            # A cached page needs no database, but its visitor parts do.
            return database_unavailable(error)
        response.content = html.encode()
        response.visitor_bytes = personal
        if include is not None and "<esi:include" in html:
            response["Surrogate-Control"] = 'content="ESI/1.0"'
        if response.status_code == 200 and not shows_messages and not response.has_header("ETag"):
            response["ETag"] = visitor_parts.visitor_etag(request, response.content)
        return response

    def fragment(self, request) -> HttpResponse:
        """`/_visitor/NAME/ARGUMENT/`: one visitor part alone, as an edge includes it in
        a shared page (pagecache.edge), never kept by anyone."""
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        # The apps register their parts as their views load, with the URLconf: a process
        # whose first request is a fragment (a page's came from the cache) loads it now,
        # or every part would be a 404, which the edge would include in the page.
        get_resolver().url_patterns  # noqa: B018 - loads it
        match = FRAGMENT_PATH.fullmatch(request.path_info)
        if match is None or match[1] not in visitor_parts.PARTS or match[1] == "messages":
            raise Http404("No such part of a page.")
        try:
            html = visitor_parts.PARTS[match[1]](request, match[2])
        except (OperationalError, InterfaceError) as error:
            return database_unavailable(error)
        if settings.CSRF_COOKIE_NAME not in request.COOKIES and "CSRF_COOKIE" in request.META:
            # The edge drops a fragment's Set-Cookie: the form carries its secret, signed.
            # Signed for the address its form posts to, and good there alone.
            def with_signed(token: re.Match) -> str:
                actions = FORM_ACTION.findall(html, 0, token.start())
                if not actions:
                    return token[0]
                action = urlsplit(unescape(actions[-1])).path
                signed = edge.signed_secret(request.META["CSRF_COOKIE"], action)
                name = edge.SIGNED_SECRET_FIELD
                return token[0] + f'<input type="hidden" name="{name}" value="{escape(signed)}">'

            html = CSRF_INPUT.sub(with_signed, html)
        response = HttpResponse(html)
        response["Cache-Control"] = "private, no-store"
        return response


FRAGMENT_PATH = re.compile(re.escape(edge.VISITOR_PATH) + r"([a-z-]+)/([0-9A-Za-z_-]*)/")
FORM_ACTION = re.compile(r'<form\b[^>]*\saction="([^"]*)"')
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[A-Za-z0-9]+">')


class EdgeCsrfMiddleware:
    """A form an edge filled in (pagecache.edge) may come back without a CSRF cookie: the
    fragment that held it could not set one. It carries the CSRF secret it was made
    with, signed by this site for the one address that form posts to and at most a day
    old, which stands in for the cookie there (never on another form);
    Django's CsrfViewMiddleware (next) then checks the form's token against it, and the
    Origin (or, over https, the Referer) as always.

    Why that is safe: a token without a cookie binds the post to no browser, so what
    guards it is the Origin check (every current browser sends Origin on a post) and
    the cookies' SameSite=Lax (a post from another site carries no session or visitor
    cookie, so a forged one acts as a stranger, who may rate anyway). Never for the desk,
    whose forms come from pages no edge keeps."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "POST"
            and settings.CSRF_COOKIE_NAME not in request.COOKIES
            and edge.enabled()
            and not request.path_info.startswith("/" + settings.ADMIN_URL)
        ):
            signed = request.POST.get(edge.SIGNED_SECRET_FIELD, "")
            secret = edge.secret_from(signed, request.path)
            if secret is not None:
                request.COOKIES[settings.CSRF_COOKIE_NAME] = secret
        return self.get_response(request)
