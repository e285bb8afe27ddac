"""gunicorn's settings for `make serve` and production: `gunicorn -c deploy/gunicorn.conf.py`.

Slow clients. A sync worker reads a request itself, so two clients sending a body a
byte a second held both of `make serve`'s workers and every other reader waited. Here
each worker runs threads (gunicorn's gthread): a slow client holds one thread, and the
worker's other threads and its event loop keep answering. gthread already waits for a
new connection's first bytes without a thread (5 s, then back to its poller), but once
a request has begun, its reads block with no limit, and a thread given to a stalled
client would never come back. So every read from a client must keep pace (the rule
Apache's mod_reqtimeout applies): the request line and headers within
HEADER_SECONDS, the body within BODY_SECONDS, each extended by a second for every
MIN_RATE bytes received. A 50 MB import over a slow line still arrives; a client
trickling a byte a second is cut after BODY_SECONDS, its thread free again.

Behind Varnish (`make serve-edge`) the front holds the whole body before the app sees
the request (deploy/varnish/colophon.vcl), so these bounds are what is left for a
client that reaches the app directly.
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

HEADER_SECONDS = 10.0
BODY_SECONDS = 10.0
MIN_RATE = 500  # bytes a second a client must keep up, on average, past those seconds


class PacedSocket(socket.socket):
    """A client's connection whose every read must come before `deadline` (None: no
    limit), which each byte received moves on by 1/MIN_RATE seconds."""

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
            data = super().recv(bufsize, flags)
        except TimeoutError:
            raise _too_slow() from None
        finally:
            self.settimeout(before)
        self.deadline += len(data) / MIN_RATE
        return data


def _too_slow() -> OSError:
    # As if the client had gone: gunicorn drops the connection quietly, and Django,
    # reading a body, sees an unreadable post (never a shortened form it could save).
    return ConnectionResetError(errno.ECONNRESET, "the client sent too slowly")


class PacedThreadWorker(ThreadWorker):
    """gthread, with every read from a client paced (see the module's docstring)."""

    def handle(self, conn):
        if not isinstance(conn.sock, PacedSocket) and not self.cfg.is_ssl:
            plain = conn.sock
            conn.sock = PacedSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
        if isinstance(conn.sock, PacedSocket):
            # A new connection may first wait, without reading, for its first bytes.
            conn.sock.deadline = time.monotonic() + DEFAULT_WORKER_DATA_TIMEOUT + HEADER_SECONDS
        return super().handle(conn)

    def handle_request(self, req, conn):
        if isinstance(conn.sock, PacedSocket):
            conn.sock.deadline = time.monotonic() + BODY_SECONDS
        return super().handle_request(req, conn)


worker_class = PacedThreadWorker  # gunicorn takes the class itself from a config file
