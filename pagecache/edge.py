"""The edge: a shared HTTP cache in front of the app (Varnish, deploy/varnish/colophon.vcl).

With an edge configured (`EDGE_PURGE_URLS`, or `EDGE=varnish`), a page the page cache
stores for everyone tells shared caches so: `Cache-Control: public, max-age=0,
s-maxage=EDGE_MAX_AGE` (browsers revalidate, the edge keeps it), and its tags in `xkey`
(Varnish) and `Surrogate-Key` (Fastly-style CDNs). When one of those tags is invalidated
(pagecache.versions), every edge in `EDGE_PURGE_URLS` is told to drop the pages carrying
it: a background thread per edge sends `PURGE` with `xkey-purge: TAG …` on a connection
kept open, retries a failed purge with backoff, logs one that never lands, and never
holds up a request or another edge's purges.

How long an edge may serve a page stale while the app fails (Varnish's grace) is said
by the app too, in `stale-if-error=N`: an hour at most (EDGE_GRACE), and never past the
page's next scheduled change (an article due to be withdrawn: pagecache.store's expiry
limits), which no write will purge. A purge is soft (the old page is kept for grace)
for an ordinary change; for content gone (withdrawn, deleted: `invalidate(..., gone=True)`)
it says `xkey-purge-gone: 1`, and the edge drops the pages outright (`xkey.purge`).

What differs per visitor (the rating form) reaches the edge as an Edge Side Include
(`<esi:include src="/_visitor/NAME/ARG/"/>`, fetched per request and never kept), but
only on a request that came through an edge that says it processes ESI: the VCL sets
`Surrogate-Capability`, and the app believes it only from a trusted proxy (see
`processes_esi`). An ESI fragment's own headers never reach the browser, so its form
cannot set the CSRF cookie: for a visitor without one it carries the CSRF secret
signed (`SIGNED_SECRET_FIELD`), which `EdgeCsrfMiddleware` takes as the cookie would
be; see that middleware for why that is safe.

Without an edge, nothing here changes a response.
"""

import atexit
import hashlib
import heapq
import http.client
import ipaddress
import logging
import os
import re
import threading
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import resolve
from django.utils.encoding import escape_uri_path

logger = logging.getLogger(__name__)

# A tag as it travels in a header: short, and nothing a header or xkey's
# space-separated list could misread. Any other tag is sent as a digest of itself.
HEADER_SAFE_TAG = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Beyond this many bytes of tags (Varnish takes header lines up to 8 KB by default) a page
# is not offered to the edge at all: it stays `no-cache`, served by the page cache.
TAGS_HEADER_LIMIT = 6000

VISITOR_PATH = "/_visitor/"
SIGNED_SECRET_FIELD = "csrfsigned"
SIGNED_SECRET_SALT = "pagecache.edge.csrf-secret"
SIGNED_SECRET_MAX_AGE = 24 * 60 * 60
# Seconds an edge may serve a page past its time while the app fails (stale-if-error).
EDGE_GRACE = 60 * 60


def enabled() -> bool:
    return bool(settings.EDGE_PURGE_URLS) or settings.EDGE == "varnish"


def edge_tag(tag: str) -> str:
    """`tag` as it is sent in `xkey` and in purges: itself when short and plain, else a
    digest (the same in both, so a purge finds what the header marked)."""
    if HEADER_SAFE_TAG.fullmatch(tag):
        return tag
    return "h:" + hashlib.sha256(tag.encode()).hexdigest()[:24]


def tags_header(tags: Iterable[str]) -> str:
    return " ".join(sorted({edge_tag(tag) for tag in tags}))


def personal(request: HttpRequest) -> bool:
    """Whether the request carries a cookie that makes its page its own (a session, flash
    messages): the edge passes such a request (the VCL names them too), and its answer
    is never offered to a shared cache."""
    names = {settings.SESSION_COOKIE_NAME, "messages"}
    return any(name in request.COOKIES for name in names)


def processes_esi(request: HttpRequest) -> bool:
    """Whether the request came through an edge that fills Edge Side Includes: the VCL
    says so in `Surrogate-Capability`, a header believed only from a proxy the app
    trusts (behind TRUSTED_PROXIES, the app's port is reachable only through them) or
    from this machine (`make serve-edge`). A reader sending it directly gets the page
    with its parts filled, as any other."""
    if not enabled() or "ESI/1.0" not in request.headers.get("Surrogate-Capability", ""):
        return False
    if settings.TRUSTED_PROXIES > 0:
        return True
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def esi_include(name: str, argument: str) -> str:
    return f'<esi:include src="{VISITOR_PATH}{name}/{argument}/"/>'


