"""Benchmark: the seed article's "Read next" read as its page reads it, uncached
(Article.recommendations, articles/read_next.py), beside the ORM query it replaced
(built at every request, kept here to compare): median of 500 calls each, taken in
interleaved rounds, the same with the aside rendered (templates/includes/read_next.html),
and the Python function calls of one call (cProfile). On the demo's three articles (the
list topped up with the latest), then with ARTICLES more and ten rows kept for the seed.

Runs alone: `.venv/bin/python bench/read_next.py [DATABASE_URL]` (default: a temp SQLite;
the database given is migrated and written to).
"""

import cProfile
import datetime as dt
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ARTICLES = 100_000
ROUNDS, CALLS = 10, 50  # 500 calls each, interleaved
SEED = "unlikely-allies"


def orm_query_replaced(article, limit: int = 3) -> list:
    """Article.recommendations() as of 5a3906c: one ORM query built at each call."""
    from django.db.models import F, OuterRef, Q, Subquery

    from articles.models import Article, Recommendation

    rows = Recommendation.objects.filter(article=article.pk)
    row = rows.filter(recommended=OuterRef("pk"))
    latest = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .exclude(pk__in=article.excluded_recommendations.values("pk"))
        .order_by("-published_at", "-pk")
        .values("pk")[:limit]
    )
    return list(
        Article.objects.published()
        .for_teasers()
        .filter(Q(pk__in=rows.values("recommended")) | Q(pk__in=latest))
        .annotate(
            recommended_pinned=Subquery(row.values("pinned")[:1]),
            recommended_score=Subquery(row.values("score")[:1]),
        )
        .order_by(
            F("recommended_pinned").desc(nulls_last=True),
            F("recommended_score").desc(nulls_last=True),
            "-published_at",
            "-pk",
        )[:limit]
    )


def measure(label: str) -> None:
    from django.db import connection
    from django.template.loader import render_to_string

    from articles.models import Article

    article = Article.objects.get(slug=SEED)

    def aside(read):
        return lambda: render_to_string("includes/read_next.html", {"recommendations": read()})

    before, now = (lambda: orm_query_replaced(article)), article.recommendations
    if [shown.pk for shown in before()] != [shown.pk for shown in now()]:
        raise SystemExit("the two readings disagree")
    ways = {"ORM query (before)": before, "read_next (now)": now,
            "ORM query + aside": aside(before), "read_next + aside": aside(now)}  # fmt: skip
    timings = {name: [] for name in ways}
    for read in ways.values():
        for _ in range(20):
            read()
    for _ in range(ROUNDS):
        for name, read in ways.items():
            for _ in range(CALLS):
                start = time.perf_counter()
                read()
                timings[name].append((time.perf_counter() - start) * 1000)
    for name, read in ways.items():
        profile = cProfile.Profile()
        profile.enable()
        read()
        profile.disable()
        print(
            f"{label}, {name} ({connection.vendor}): median "
            f"{statistics.median(timings[name]):.3f} ms, "
            f"{pstats.Stats(profile).total_calls:,} function calls",
            flush=True,
        )


def add_articles(count: int) -> None:
    """`count` public articles, older than the demo's, and ten kept rows for the seed."""
    from django.db import connection
    from django.utils import timezone

    from articles.models import Article, Recommendation

    start = timezone.now() - dt.timedelta(days=5 * 365)
    Article.objects.bulk_create(
        (
            Article(
                title=f"Bench read next {number}",
                slug=f"bench-read-next-{number}",
                status=Article.Status.PUBLISHED,
                published_at=start + dt.timedelta(minutes=number),
            )
            for number in range(count)
        ),
        batch_size=2000,
    )
    seed = Article.objects.get(slug=SEED)
    kept = Article.objects.filter(slug__startswith="bench-read-next-").order_by("?")[:10]
    Recommendation.objects.bulk_create(
        Recommendation(article=seed, recommended=other, score=n / 10, reasons="bench")
        for n, other in enumerate(kept)
    )
    with connection.cursor() as cursor:
        # The statistics a live database keeps (autovacuum is off on the bench machine):
        # without them PostgreSQL takes 100,000 rows for a few and sorts them all.
        cursor.execute("ANALYZE")


def bench_read_next(articles: int = ARTICLES) -> None:
    from articles.demo import load_demo
    from articles.recommendations import refresh_all

    load_demo()
    refresh_all()
    measure("demo, 3 articles")
    add_articles(articles)
    measure(f"{articles:,} articles more")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import setup_django

    with tempfile.TemporaryDirectory(prefix="colophon-bench-") as tmp:
        database = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{Path(tmp) / 'b.sqlite3'}"
        setup_django(Path(tmp), database)
        bench_read_next()
