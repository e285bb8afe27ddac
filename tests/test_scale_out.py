"""Two app servers sharing one PostgreSQL and one Redis, as in production: a rating made
through one is seen through the other, and the page cache invalidation crosses them.

Needs PostgreSQL and Redis on 127.0.0.1 (CI has both); skipped with the reason otherwise.
"""

import subprocess

import pytest
from django.db import connection

from tests.servers import (
    Browser,
    free_port,
    manage,
    redis_answers,
    scratch_database,
    server_env,
    stop,
    wait_for,
)  # fmt: skip

REDIS_URL = "redis://127.0.0.1:6379/2"


pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two app servers need a shared database server: run the suite on PostgreSQL",
    ),
    pytest.mark.skipif(not redis_answers(), reason="needs Redis on 127.0.0.1:6379"),
]


@pytest.fixture
def database_url(tmp_path):
    yield from scratch_database(tmp_path, "colophon_scale_test")


def start(env: dict, port: int, log) -> subprocess.Popen:
    from tests.servers import REPO

    return subprocess.Popen(
        [str(REPO / ".venv/bin/gunicorn"), "config.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2"],
        cwd=REPO, env={**env, "PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def test_two_app_servers_share_ratings_and_cache_invalidation(database_url, tmp_path):
    first_port, second_port = free_port(), free_port()
    env = server_env(database_url, tmp_path, first_port, CACHE_URL=REDIS_URL)
    manage(env, "collectstatic", "--no-input", "-v0")
    manage(env, "migrate", "-v0")
    manage(env, "load_demo")
    manage(env, "shell", "-c", "from django.core.cache import cache; cache.clear()")
    log = (tmp_path / "servers.log").open("w")
    servers = [start(env, first_port, log), start(env, second_port, log)]
    try:
        for port, server in zip((first_port, second_port), servers, strict=True):
            wait_for(port, server)
        book = "/books/the-last-battle/"
        reader = Browser(second_port)
        reader.request("GET", book)
        status, page = reader.request("GET", book)
        assert "4.4 out of 5" in page and "(the editor’s rating)" in page
        assert reader.headers["X-Page-Cache"] == "hit"  # the second server cached it

        # A rating through the first server …
        rater = Browser(first_port)
        assert rater.rate("the-last-battle", 5) == 302
        # … is on the page the second server serves, cached a moment ago.
        again = Browser(second_port)
        _, page = again.request("GET", book)
        assert "5.0 out of 5" in page and "(1 rating)" in page
        assert again.headers["X-Page-Cache"] is None  # dropped by the first server's change
        _, article = Browser(second_port).request("GET", "/articles/unlikely-allies/")
        assert "5.0 out of 5" in article and "(1 rating)" in article
    finally:
        for server in servers:
            stop(server)
        log.close()