def share(request: HttpRequest, response: HttpResponse, entry: dict) -> bool:
    """Mark a page the page cache stored for everyone (`entry`, pagecache.store) as one
    any shared cache may keep, when an edge is configured; True if it was. Kept no
    longer than the page cache keeps it (its expiry honours what appears by the clock
    alone); never a page answering a visitor's own cookies, one setting a cookie, or one
    with too many tags to name."""
    if (
        not enabled()
        or request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.cookies
        or personal(request)
    ):
        return False
    if not in_its_one_spelling(request):
        return False
    header = tags_header(entry["tags"])
    seconds = min(settings.EDGE_MAX_AGE, int(entry["expires_at"] - time.time()))
    if len(header) > TAGS_HEADER_LIMIT or seconds < 1:
        return False
    # Stale only until what the page shows changes by the clock (no purge comes then).
    grace = EDGE_GRACE
    if entry.get("changes_at") is not None:
        grace = max(0, min(grace, int(entry["changes_at"] - time.time()) - seconds))
    response["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}, stale-if-error={grace}"
    response["xkey"] = header
    response["Surrogate-Key"] = header
    if b"<esi:include" in response.content:
        response["Surrogate-Control"] = 'content="ESI/1.0"'
    return True


def in_its_one_spelling(request: HttpRequest) -> bool:
    """Whether the request's query string is the page's own, as the page cache spells it
    (store.known_query: only the parameters its view reads, in order, page 1 as none):
    an edge keys its copies by the whole address, so `?junk=1`, `?junk=2`… would each be
    one more copy of the same page. Those are answered by the page cache behind it."""
    from .store import known_query  # (store -> versions -> edge: imported when used)

    # The path as the client spelled it (the server's record of the request line) is
    # the page's own spelling too: `%75nlikely` reaches the view decoded, as `unlikely`.
    sent = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    if sent is not None and sent.partition("?")[0] != escape_uri_path(request.path):
        return False
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return True
    params = getattr(resolve(request.path_info).func, "page_cache_params", ())
    return known_query(QueryDict(raw), params).urlencode() == raw


# --- The CSRF secret an ESI fragment cannot set as a cookie --------------------------------


def signed_secret(secret: str, action: str) -> str:
    """The secret signed for the one form address it was handed out with (`action`, a
    path): it stands for the cookie there only, never on another form of the site."""
    return signing.TimestampSigner(salt=SIGNED_SECRET_SALT).sign(f"{action} {secret}")


def secret_from(signed: str, path: str) -> str | None:
    """The secret `signed` carries, if it was signed for a form posting to `path`."""
    try:
        value = signing.TimestampSigner(salt=SIGNED_SECRET_SALT).unsign(
            signed, max_age=SIGNED_SECRET_MAX_AGE
        )
    except signing.BadSignature:
        return None
    action, _, secret = value.rpartition(" ")
    return secret if action == path and secret else None


# --- Purges ----------------------------------------------------------------------------------

# Bytes of tags in one purge's header: Varnish takes header lines up to 8 KB by default
# (http_req_hdr_len); a change touching more tags is sent as several purges.
PURGE_HEADER_LIMIT = 4000
PURGE_TIMEOUT = 1.0  # seconds an edge may take to answer a purge
RETRY_WAITS = (0.5, 1.0, 2.0, 4.0)  # between attempts at one edge; then it is logged
# A page on its way to the edge while its change committed is stored after the purge:
# purged once more this much later (the page cache refuses to store a render that
# overlapped a change, but cannot see the edge's copy in flight).
REPEAT_AFTER = 1.0


class _EdgeQueue:
    """One edge's purges, due soonest first, sent by a thread of its own: an edge that is
    down or slow to answer holds up no other edge's purges (nor any request)."""

    def __init__(self, base: str):
        self.base = base
        self.due: list[tuple[float, int, tuple[str, ...], int, bool]] = []  # a heap
        self.sender: threading.Thread | None = None


_queues: dict[str, _EdgeQueue] = {}
_due_changed = threading.Condition()  # guards every queue
_sending = 0  # purges taken from a queue and not yet sent or given up
_counter = 0  # breaks ties in the heaps
# Each edge's connection, kept open between purges (used by that edge's thread alone):
# a purge then costs one round trip, not a new connection's too.
_connections: dict[str, http.client.HTTPConnection] = {}
os.register_at_fork(after_in_child=_connections.clear)  # a parent's socket is not ours


def purge(tags: Iterable[str], *, gone: bool = False) -> None:
    """Have every configured edge drop the pages carrying any of `tags` (in the
    background; returns at once). `gone`: what they showed is withdrawn or deleted, so
    the edge keeps no copy to serve while the app fails (a hard purge, not a soft one)."""
    names = tuple(sorted({edge_tag(tag) for tag in tags}))
    if not names or not settings.EDGE_PURGE_URLS:
        return
    now = time.monotonic()
    for batch in _batches(names):
        for base in settings.EDGE_PURGE_URLS:
            _schedule(now, base, batch, 0, gone)
            _schedule(now + REPEAT_AFTER, base, batch, 0, gone)


def _batches(names: tuple[str, ...]) -> list[tuple[str, ...]]:
    """`names` in groups whose `xkey-purge` header stays within PURGE_HEADER_LIMIT:
    Varnish refuses a longer header line (400) and the whole purge would never land."""
    batches: list[tuple[str, ...]] = []
    batch: list[str] = []
    length = 0
    for name in names:
        if batch and length + 1 + len(name) > PURGE_HEADER_LIMIT:
            batches.append(tuple(batch))
            batch, length = [], 0
        length += len(name) + (1 if batch else 0)
        batch.append(name)
    return [*batches, tuple(batch)]


def _schedule(at: float, base: str, names: tuple[str, ...], attempt: int, gone: bool) -> None:
    global _counter
    with _due_changed:
        queue = _queues.get(base)
        if queue is None:
            queue = _queues[base] = _EdgeQueue(base)
        _counter += 1
        heapq.heappush(queue.due, (at, _counter, names, attempt, gone))
        _due_changed.notify_all()
        if queue.sender is None or not queue.sender.is_alive():
            queue.sender = threading.Thread(
                target=_send_forever, args=(queue,), name=f"edge-purges {base}", daemon=True
            )
            queue.sender.start()


def send_purge(base: str, names: Iterable[str], *, gone: bool = False) -> None:
    """One purge request (hard if `gone`); raises if the edge cannot be reached or refuses it."""
    parts = urlsplit(base)
    headers = {"xkey-purge": " ".join(names)}
    if gone:
        headers["xkey-purge-gone"] = "1"  # the VCL drops the pages, grace and all
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    for reusing in (True, False):
        connection = _connections.pop(base, None) if reusing else None
        if reusing and connection is None:
            continue
        if connection is None:
            connection = kind(parts.hostname, parts.port, timeout=PURGE_TIMEOUT)
        try:
            connection.request("PURGE", "/", headers=headers)
            answer = connection.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            if reusing:
                continue  # the edge closed the idle connection: once more on a new one
            raise
        if answer.status >= 300:
            connection.close()
            raise OSError(f"{answer.status} {answer.reason}")
        if answer.will_close:
            connection.close()
        else:
            _connections[base] = connection
        return


def _send_forever(queue: _EdgeQueue) -> None:
    global _sending
    while True:
        with _due_changed:
            while not queue.due or queue.due[0][0] > time.monotonic():
                wait = queue.due[0][0] - time.monotonic() if queue.due else None
                _due_changed.wait(timeout=wait)
            _, _, names, attempt, gone = heapq.heappop(queue.due)
            _sending += 1
        try:
            send_purge(queue.base, names, gone=gone)
        except (OSError, http.client.HTTPException) as error:
            if attempt < len(RETRY_WAITS):
                _schedule(
                    time.monotonic() + RETRY_WAITS[attempt], queue.base, names, attempt + 1, gone
                )
            else:
                logger.error(
                    "Edge %s not purged of %s after %d attempts (%s): its pages stay until "
                    "they expire or change again.",
                    queue.base, " ".join(names), attempt + 1, error,
                )  # fmt: skip
        finally:
            with _due_changed:
                _sending -= 1
                _due_changed.notify_all()


def _waiting() -> list[tuple[str, tuple[str, ...], int]]:
    return [
        (queue.base, names, attempt)
        for queue in _queues.values()
        for _, _, names, attempt, _ in queue.due
    ]


def wait_for_purges(seconds: float) -> bool:
    """Wait until every scheduled purge is sent (or given up), at most `seconds`;
    whether none is left. Called at exit, so a command's changes reach the edges too."""
    deadline = time.monotonic() + seconds
    with _due_changed:
        while _sending or any(queue.due for queue in _queues.values()):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            _due_changed.wait(timeout=min(left, 0.05))
    return True


@atexit.register
def _send_before_exit() -> None:
    if not wait_for_purges(REPEAT_AFTER + 2 * PURGE_TIMEOUT):
        with _due_changed:
            left = _waiting()
        for base, names, attempt in left:
            logger.error(
                "Edge %s not purged of %s before this process ended (%d attempts): its "
                "pages stay until they expire or change again.",
                base, " ".join(names), attempt,
            )  # fmt: skip
