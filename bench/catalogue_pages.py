"""Benchmarks: importing the real goodbooks-10k file, then the catalogue pages over it."""

import statistics
import time
import tracemalloc
from pathlib import Path

from article_render import percentile

BOOKS_CSV = Path(__file__).resolve().parent.parent.parent / "shared/data/goodbooks-10k/books.csv"
RUNS = 50


def bench_import() -> None:
    from django.db import connection

    from catalogue.importers import import_books
    from catalogue.models import Book

    if not BOOKS_CSV.exists():
        print(f"import: skipped, {BOOKS_CSV} not found")
        return
    start = time.perf_counter()
    report = import_books(BOOKS_CSV)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = import_books(BOOKS_CSV)
    second = time.perf_counter() - start
    # Memory is traced on a third pass (tracing slows Python, so not on the timed ones):
    # it reads and compares every row, so its peak shows whether memory follows the file.
    tracemalloc.start()
    import_books(BOOKS_CSV)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    isbns = Book.objects.exclude(isbn13="").values("isbn13").distinct().count()
    print(
        f"import {BOOKS_CSV.name} ({connection.vendor}): {report.rows:,} rows in {first:.1f} s "
        f"({report.rows / first:,.0f} rows/s), peak traced memory {peak / 2**20:.1f} MiB; "
        f"{Book.objects.count():,} books, {isbns:,} distinct ISBN-13s; "
        f"second run {second:.1f} s, {again.created} created"
    )


def bench_catalogue_pages() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalogue.models import Author, Book

    popular = Book.objects.filter(goodreads_id=2767052).first()  # The Hunger Games
    if popular is None:
        print("catalogue pages: skipped, the goodbooks-10k import was skipped")
        return
    prolific = Author.objects.get(name="Stephen King")
    pages = [
        ("book list", "/books/"),
        (
            "book list, filtered and sorted by rating",
            "/books/?language=en&min_rating=4&sort=rating",
        ),
        ("book list, page 200", "/books/?page=200"),
        ("book page", popular.get_absolute_url()),
        ("author page (Stephen King)", prolific.get_absolute_url()),
        ("search 'hunger games'", "/search/?q=hunger+games"),
        ("search 'It'", "/search/?q=It"),
    ]
    client = Client(HTTP_HOST="localhost")
    for label, url in pages:
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, url
        print(
            f"{label} {url} ({connection.vendor}, {Book.objects.count():,} books): "
            f"median {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
            f"{len(queries)} SQL queries"
        )
