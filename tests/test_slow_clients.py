"""Through the production entry points started as the README says (`make serve`, and
`make serve-edge` when Varnish is installed), with the demo: two clients sending a
rating a byte a second and one that stalls after its headers do not keep other readers
waiting, and one SIGTERM to the server's process group stops every process it started.
Through Varnish, too, nothing is kept that is true only for one request or only now: a
redirect to https asked for by one reader's header, a draft's 404, a health check.

Runs on the suite's kind of database (a scratch SQLite file, or a scratch PostgreSQL
database beside the test database).
"""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.servers import REPO, free_port, scratch_database, server_env

ARTICLE = "/articles/unlikely-allies/"
# Below the 16 KB a rating may declare (a larger one is refused at once, unread).
DECLARED = 10_000
CSRF_COOKIE = "csrftoken=" + "a" * 32  # so that the CSRF check reads the body
MB = 1024 * 1024


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One database, media and static directory for both servers, as one site's."""
    files = tmp_path_factory.mktemp("site")
    for url in scratch_database(files, "colophon_slow_clients_test"):
        yield url, files


def start(target: str, env: dict, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        ["make", target], cwd=REPO, env=env, stdout=log.open("w"),
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, f"make {target} exited:\n{log.read_text()[-3000:]}"
        if get(int(env["PORT"]), "/readyz", timeout=2)[0] == 200:
            return server
        time.sleep(0.3)
    stop_group(server)
    raise AssertionError(f"make {target} did not answer:\n{log.read_text()[-3000:]}")


def get(port: int, path: str, timeout: float = 2.0) -> tuple[int, float]:
    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status, time.monotonic() - started
    except OSError:
        return 0, time.monotonic() - started


class SlowClient(threading.Thread):
    """Posts a rating declaring DECLARED bytes, then sends one a second (or, stalled,
    none at all); notes when the server answered or closed the connection."""

    def __init__(self, port: int, *, stalled: bool = False):
        super().__init__(daemon=True)
        self.port, self.stalled = port, stalled
        self.released_after: float | None = None
        self.stop = threading.Event()

    def run(self):
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.sendall(
            f"POST /books/the-hobbit/rate/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nCookie: {CSRF_COOKIE}\r\n"
            f"Content-Length: {DECLARED}\r\n\r\n".encode()
        )
        started = time.monotonic()
        sock.settimeout(1)
        try:
            while not self.stop.is_set():
                if not self.stalled:
                    sock.sendall(b"s")
                try:
                    sock.recv(1024)  # an answer or the end: either way, let go
                    self.released_after = time.monotonic() - started
                    return
                except TimeoutError:
                    continue
        except OSError:
            self.released_after = time.monotonic() - started
        finally:
            sock.close()


class Trickler(threading.Thread):
    """Sends `head` at once, then `rest` at `rate` bytes a second: just fast enough that
    a deadline moved on by each byte received would never come; notes when the server
    answered or closed the connection."""

    def __init__(self, port: int, head: bytes, rest: bytes, rate: int):
        super().__init__(daemon=True)
        self.port, self.head, self.rest, self.rate = port, head, rest, rate
        self.released_after: float | None = None
        self.stop = threading.Event()

    def run(self):
        sock = socket.create_connection(("127.0.0.1", self.port))
        started = time.monotonic()
        sock.settimeout(0.1)
        try:
            sock.sendall(self.head)
            step = self.rate // 10
            for start in range(0, len(self.rest), step):
                if self.stop.is_set():
                    return
                sock.sendall(self.rest[start : start + step])
                try:
                    if sock.recv(1024) is not None:  # an answer or the end: let go
                        self.released_after = time.monotonic() - started
                        return
                except TimeoutError:
                    continue
        except OSError:
            self.released_after = time.monotonic() - started
        finally:
            sock.close()


def header_trickler(port: int) -> Trickler:
    """Headers of 160 KB (40 lines of 4,000 bytes, within gunicorn's bounds) at 1 KB/s."""
    lines = b"".join(b"X-Pad-%02d: %s\r\n" % (n, b"p" * 3988) for n in range(40))
    return Trickler(port, b"GET /books/ HTTP/1.1\r\nHost: 127.0.0.1\r\n", lines, rate=1000)


def body_trickler(port: int) -> Trickler:
    """A rating declaring 16,000 bytes (within its limit) sent at 600 bytes a second."""
    head = (
        "POST /books/the-hobbit/rate/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nCookie: {CSRF_COOKIE}\r\n"
        "Content-Length: 16000\r\n\r\n"
    )
    return Trickler(port, head.encode(), b"s" * 16000, rate=600)


def declared(port: int, path: str, length: int, cookie: str) -> bytes:
    """The start of the answer to a post declaring `length` bytes, none of them sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
        )
        try:
            return sock.recv(12)
        except TimeoutError:
            return b"(waited for the body)"


def declared_too_much(port: int) -> bytes:
    """The start of the answer to a rating declaring 100,000 bytes, none of them sent:
    refused by what it declares, at once."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(
            b"POST /books/the-hobbit/rate/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length: 100000\r\n\r\n"
        )
        return sock.recv(12)


