"""Benchmark: the time a book takes to be created (its save and every receiver, committed:
what a desk editor waits for beyond the request) with 5,000 and then 50,000 articles,
each of about 600 words naming two books that exist and one that does not yet.

A new book looks for the articles whose references found no book and that name it
(articles.signals.renders_find_book): through the rows kept at save
(UnresolvedBookReference) one indexed query finds them; before those rows (9a5650b),
every article body was scanned by a regular expression. Two cases, the median of RUNS
creations each: a book no article names (most books), and one ten articles wait for.
The same script measures either: on code without the rows it prints "bodies scanned".
Runs alone: `.venv/bin/python bench/embeds.py [DATABASE_URL]` (a temp SQLite file by
default), `--sizes 5000,50000`.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNS = 15
SHELF = 200  # books that exist, two named by each article
WAITING = 10  # articles naming each missing book
COMMON_WORDS = (
    "the a of and to in that it was he for on is with as his they be at one have this "
    "from by hot word but what some we can out other were all there when up use your how "
    "said an each she which do their time if will way about many then them write would "
    "like so these her long make thing see him two has look more day could go come did "
    "number sound no most people my over know water than call first who may down side "
    "been now find novel reader chapter author library winter river letter garden war"
)
WORDS = COMMON_WORDS.split()


def body_of(number: int, rng: random.Random) -> tuple[str, list[str], str]:
    """An article's body (six paragraphs of about 100 words, three embeds), the slugs of
    the two books on the shelf it names and the slug it names that no book has yet."""
    shelf = [f"shelf-{(number * 7 + step) % SHELF}" for step in (0, 1)]
    missing = f"awaited-{number // WAITING}"  # articles 0-9 await the same book, and so on
    paragraphs = [" ".join(rng.choices(WORDS, k=100)).capitalize() + "." for _ in range(6)]
    lines = [
        paragraphs[0],
        f"[[book:{shelf[0]}]]",
        paragraphs[1],
        paragraphs[2],
        f"[[book:{shelf[1]}]]",
        paragraphs[3],
        paragraphs[4],
        f"[[book:{missing}]]",
        paragraphs[5],
    ]
    return "\n\n".join(lines) + "\n", shelf, missing


def add_articles(first: int, last: int, books: dict[str, int], template: dict) -> None:
    """Articles `first` to `last - 1`, written in bulk with their stored renders (the
    HTML of one body for all: only the references matter here), embeds and, where the
    model exists, their references that found no book."""
    from django.db import transaction

    from articles import models
    from articles.rendering import body_digest

    rng = random.Random(first)
    through = models.Article.embedded_books.through
    for start in range(first, last, 1000):
        articles, shelves = [], []
        for number in range(start, min(start + 1000, last)):
            body, shelf, missing = body_of(number, rng)
            refs = [*shelf, missing]
            articles.append(
                models.Article(
                    title=f"Article {number}",
                    slug=f"article-{number}",
                    body=body,
                    status=models.Article.Status.PUBLISHED,
                    published_at="2026-01-01T00:00:00Z",
                    rendered_body={
                        **template,
                        "refs": refs,
                        "buy_sections": [None] * 3,
                        "book_ids": {slug: books[slug] for slug in shelf},
                        "digest": body_digest(body),
                    },
                )
            )
            shelves.append(shelf)
        with transaction.atomic():
            articles = models.Article.objects.bulk_create(articles)
            through.objects.bulk_create(
                through(article_id=article.pk, book_id=books[slug])
                for article, shelf in zip(articles, shelves, strict=True)
                for slug in shelf
            )
            if hasattr(models, "UnresolvedBookReference"):
                models.UnresolvedBookReference.objects.record_for(articles)


def time_creation(slug: str) -> tuple[float, int]:
    """Milliseconds to create and commit a book, and its SQL queries."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from catalogue.models import Book

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        with transaction.atomic():
            Book(title=slug.replace("-", " ").title(), slug=slug).save()
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, len(queries)


def bench_embeds(sizes: tuple[int, ...] = (5000, 50000)) -> None:
    from django.db import connection

    from articles import models
    from articles.rendering import prepare_body
    from catalogue.models import Book

    Book.objects.bulk_create(Book(title=f"Shelf {n}", slug=f"shelf-{n}") for n in range(SHELF))
    books = dict(Book.objects.filter(slug__startswith="shelf-").values_list("slug", "pk"))
    # The stored HTML and nonce of one body (placeholders only: no reference is in it).
    template = prepare_body(body_of(0, random.Random(0))[0]).as_json()
    how = "references kept" if hasattr(models, "UnresolvedBookReference") else "bodies scanned"
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]
    made = 0
    for size in sizes:
        added = time.perf_counter()
        add_articles(made, size, books, template)
        groups = range(made // WAITING, size // WAITING)  # the books the new articles await
        made = size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        setup = time.perf_counter() - added
        time_creation(f"warm-up-{size}")
        lonely = [time_creation(f"nobody-names-{size}-{run}") for run in range(RUNS)]
        # Each missing slug is named by WAITING articles, those of one block of numbers.
        awaited = [
            time_creation(f"awaited-{groups[run * 97 % len(groups)]}") for run in range(RUNS)
        ]
        found = models.Article.objects.filter(embedded_books__slug=f"awaited-{groups[0]}")
        assert found.count() == WAITING, found.count()
        print(
            f"book created, {size:,} articles ({how}, {vendor}): named by none "
            f"{statistics.median(t for t, _ in lonely):.1f} ms "
            f"({'/'.join(str(n) for n in sorted({q for _, q in lonely}))} queries), "
            f"awaited by {WAITING} articles {statistics.median(t for t, _ in awaited):.1f} ms "
            f"({'/'.join(str(n) for n in sorted({q for _, q in awaited}))} queries); "
            f"median of {RUNS}; articles added in {setup:.0f} s",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", help="DATABASE_URL (default: a temp SQLite)")
    parser.add_argument("--sizes", default="5000,50000", help="article counts, ascending")
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import setup_django

    with tempfile.TemporaryDirectory(prefix="colophon-bench-") as tmp:
        database = options.database or f"sqlite:///{Path(tmp) / 'embeds.sqlite3'}"
        setup_django(Path(tmp), database)
        bench_embeds(tuple(int(size) for size in options.sizes.split(",")))
