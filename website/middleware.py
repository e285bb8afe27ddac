"""Project-wide middleware: request ids, health checks, HTTPS behind a proxy, and a
calm answer when the database is away."""

import ipaddress
import logging
import time
import uuid
from contextvars import ContextVar

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponseNotAllowed, HttpResponsePermanentRedirect, JsonResponse

from pagecache.middleware import database_unavailable

request_id: ContextVar[str] = ContextVar("request_id", default="-")
access_log = logging.getLogger("colophon.access")
logger = logging.getLogger(__name__)


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every log record (for JSON logs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID, or a new one), returns it in
    the response and logs one line per request with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            access_log.info(
                "%s %s %s",
                request.method,
                request.get_full_path()[:500],
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path[:500],
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
        if request.path in ("/healthz", "/readyz") and request.method not in ("GET", "HEAD"):
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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp, with the policy built once: it is the same for every response that no
    view adjusted (none does today), and no page uses a nonce."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self._plain_policy = None

    def process_response(self, request, response):
        adjusted = any(
            hasattr(response, name)
            for name in ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")
        )
        if adjusted or getattr(request, "_csp_nonce", None) is not None or CSP_HEADER in response:
            return super().process_response(request, response)
        if self._plain_policy is None:
            response = super().process_response(request, response)
            self._plain_policy = response.get(CSP_HEADER)
            return response
        response[CSP_HEADER] = self._plain_policy
        return response
