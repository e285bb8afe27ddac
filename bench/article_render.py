"""Benchmark: the seed article page, rendered end to end through the test client."""

import math
import statistics
import time

RUNS = 200
WARMUP = 5
ARTICLE_URL = "/articles/unlikely-allies/"


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of `samples` (fraction in 0..1)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def bench_article_page(runs: int = RUNS) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.demo import load_demo

    load_demo()
    client = Client(HTTP_HOST="localhost")

    for _ in range(WARMUP):
        response = client.get(ARTICLE_URL)
        if response.status_code != 200:
            raise SystemExit(f"{ARTICLE_URL} answered {response.status_code}, not 200")

    timings_ms: list[float] = []
    query_counts: set[int] = set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(ARTICLE_URL)
            timings_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        query_counts.add(len(queries))

    counts = "/".join(str(n) for n in sorted(query_counts))
    debug = "on" if settings.DEBUG else "off"
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
        connection.vendor, connection.vendor
    )
    print(
        f"article page {ARTICLE_URL}: median {statistics.median(timings_ms):.1f} ms, "
        f"p95 {percentile(timings_ms, 0.95):.1f} ms, {counts} SQL queries "
        f"({runs} runs, DEBUG {debug}, {vendor})"
    )
