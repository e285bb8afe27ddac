"""Benchmark: uncached pages rendered end to end through the test client: the seed
article, an article of 30 book cards, and a book page (issue 23: the article ≤ 5 ms and
≤ 6 queries whatever its number of cards, the book page ≤ 10 ms). No page cache and no
shared cache; the articles' cards as stored in the database (pagecache.stored_parts,
once the first request has made them), then with nothing stored (every card rendered).

Then the same pages with the page cache on over Redis (BENCH_REDIS_DB, as bench/load.py;
flushed), each request a page-cache miss: "cold", everything dropped before it (as after
an import), and "fragments kept", only the page's own entry dropped (as at an edge that
has not seen the page), so the parts kept across requests (pagecache.fragments) are used;
for the book page also "after a rating of it", which drops its own parts alone.
"""

import math
import statistics
import time

RUNS = 200
WARMUP = 5
ARTICLE_URL = "/articles/unlikely-allies/"
CARDS = 30


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of `samples` (fraction in 0..1)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def measure(client, label: str, url: str, runs: int, before=None) -> None:
    """Print the median and 95th percentile of `runs` requests and their SQL queries;
    `before` is called (untimed) before each request."""
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def get():
        if before is not None:
            before()
        # The log keeps at most 9,000 queries and is never emptied between these
        # captures: once full, every request counted 0.
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}, not 200")
        if response.get("X-Page-Cache") == "hit":
            raise SystemExit(f"{url} came from the page cache: not a render")
        return elapsed, len(queries)

    for _ in range(WARMUP):
        get()
    timings_ms: list[float] = []
    query_counts: set[int] = set()
    for _ in range(runs):
        elapsed, queries = get()
        timings_ms.append(elapsed)
        query_counts.add(queries)
    counts = "/".join(str(n) for n in sorted(query_counts))
    debug = "on" if settings.DEBUG else "off"
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
        connection.vendor, connection.vendor
    )
    print(
        f"{label} {url}: median {statistics.median(timings_ms):.1f} ms, "
        f"p95 {percentile(timings_ms, 0.95):.1f} ms, {counts} SQL queries "
        f"({runs} runs, DEBUG {debug}, {vendor})",
        flush=True,
    )


def article_of_many_cards():
    """An article embedding CARDS different books (the most rated of the catalogue when
    goodbooks-10k was imported, else books made here), under a heading with "buy" for
    the last of them, like the seed."""
    from articles.models import Article
    from catalogue.models import Author, Book, Contribution

    books = list(Book.objects.public().order_by("-rating_total_count", "pk")[:CARDS])
    if len(books) < CARDS:
        author, _ = Author.objects.get_or_create(slug="bench-author", defaults={"name": "Bench"})
        for number in range(len(books), CARDS):
            book, _ = Book.objects.get_or_create(
                slug=f"bench-book-{number}",
                defaults={"title": f"Bench book {number}", "language": "en"},
            )
            Contribution.objects.get_or_create(book=book, author=author, position=0)
            books.append(book)
    lines = ["Thirty books, each with a few words about it."]
    for number, book in enumerate(books):
        if number == CARDS - 1:
            lines += ["", "## Buy the Book"]
        lines += ["", f"Book {number + 1} is worth a look.", "", f"[[book:{book.slug}]]"]
    article, _ = Article.objects.update_or_create(
        slug="thirty-cards",
        defaults={
            "title": "Thirty cards",
            "body": "\n".join(lines),
            "status": Article.Status.PUBLISHED,
        },
    )
    return article


def bench_article_page(runs: int = RUNS) -> None:
    from django.test import Client
    from django.test.utils import override_settings

    from articles.demo import load_demo
    from articles.recommendations import refresh_all
    from catalogue.models import Book
    from pagecache import stored_parts

    load_demo()
    article = article_of_many_cards()
    refresh_all()  # Read next as the worker keeps it
    # A page read a while after the last change, as readers mostly do: a card made
    # within a second of a change to what it shows is not stored (stored_parts).
    time.sleep(stored_parts.CLOCK_MARGIN / 1e9 + 0.2)
    client = Client(HTTP_HOST="localhost")
    # The cards as stored in the database (pagecache.stored_parts) since the first of
    # the warm-up requests; then with none stored, every card rendered from its book.
    measure(client, "article page", ARTICLE_URL, runs)
    measure(client, f"article of {CARDS} cards", article.get_absolute_url(), runs)
    with override_settings(STORED_PARTS_SECONDS=0):
        measure(client, "article page, nothing stored", ARTICLE_URL, runs)
        measure(
            client, f"article of {CARDS} cards, nothing stored", article.get_absolute_url(), runs
        )
    # The book page of the most rated book (The Hunger Games with goodbooks-10k).
    book = Book.objects.public().order_by("-rating_total_count", "pk").first()
    measure(client, "book page", book.get_absolute_url(), runs)
    pages = [
        ("article page", ARTICLE_URL),
        (f"article of {CARDS} cards", article.get_absolute_url()),
        ("book page", book.get_absolute_url()),
    ]
    bench_page_cache_misses(client, pages, book, runs)


def bench_page_cache_misses(client, pages: list[tuple[str, str]], book, runs: int) -> None:
    """The pages rendered with the page cache on over Redis, each request a miss."""
    from django.core.cache import cache
    from django.test.utils import override_settings
    from load import redis_url

    from catalogue.models import Book
    from pagecache import store
    from pagecache.tags import SITE, list_of, tag_for
    from pagecache.versions import invalidate

    redis = redis_url()
    if not redis:
        print("page-cache misses: skipped, no Redis at 127.0.0.1:6379", flush=True)
        return
    shared = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": redis}}  # fmt: skip
    with override_settings(CACHES=shared, PAGE_CACHE_SECONDS=3600):
        cache.clear()
        invalidate(SITE)  # the change counter exists, as on a live site
        for label, url in pages:
            key = store.page_key(f"http://localhost{url}")
            own_entry_dropped = lambda key=key: cache.delete(key)  # noqa: E731
            measure(client, f"{label} (Redis page cache missed, cold)", url, runs,
                    before=lambda: invalidate(SITE))  # fmt: skip
            measure(client, f"{label} (Redis page cache missed, fragments kept)", url, runs,
                    before=own_entry_dropped)  # fmt: skip
        # A reader's rating drops the book's pages and the sorted lists (catalogue.signals).
        measure(
            client, "book page (Redis page cache missed after a rating of it)",
            book.get_absolute_url(), runs,
            before=lambda: invalidate(tag_for(book), list_of(Book)),
        )  # fmt: skip
        # And of a book it lists (another volume of its series): its lists are made anew.
        if book.series and (
            listed := Book.objects.public().in_series(book.series).exclude(pk=book.pk).first()
        ):
            measure(
                client, "book page (Redis page cache missed after a rating of a book it lists)",
                book.get_absolute_url(), runs,
                before=lambda: invalidate(tag_for(listed), list_of(Book)),
            )  # fmt: skip
        cache.clear()
