"""Benchmark: a full refresh of the recommendations for 1,000 and 10,000 articles.

The corpus is synthetic: articles in groups that share books and vocabulary, so the
engine has real work (every signal fires). Times are measured untraced: the first
refresh (every profile and every list written), then a second one that finds nothing
changed (so writes nothing, as a nightly refresh mostly does). Peak memory is Python's
traced peak over a third refresh that rewrites every list.
"""

import datetime as dt
import random
import time
import tracemalloc

GROUP_COUNT = 50
WORDS_PER_GROUP = 40
BOOKS_PER_GROUP = 8


def build_corpus(size: int, rng: random.Random) -> None:
    from django.utils import timezone

    from articles.models import Article
    from catalogue.models import Book

    now = timezone.now()
    vocabulary = [[f"g{group}w{n}" for n in range(WORDS_PER_GROUP)] for group in range(GROUP_COUNT)]
    common = [f"common{n}" for n in range(300)]
    books = Book.objects.bulk_create(
        Book(title=f"Bench book {g}-{n}", slug=f"bench-book-{size}-{g}-{n}")
        for g in range(GROUP_COUNT)
        for n in range(BOOKS_PER_GROUP)
    )
    articles = []
    for number in range(size):
        group = number % GROUP_COUNT
        words = [rng.choice(vocabulary[group] + common) for _ in range(400)]
        articles.append(
            Article(
                title=f"Bench article {size}-{number}",
                slug=f"bench-{size}-{number}",
                body=" ".join(words),
                status=Article.Status.PUBLISHED,
                published_at=now - dt.timedelta(hours=number),  # distinct, all in the past
            )
        )
    articles = Article.objects.bulk_create(articles, batch_size=1000)
    Through = Article.embedded_books.through
    Through.objects.bulk_create(
        (
            Through(article_id=article.pk, book_id=books[group * BOOKS_PER_GROUP + pick].pk)
            for number, article in enumerate(articles)
            for group in [number % GROUP_COUNT]
            for pick in rng.sample(range(BOOKS_PER_GROUP), 2)
        ),
        batch_size=5000,
    )


def bench_recommendations() -> None:
    from django.db import connection

    from articles.models import Article, Recommendation
    from articles.recommendations import refresh_all
    from catalogue.models import Book

    rng = random.Random(7)
    for size in (1_000, 10_000):
        Recommendation.objects.all().delete()
        Article.objects.filter(slug__startswith="bench-").delete()
        Book.objects.filter(slug__startswith="bench-book-").delete()
        build_corpus(size, rng)
        start = time.perf_counter()
        refreshed = refresh_all()
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        refresh_all()
        unchanged = time.perf_counter() - start
        Recommendation.objects.all().delete()  # so that the traced refresh writes every list
        tracemalloc.start()
        refresh_all()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows = Recommendation.objects.count()
        print(
            f"refresh_recommendations, {refreshed:,} articles ({connection.vendor}): "
            f"{elapsed:.1f} s ({refreshed / elapsed:,.0f} articles/s), "
            f"{unchanged:.1f} s again with nothing changed, "
            f"peak traced memory {peak / 2**20:.1f} MiB, {rows:,} rows stored"
        )
