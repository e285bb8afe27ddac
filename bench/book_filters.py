"""The book list's filters at a million books: each input's page, rendered cold.

    .venv/bin/python bench/book_filters.py            # colophon_scale_1m (bench/scale.py)
    .venv/bin/python bench/book_filters.py --runs 20 --database colophon_scale_100k

Reads only: no migration, no VACUUM (bench/scale.py makes and prepares the catalogue;
others may be measuring on it). Production settings, page cache off, local-memory
cache: per address the median and 95th percentile of the page's render and of its
slowest query, and the query count; then the load average, which moves every figure on
a shared machine. The inputs are the audit's (1 and 2 letters), common and rare words,
phrases of common words that a trigram index cannot narrow, LIKE wildcards, and the
deep pages of each kind of filter.
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from time import perf_counter

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("SCALE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")

QUERIES = [
    "q=z", "q=zq", "author=q&q=z", "q=%25%25%25", "q=zqx", "q=que", "q=war", "q=love",
    "q=night", "q=the", "q=of+the", "q=the+the", "q=a+a+a", "q=e+t", "q=ing+the",
    "q=lord+of+the+rings", "author=marquez", "author=lee", "author=son",
    "author=john&q=the", "q=que&language=es&sort=ratings", "q=love&page=50",
    "q=night&sort=rating&page=50", "author=lee&page=50", "q=the&sort=newest&page=50",
    "min_rating=4.5&sort=title&page=50", "year_min=2017&sort=rating&page=50",
    "year_min=2017&year_max=2017&min_rating=4.5&sort=title", "language=id&sort=newest",
]  # fmt: skip


def setup(database: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        DATABASE_URL=SERVER_URL + database,
        CACHE_URL="locmemcache://book-filters",
        PAGE_CACHE_SECONDS="0",
        MEDIA_ROOT=tempfile.mkdtemp(prefix="colophon-filters-"),
    )
    os.environ.setdefault("SECRET_KEY", "colophon-bench-only-secret-key")
    sys.path.insert(0, str(REPO_ROOT))
    import logging

    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    logging.disable(logging.WARNING)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="colophon_scale_1m")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    setup(args.database)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.get("/books/")  # the cached language list
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print("| /books/? | page median ms | page p95 ms | slowest query median ms | p95 | queries |")
    print("|---|---:|---:|---:|---:|---:|")
    for query in QUERIES:
        pages, slowest = [], []
        for _ in range(args.runs + 1):
            with CaptureQueriesContext(connection) as captured:
                started = perf_counter()
                response = client.get(f"/books/?{query}")
                pages.append((perf_counter() - started) * 1000)
            assert response.status_code == 200, (query, response.status_code)
            slowest.append(max(float(q["time"]) * 1000 for q in captured.captured_queries))
        pages, slowest = pages[1:], slowest[1:]  # the first is a warm-up
        print(
            f"| `{query}` | {statistics.median(pages):.1f} | {percentile(pages, 0.95):.1f} "
            f"| {statistics.median(slowest):.1f} | {percentile(slowest, 0.95):.1f} "
            f"| {len(captured)} |",
            flush=True,
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
