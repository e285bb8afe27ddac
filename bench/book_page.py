"""Benchmark: the book page rendered with no cache at all (issue 23: within 10 ms, the
aim 8), through the test client, DEBUG off, LocMem and PAGE_CACHE_SECONDS=0: the most
rated book and the most rated book of a series besides it, on the demo data alone, then
with goodbooks-10k imported and the 30-card article of article_render.py (as `make
bench` measures them). Each line: median and 95th percentile, SQL queries, then the
median CPU time and the Python function calls a request (cProfile): the steady figures
on a shared machine, whose load stretches the clock's time, not the process's.

`.venv/bin/python bench/book_page.py` (a temp SQLite database), or with `--database URL`
(a scratch database of your own: it is migrated and written to).
"""

import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNS = 200


def calls_per_request(client, url: str, requests: int = 20) -> int:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        client.get(url)
    profile.disable()
    return pstats.Stats(profile).total_calls // requests


def cpu_per_request(client, url: str, requests: int = RUNS) -> float:
    """The median CPU time of a request, in ms."""
    times = []
    for _ in range(requests):
        start = time.process_time()
        client.get(url)
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def measure_books(client, label: str, runs: int) -> None:
    from article_render import measure

    from catalogue.models import Book

    most_rated = Book.objects.public().order_by("-rating_total_count", "pk")
    book = most_rated.first()
    series = most_rated.exclude(series="").exclude(pk=book.pk).first()
    for name, shown in [("most rated", book), ("most rated of a series", series)]:
        if shown is None:
            continue
        url = shown.get_absolute_url()
        measure(client, f"book page, {label}, {name}", url, runs)
        cpu, calls = cpu_per_request(client, url, runs), calls_per_request(client, url)
        print(f"  {cpu:.1f} ms of CPU, {calls:,} Python calls a request", flush=True)


def bench_book_page(runs: int = RUNS) -> None:
    from article_render import article_of_many_cards
    from catalogue_pages import BOOKS_CSV
    from django.conf import settings
    from django.test import Client

    from articles.demo import load_demo
    from articles.recommendations import refresh_all
    from catalogue.importers import import_books

    assert not settings.PAGE_CACHE_SECONDS, "the page without any cache: no CACHE_URL"
    client = Client(HTTP_HOST="localhost")
    load_demo()
    measure_books(client, "demo data", runs)
    if not BOOKS_CSV.exists():
        print(f"goodbooks-10k: skipped, {BOOKS_CSV} not found")
        return
    import_books(BOOKS_CSV)
    article_of_many_cards()
    refresh_all()
    measure_books(client, "goodbooks-10k", runs)


def main() -> None:
    from run import setup_django

    with tempfile.TemporaryDirectory(prefix="colophon-bench-book-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        if len(sys.argv) == 3 and sys.argv[1] == "--database":
            url = sys.argv[2]
        setup_django(Path(tmp), url)
        bench_book_page()


if __name__ == "__main__":
    main()
