"""gunicorn's settings for `make serve` and production: `gunicorn -c deploy/gunicorn.conf.py`.

Slow clients. A sync worker reads a request itself, so two clients sending a body a
byte a second held both of `make serve`'s workers and every other reader waited. Here
each worker runs threads (gunicorn's gthread): a slow client holds one thread, and the
worker's other threads and its event loop keep answering. gthread already gives a new
connection that sends nothing back to its poller after 5 s, but once a request has
begun, its reads block with no limit, and a thread given to a stalled
client would never come back. So every read from a client has a deadline, fixed in
advance and never moved by what arrives (a client sending just fast enough must not
keep its thread as long as it likes): the request line and headers within
HEADER_SECONDS once they may be read (and at most limit_request_fields lines of
limit_request_field_size bytes), the body within BODY_SECONDS plus a second for every
MIN_RATE bytes it declares (at most the largest body the app accepts). A 50 MB import
over a 64 kbit/s line still arrives; a client trickling a rating is cut after about
12 s, its thread free again.

What that protects: WEB_CONCURRENCY x WEB_THREADS threads (2 x 8 = 16 for `make
serve`) serve at once, slow clients included, so fewer slow clients than threads leave
the others answering, and each thread comes back within those bounds. Many slow
clients at once (as many as the threads) still hold every thread until they are cut:
only a front that buffers each request whole holds against them (Varnish in `make
serve-edge`, deploy/varnish/colophon.vcl; nginx or the load balancer in production).
"""

import errno
import os
import socket
import time

from gunicorn.workers.gthread import DEFAULT_WORKER_DATA_TIMEOUT, ThreadWorker

wsgi_app = "config.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads per worker: how many requests, slow ones included, one worker serves at once.
threads = int(os.environ.get("WEB_THREADS", "8"))
# Kept-alive and stopping: short, so a stop (Ctrl-C, SIGTERM) is not held by clients.
keepalive = 5
graceful_timeout = 10
# gunicorn's control socket has one fixed path per user: two servers on one machine
# would take it from each other. Nothing here uses it (gunicornc).
control_socket_disable = True
# The proxy in front (--forwarded-allow-ips) is believed on the scheme, in
# X-Forwarded-Proto alone, as Django reads it (SECURE_PROXY_SSL_HEADER), and on nothing
# else: gunicorn would also take X-Forwarded-Ssl and X-Forwarded-Protocol, and a
# SCRIPT_NAME or PATH_INFO header, from any client those IPs let through ("*" for
# `make serve`): `SCRIPT_NAME: /about` on /about/ had the home page stored as /about/.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
forwarder_headers = ""

# The request line and every header must fit gunicorn's bounds (its defaults, said
# here): at most 4,094 bytes for the line, 50 header lines of 8,190 bytes (a browser
# sends a dozen; the desk's cookies are a few hundred bytes).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

HEADER_SECONDS = 10.0  # from a request's first byte to the end of its headers, at most
BODY_SECONDS = 10.0  # for any body, plus its declared length at MIN_RATE
MIN_RATE = 8 * 1024  # bytes a second: a 64 kbit/s line, the slowest one served in full
# The largest body the app accepts (website/middleware.py, IMPORT_BODY_LIMIT: an import).
# A larger declared length is refused unread, so it earns no more time.
LARGEST_BODY = 51 * 1024 * 1024


class PacedSocket(socket.socket):
    """A client's connection whose every read must come before `deadline` (None: no
    limit). The deadline is fixed beforehand and never moves as bytes arrive."""

    deadline: float | None = None

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        if self.deadline is None:
            return super().recv(bufsize, flags)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _too_slow()
        before = self.gettimeout()
        self.settimeout(remaining)
        try:
            return super().recv(bufsize, flags)
        except TimeoutError:
            raise _too_slow() from None
        finally:
            self.settimeout(before)


def _too_slow() -> OSError:
    # As if the client had gone: gunicorn drops the connection quietly, and Django,
    # reading a body, sees an unreadable post (never a shortened form it could save).
    return ConnectionResetError(errno.ECONNRESET, "the client sent too slowly")


def declared_length(req) -> int:
    """What `req`'s Content-Length declares (0 when none, or chunked: the app refuses a
    post of unknown length unread)."""
    for name, value in req.headers:
        if name == "CONTENT-LENGTH":
            try:
                return max(int(value), 0)
            except ValueError:
                return 0
    return 0


class PacedThreadWorker(ThreadWorker):
    """gthread, with every read from a client bounded (see the module's docstring).

    This overrides gunicorn's own methods and uses names it does not document
    (ThreadWorker.handle and handle_request, DEFAULT_WORKER_DATA_TIMEOUT, TConn.sock,
    initialized and data_ready, cfg.is_ssl). Checked against gunicorn 27.0.0 and 27.0.1,
    and pyproject.toml keeps gunicorn below 28: if a release changes them, the slow
    clients stop being cut and tests/test_slow_clients.py fails (its clients are
    released at the bounds above, or never).
    """

    def handle(self, conn):
        if not isinstance(conn.sock, PacedSocket) and not self.cfg.is_ssl:
            plain = conn.sock
            conn.sock = PacedSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
        if isinstance(conn.sock, PacedSocket):
            # A new connection may first wait, without reading, for its first bytes
            # (then it goes back to the poller); one that is readable already does not.
            waits = not conn.initialized and not conn.data_ready
            conn.sock.deadline = (
                time.monotonic() + HEADER_SECONDS + (DEFAULT_WORKER_DATA_TIMEOUT if waits else 0)
            )
        return super().handle(conn)

    def handle_request(self, req, conn):
        if isinstance(conn.sock, PacedSocket):
            body = min(declared_length(req), LARGEST_BODY)
            conn.sock.deadline = time.monotonic() + BODY_SECONDS + body / MIN_RATE
        return super().handle_request(req, conn)


worker_class = PacedThreadWorker  # gunicorn takes the class itself from a config file
