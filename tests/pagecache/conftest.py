"""Fixtures of the page cache's tests."""

import http.server
import threading

import pytest
from django.core.cache import cache

from tests.factories import make_article, make_author, make_book


@pytest.fixture
def site(db, django_capture_on_commit_callbacks):
    """A book by an author, and an article showing its card; made in commits, so the page
    cache's invalidations ran (a module adds what else it needs)."""
    with django_capture_on_commit_callbacks(execute=True):
        author = make_author(name="Stephen Harding")
        book = make_book(title="The Last Battle", slug="the-last-battle", authors=[author])
        article = make_article(title="Unlikely Allies", body="Text\n\n[[book:the-last-battle]]\n")
    return {"book": book, "article": article, "author": author}


@pytest.fixture
def cache_reads(monkeypatch):
    """`watch(*modules)`: each read those modules make of the shared cache from now on
    (a `get` or a `get_many`: one round trip each) is listed in `reads`."""
    reads = []

    class Counting:
        def __getattr__(self, name):
            return getattr(cache, name)

        def get_many(self, keys):
            reads.append(keys)
            return cache.get_many(keys)

        def get(self, *args, **kwargs):
            reads.append(args)
            return cache.get(*args, **kwargs)

    def watch(*modules):
        for module in modules:
            monkeypatch.setattr(module, "cache", Counting())
        return reads

    return watch


class PurgeRecorder(http.server.BaseHTTPRequestHandler):
    purges: list[tuple[str, str]] = []

    def do_PURGE(self):  # noqa: N802 - the method's name
        self.purges.append((self.command, self.headers["xkey-purge"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def edge_server():
    """An edge that answers every purge and records it (PurgeRecorder.purges): its address."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    PurgeRecorder.purges = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