def readers_meanwhile(port: int, seconds: float) -> list[tuple[str, int, float]]:
    answers = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        for path in ("/books/", ARTICLE):
            answers.append((path, *get(port, path)))
        time.sleep(0.4)
    return answers


def answer(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def set_status(database_url: str, slug: str, status: str) -> None:
    """An article's status, written in the database as a publication by the desk would
    leave it (its publication time is kept: the demo's is in the past)."""
    query = "UPDATE articles_article SET status = %s WHERE slug = %s"
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            db.execute(query.replace("%s", "?"), (status, slug))
    else:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as db:
            db.execute(query, (status, slug))


def check_nothing_is_kept_that_should_not_be(port: int, database_url: str) -> None:
    # A reader's own X-Forwarded-Proto is not believed (Varnish says how it was reached),
    # and no redirect it could have earned is kept for the next reader.
    assert answer(port, ARTICLE, **{"X-Forwarded-Proto": "http"}).status == 200
    assert answer(port, ARTICLE).status == 200
    # A draft's address answers 404 until it is published, then the article.
    draft = "/articles/oxford-handbook-voice-perception/"
    set_status(database_url, "oxford-handbook-voice-perception", "draft")
    assert answer(port, draft).status == 404
    set_status(database_url, "oxford-handbook-voice-perception", "published")
    assert answer(port, draft).status == 200
    # Health checks are asked of the app each time: never a hit (one id, no age).
    for _ in range(2):
        ready = answer(port, "/readyz")
        assert ready.status == 200
        assert len(ready.getheader("X-Varnish", "").split()) == 1
        assert ready.getheader("Age", "0") == "0"


def processes_in(group: int) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                zombie = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
                if os.getpgid(int(entry.name)) == group and not zombie:  # exited, not reaped
                    found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
            except (ProcessLookupError, FileNotFoundError, PermissionError):
                continue
    return found


def stop_group(server: subprocess.Popen) -> float:
    """One SIGTERM to the group (Ctrl-C's and systemd's way); how long until all of it
    has gone. Anything left is killed, so no test leaves a server behind."""
    group = os.getpgid(server.pid)
    started = time.monotonic()
    os.killpg(group, signal.SIGTERM)
    while processes_in(group) and time.monotonic() - started < 30:
        time.sleep(0.2)
    took = time.monotonic() - started
    left = processes_in(group)
    if left:
        os.killpg(group, signal.SIGKILL)
    server.wait(timeout=10)
    assert not left, f"still running {took:.0f} s after SIGTERM: {left}"
    return took


def check_readers_are_served_past_slow_clients(
    port: int, seconds: float, *, sending: int = 2, others: list[threading.Thread] = ()
) -> list[SlowClient]:
    clients = [*(SlowClient(port) for _ in range(sending)), SlowClient(port, stalled=True)]
    for other in others:
        other.start()
    for client in clients:
        client.start()
    time.sleep(1)  # their headers are in: each is now sending its body, or stalling
    answers = readers_meanwhile(port, seconds)
    slow = [answer for answer in answers if answer[1] != 200 or answer[2] > 2.0]
    assert not slow, f"readers kept waiting or refused: {slow}"
    return clients


def test_make_serve_serves_readers_while_slow_clients_hang_on(site, tmp_path):
    port = free_port()
    home = tmp_path / "home"  # where gunicorn would put its one control socket per user
    env = server_env(site[0], site[1], port, DEMO="1", HOME=str(home), XDG_RUNTIME_DIR="")
    server = start("serve", env, tmp_path / "serve.log")
    try:
        # No shared control socket: a second server on another port takes nothing away.
        assert not (home / ".gunicorn").exists()
        # Fewer slow clients than threads (2 workers x 8): the other threads answer.
        tricklers = [header_trickler(port), body_trickler(port)]
        clients = check_readers_are_served_past_slow_clients(port, 13, others=tricklers)
        # …and the app lets them go: a body must keep pace (deploy/gunicorn.conf.py)…
        for client in clients:
            assert client.released_after is not None and client.released_after < 14
        # …and one sending just fast enough is cut at a deadline fixed beforehand too:
        # headers within 15 s, a 16,000-byte rating within 12 s (it would take 27 s).
        for trickler in tricklers:
            trickler.join(timeout=18 - 14)
        released = [trickler.released_after for trickler in tricklers]
        assert None not in released and max(released) < 16, released
        assert declared_too_much(port) == b"HTTP/1.1 413"
    finally:
        for client in [*locals().get("clients", []), *locals().get("tricklers", [])]:
            client.stop.set()
        took = stop_group(server)
    assert took < 15


@pytest.mark.skipif(not shutil.which("varnishd"), reason="Varnish is not installed")
def test_make_serve_edge_serves_readers_while_slow_clients_hang_on(site, tmp_path):
    port, app_port = free_port(), free_port()
    env = server_env(site[0], site[1], port, APP_PORT=str(app_port), DEMO="1")
    server = start("serve-edge", env, tmp_path / "edge.log")
    try:
        if os.environ.get("CACHE_URL", "").startswith("redis"):  # else no page cache
            # Host names Varnish's port, not gunicorn's: the VCL's X-Forwarded-Port says
            # it is the one the reader reached, so the page is stored for everyone, and
            # then kept at the edge for the next reader.
            # (The worker's first tasks, the demo's share images, may drop it meanwhile.)
            assert any(
                answer(port, "/books/").getheader("X-Cache") == "hit" or time.sleep(0.5)
                for _ in range(20)
            )
        # More slow clients than gunicorn has threads (2 x 8): Varnish holds them all.
        clients = check_readers_are_served_past_slow_clients(port, seconds=6, sending=24)
        # Varnish holds each body until it has all arrived: the app has seen none yet.
        log = (tmp_path / "edge.log").read_text()
        assert "/books/the-hobbit/rate/" not in log
        assert declared_too_much(port) == b"HTTP/1.1 413"
        # A session cookie earns more than a public form's 64 KB only on the desk's own
        # paths (anchored at ADMIN_URL); there, a made-up one is bounded by Transient.
        made_up = "sessionid=made-up"
        assert declared(port, "/books/x/catalogue/book/import/", MB, made_up)[9:12] == b"413"
        assert declared(port, "/admin/catalogue/book/import/", 60 * MB, made_up)[9:12] == b"413"
        # What Varnish holds for such bodies has a bound.
        transient = subprocess.run(
            ["varnishstat", "-n", f"/tmp/colophon-varnish-{port}", "-1", "-f",
             "SMA.Transient.g_space"],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        assert 0 < int(transient[1]) <= 256 * MB
        check_nothing_is_kept_that_should_not_be(port, site[0])
    finally:
        for client in clients if "clients" in locals() else []:
            client.stop.set()
        took = stop_group(server)
    assert took < 15
