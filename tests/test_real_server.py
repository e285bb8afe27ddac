"""Through the real server: `make serve` (gunicorn, two workers, DEBUG off), 23 readers
rating one book at the same moment, each with their own cookies, as browsers would.

It runs on the database the suite runs on: a scratch SQLite file, or a scratch
PostgreSQL database beside the test database when the suite runs on PostgreSQL.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
from decimal import ROUND_HALF_UP, Decimal
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parent.parent
READERS = 23
SCORES = [(n * 7) % 5 + 1 for n in range(READERS)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database_url(tmp_path):
    """A database of the suite's kind that the server process can reach."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    import psycopg

    params = connection.settings_dict
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    base = f"postgres://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    name = "colophon_server_test"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Browser:
    """Just enough of a browser: keeps its cookies (Secure ones too, as browsers do on
    loopback), sends the CSRF token from the page's rating form."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str = "") -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({key: morsel.value for key, morsel in cookie.items()})
        text = response.read().decode()
        conn.close()
        return response.status, text

    def rate(self, slug: str, score: int) -> int:
        status, page = self.request("GET", f"/books/{slug}/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        status, _ = self.request(
            "POST", f"/books/{slug}/rate/", f"csrfmiddlewaretoken={token}&score={score}"
        )
        return status


def wait_for(port: int, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"make serve exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("make serve did not start listening")


def test_23_readers_at_once_through_make_serve(database_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "colophon-server-test-key",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    python = str(REPO / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "shell", "-c",
         "from catalogue.models import Book; Book.objects.create(title='Rated Together')"],
        cwd=REPO, env=env, check=True,
    )  # fmt: skip
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        ["make", "serve"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(port, server)
        statuses: list[int] = []
        start = threading.Barrier(READERS)

        def reader(score: int) -> None:
            browser = Browser(port)
            browser.request("GET", "/books/rated-together/")  # cookies first, like a visit
            start.wait()  # then all 23 rate at the same moment
            statuses.append(browser.rate("rated-together", score))

        threads = [threading.Thread(target=reader, args=(score,)) for score in SCORES]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert statuses == [302] * READERS

        _, page = Browser(port).request("GET", "/books/rated-together/")
        expected = (Decimal(sum(SCORES)) / READERS).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert f"{expected} out of 5" in page
        assert f"({READERS} ratings)" in page
        assert f"Rated {expected} out of 5 by {READERS} readers" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
