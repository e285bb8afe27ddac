"""Project-wide middleware: bodies bounded before they are read, request ids, health
checks, HTTPS behind a proxy, cookies always Secure and HttpOnly, and a calm answer when
the database is away."""

import ipaddress
import logging
import re
import time
import uuid
from contextvars import ContextVar
from importlib import import_module
from urllib.parse import unquote

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
    JsonResponse,
    UnreadablePostError,
)
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.crypto import constant_time_compare
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from pagecache.middleware import database_unavailable

request_id: ContextVar[str] = ContextVar("request_id", default="-")
access_log = logging.getLogger("colophon.access")
logger = logging.getLogger(__name__)

KB, MB = 1024, 1024 * 1024
# Room for what wraps a file in a multipart post (boundaries, the form's other fields).
MULTIPART_MARGIN = 1 * MB
# What a request may declare in Content-Length, by kind (BodyLimitMiddleware). The same
# limits are kept at the front, in deploy/varnish/colophon.vcl, and the largest bounds
# how long deploy/gunicorn.conf.py waits for a body (LARGEST_BODY): change all together.
PUBLIC_BODY_LIMIT = 64 * KB  # the site's own forms are a few fields; the desk's login too
RATING_BODY_LIMIT = 16 * KB  # a token and a score
IMPORT_BODY_LIMIT = 50 * MB + MULTIPART_MARGIN  # catalogue.forms.MAX_IMPORT_BYTES
RATING_PATH = re.compile(r"^/books/[^/]+/rate/$")
IMPORT_PATH = "catalogue/book/import/"
# The methods whose body a view reads; a body on any other is never read by Django.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# A signed preview link opens a draft to whoever holds it: never written whole in a log.
# Cut wherever it stands, however the path around it is spelled (`//preview/`,
# `/Articles/preview/` answer 404, but the token in them still opens the draft).
PREVIEW_TOKEN = re.compile(r"(/preview/+)[^/?#\s'\"]+", re.IGNORECASE)


