"""Through the real server: `make serve` (gunicorn, two workers, DEBUG off), 23 readers
rating one book at the same moment, each with their own cookies, as browsers would.

It runs on the database the suite runs on: a scratch SQLite file, or a scratch
PostgreSQL database beside the test database when the suite runs on PostgreSQL.
"""

import subprocess
import threading
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.servers import (
    REPO,
    Browser,
    free_port,
    manage,
    scratch_database,
    server_env,
    stop,
    wait_for,
)

READERS = 23
SCORES = [(n * 7) % 5 + 1 for n in range(READERS)]


@pytest.fixture
def database_url(tmp_path):
    yield from scratch_database(tmp_path, "colophon_server_test")


def test_23_readers_at_once_through_make_serve(database_url, tmp_path):
    port = free_port()
    env = server_env(database_url, tmp_path, port)
    # All 23 come from one address with no visitor cookie yet: past the first few such
    # ratings of a book they would be held for moderation (tests/catalogue/
    # test_ratings_held.py), and this test is about counting concurrent ratings.
    env["RATING_HOLD_AFTER"] = str(READERS)
    manage(env, "migrate", "-v0")
    manage(
        env,
        "shell",
        "-c",
        "from catalogue.models import Book; Book.objects.create(title='Rated Together')",
    )
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
        stop(server)
        log.close()