def without_secrets(text: str) -> str:
    """`text` (a path, a log line) with preview-link tokens cut, also where the path is
    percent-encoded (`/x/prev%C4%B1ew/…`, `%70review`: answered 404, the token still
    opens the draft): such text is written decoded, cut."""
    if "%" in text:
        decoded = unquote(text)
        cut = PREVIEW_TOKEN.sub(r"\1…", decoded) if "ew/" in decoded.lower() else decoded
        if cut != decoded:
            return cut
    # Most text names no preview link: 1.5 µs a substitution, 4 to 6 a request's log line.
    # Every match holds "ew/", lowered ("preview" in any case; only its i has other forms).
    if "ew/" not in text.lower():
        return text
    return PREVIEW_TOKEN.sub(r"\1…", text)


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every log record (for JSON logs), and cuts
    preview-link tokens from what the record says: Django's own error lines name the
    path. The request a record carries (Django's error lines give it to AdminEmailHandler
    and error trackers, which read it) stays as it is: its path, cut, is `request_path`,
    which the JSON lines write in its place (JsonLogFormatter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                without_secrets(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = without_secrets(record.msg)
        request = getattr(record, "request", None)
        if request is not None and not hasattr(record, "request_path"):
            try:
                path = request.get_full_path()
            except Exception:  # not Django's request: say what it is, still cut
                path = repr(request)
            record.request_path = without_secrets(path)[:500]
        return True


class JsonLogFormatter(JsonFormatter):
    """python-json-logger's lines, without the request object a record may carry (its
    text would hold the whole path, a preview link's token included): the record's
    `request_path` (RequestIdFilter) says which request it was."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request"])
        super().__init__(*args, **kwargs)


def signed_in_staff(request) -> bool:
    """Whether `request` carries the session of an active staff account (an editor or a
    contributor), read as AuthenticationMiddleware would, without its side effects: a
    cookie merely named like the session's is nobody's."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key or "\x00" in key:  # PostgreSQL cannot compare a NUL
        return False
    session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return False
    model = get_user_model()
    try:
        user = model._default_manager.filter(is_active=True, is_staff=True).get(
            pk=model._meta.pk.to_python(user_id)
        )
    except (model.DoesNotExist, ValidationError):
        return False
    # A session from before a password change is signed out (as django.contrib.auth does).
    given = session.get(HASH_SESSION_KEY) or ""
    return any(
        constant_time_compare(given, expected)
        for expected in (user.get_session_auth_hash(), *user.get_session_auth_fallback_hash())
    )


def body_limit(request, declared: int) -> tuple[int, str]:
    """The most `request`, declaring `declared` bytes, may carry, and what kind of
    request it is."""
    path = request.path_info
    if RATING_PATH.match(path):
        return RATING_BODY_LIMIT, "a rating"
    desk = "/" + settings.ADMIN_URL
    # Only a signed-in editor or contributor sends the desk anything large; anyone
    # else's post to it (the login's included) is held to the public limit. The session
    # is looked up only for the few posts that need it.
    if declared > PUBLIC_BODY_LIMIT and path.startswith(desk) and signed_in_staff(request):
        if path[len(desk) :] == IMPORT_PATH:
            return IMPORT_BODY_LIMIT, "an import"
        # The desk's other forms (a 10 MB cover rides in the book's; autosave and the
        # previews post an article's fields): what Django itself reads of a form.
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + MULTIPART_MARGIN, "a desk form"
    return PUBLIC_BODY_LIMIT, "a form"


HEALTH_PATHS = ("/healthz", "/readyz")


def cache_control_for(request, response) -> str:
    """What a response that says nothing of caching should say, so that no shared cache
    (Varnish, a CDN) guesses: the desk's pages are the signed-in editor's alone; a
    redirect (the one to https answers how the request was made), an error (a draft's
    address is a 404 until it is published) and a health check are true only now. Any
    other is `no-cache`, what the page cache says of the pages it serves (kept only to
    be revalidated): so too with the page cache off (PAGE_CACHE_SECONDS=0), when a
    page would otherwise say nothing and be kept, unchanged, for a cache's default time."""
    if request.path_info.startswith("/" + settings.ADMIN_URL):
        return "private, no-store"
    status = response.status_code
    if (300 <= status < 400 and status != 304) or status >= 400:
        return "no-store"
    if request.path_info in HEALTH_PATHS:
        return "no-store"
    return "no-cache"


class CacheControlMiddleware:
    """Gives every response that carries no Cache-Control one that says what it is
    (cache_control_for); a view's own (media, previews, the desk's never_cache) stays.
    Outermost, so that it sees every response, the body limits' and the health checks'
    included; it reads nothing of the request but its path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = cache_control_for(request, response)
        return response


class BodyLimitMiddleware:
    """Refuses a request whose body is too large by what it declares, before anything
    reads it (the CSRF check reads a post's fields), with a limit per kind of request.

    First in the chain to read the request (CacheControlMiddleware, before it, only
    writes a header on the way out). Also refuses a path or query string holding a NUL
    byte (no form, filter or search needs one, and PostgreSQL cannot store or compare
    it), and a post
    (or PUT, PATCH) of unknown length (chunked): Django reads only what Content-Length
    declares, so such a body would be dropped unread and the form would arrive empty.
    A GET's body is never read, so its Transfer-Encoding is no reason to refuse it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "").lower():
            return HttpResponseBadRequest(
                "The address holds a NUL character (%00), which no page accepts.",
                content_type="text/plain; charset=utf-8",
            )
        if "HTTP_TRANSFER_ENCODING" in request.META and request.method in BODY_METHODS:
            return HttpResponse(
                "A request body needs a Content-Length.",
                status=411,
                content_type="text/plain; charset=utf-8",
            )
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads nothing of a body it cannot measure
        try:
            limit, kind = body_limit(request, declared)
        except (OperationalError, InterfaceError) as error:  # the session's lookup
            return database_unavailable(error)
        if declared > limit:
            response = render(
                request,
                "413.html",
                {"limit": filesizeformat(limit), "kind": kind},
                status=413,
            )
            response["Connection"] = "close"  # the rest of the body is not wanted
            return response
        if request.content_type == "application/x-www-form-urlencoded" and declared:
            # Read here, where a client too slow to send it (deploy/gunicorn.conf.py cuts it
            # off) or gone halfway is answered as such, not as a form without its token.
            try:
                request.body  # noqa: B018 - kept by the request for the form's fields
            except UnreadablePostError:
                return HttpResponse(
                    "The request's body did not arrive in time.",
                    status=408,
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


class CookieFlagsMiddleware:
    """Every cookie the site sets or deletes is HttpOnly, and Secure whenever the
    session's is: Django's own deletions (the session's at logout, the flash messages'
    once shown) carry neither flag. No script reads a cookie (the desk's scripts take
    the CSRF token from the form)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for morsel in response.cookies.values():
            morsel["httponly"] = True
            if settings.SESSION_COOKIE_SECURE:
                morsel["secure"] = True
        return response


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID, or a new one), returns it in
    the response and logs one line per request with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # From META, as Django keeps it: request.headers would copy every header (10 µs).
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            access_log.info(
                "%s %s %s",
                request.method,
                without_secrets(request.get_full_path())[:500],
                response.status_code,
                extra={
                    "method": request.method,
                    "path": without_secrets(request.path)[:500],
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(token)


class HealthCheckMiddleware:
    """/healthz: the process answers. /readyz: the database and the cache answer too.

    First in the chain, so a load balancer probing by IP address is neither refused by
    ALLOWED_HOSTS nor redirected to https.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in HEALTH_PATHS and request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            checks = {"database": self._database(), "cache": self._cache()}
            ready = all(value == "ok" for value in checks.values())
            return JsonResponse(
                {"status": "ok" if ready else "unavailable", "checks": checks},
                status=200 if ready else 503,
            )
        return self.get_response(request)

    @staticmethod
    def _database() -> str:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return "ok"
        except DatabaseError as error:
            return f"error: {type(error).__name__}"

    @staticmethod
    def _cache() -> str:
        try:
            cache.set("readyz", "1", 5)
            return "ok" if cache.get("readyz") == "1" else "error: value not kept"
        except Exception as error:  # any backend's connection error
            return f"error: {type(error).__name__}"


def is_loopback(address: str) -> bool:
    if address in ("127.0.0.1", "::1"):  # most requests on loopback: no address parsed
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class HttpsRedirectMiddleware:
    """Redirects plain http to https, except a direct request on loopback.

    Behind the TLS proxy every request carries X-Forwarded-Proto; one saying http is
    redirected. A request on loopback without that header is someone on the machine
    (`make serve`, a health check) and is answered as it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.HTTPS_REDIRECT and not request.is_secure():
            proxied = "HTTP_X_FORWARDED_PROTO" in request.META
            if proxied or not is_loopback(request.META.get("REMOTE_ADDR", "")):
                return HttpResponsePermanentRedirect(
                    f"https://{request.get_host()}{request.get_full_path()}"
                )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached: a styled 503 with Retry-After, never a
    traceback. Django reconnects on the next request, so recovery needs no restart."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable(exception)
        return None


# What django-csp's get_policy_parts reports for a response no view adjusted.
NO_POLICY_PARTS = PolicyParts()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp, with the policy built once: it is the same for every response that no
    view adjusted (none does today), and no page uses a nonce. Building it took 50 µs a
    response; checking and copying it, a few.

    Whether a view adjusted it (csp, csp_update, csp_replace, a nonce read from
    `request.csp_nonce`) is asked of django-csp's documented hook, `get_policy_parts`;
    such a response, and any the settings treat apart, gets django-csp's own answer.
    tests/website/test_csp.py holds each decorator to what django-csp alone writes."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self._plain_policy = None

    def process_response(self, request, response):
        if not self._writes_plain_policy(request, response):
            return super().process_response(request, response)
        if self._plain_policy is None:
            response = super().process_response(request, response)
            self._plain_policy = response.get(CSP_HEADER)
            return response
        response[CSP_HEADER] = self._plain_policy
        return response

    def _writes_plain_policy(self, request, response) -> bool:
        """Whether django-csp would write the settings' policy unchanged, and nothing
        else, on this response."""
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        return not (
            CSP_HEADER in response
            or policy.get("EXCLUDE_URL_PREFIXES")
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or (settings.DEBUG and response.status_code in (404, 500))  # django-csp skips
            or self.get_policy_parts(request, response) != NO_POLICY_PARTS
            or self.get_policy_parts(request, response, report_only=True) != NO_POLICY_PARTS
            # The one exception to public API: csp_exempt() marks the response with this
            # attribute and django-csp offers no way to ask. Checked against django-csp
            # 4.0 (csp/decorators.py, csp/middleware.py); if it is renamed, this fails:
            # tests/website/test_csp.py::test_each_view_gets_what_the_library_writes[exempt]
            or getattr(response, "_csp_exempt", False)
        )
