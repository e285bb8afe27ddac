"""Benchmark: the shop redirect `/go/<book>/<shop>/`: how soon its 302 is ready, and what
counting costs after it is sent (catalogue/shop_clicks.py counts in the response's
close(), which the server calls once the last byte is out).

Three figures, each the median of RUNS requests through Django's whole middleware chain:
the answer (the view and the middleware, the time a reader waits); counting a new
reader (the page's check, the day's row); counting a reader seen already today (one
cache lookup). Runs alone too: `.venv/bin/python bench/shop_clicks.py`.
"""

import statistics
import sys
import time
from pathlib import Path

RUNS = 300
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def bench_shop_clicks(runs: int = RUNS) -> None:
    from django.core.handlers.base import BaseHandler
    from django.core.signals import request_started
    from django.db import connection
    from django.test import RequestFactory

    from articles.demo import load_demo
    from articles.models import Article
    from catalogue.shop_clicks import click_url
    from catalogue.shops import Shop

    load_demo()
    article = Article.objects.published().first()
    book = article.embedded_books.first()
    shop = Shop.objects.filter(enabled=True).first()
    url = click_url(book, shop, article)
    handler = BaseHandler()
    handler.load_middleware()
    factory = RequestFactory()

    def once(address: str) -> tuple[float, float]:
        request = factory.get(
            url, REMOTE_ADDR=address, HTTP_USER_AGENT=BROWSER, HTTP_HOST="localhost", secure=True
        )
        start = time.perf_counter()
        request_started.send(sender=BaseHandler, environ=request.environ)
        response = handler.get_response(request)
        answered = time.perf_counter()
        response.close()  # what the server does once the answer is sent: the count
        counted = time.perf_counter()
        assert response.status_code == 302, response.status_code
        return (answered - start) * 1000, (counted - answered) * 1000

    for n in range(5):  # warm-up: shops read, content types cached
        once(f"10.9.0.{n}")
    new_readers = [once(f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}") for n in range(runs)]
    same_reader = [once("10.255.255.1") for _ in range(runs)]
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
        connection.vendor, connection.vendor
    )
    print(
        f"shop redirect {url.split('?')[0]}: 302 ready in median "
        f"{statistics.median(a for a, _ in new_readers):.2f} ms; counting after it is sent "
        f"{statistics.median(c for _, c in new_readers):.2f} ms for a new reader, "
        f"{statistics.median(c for _, c in same_reader):.2f} ms for one counted already "
        f"({runs} runs each, {vendor})"
    )


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import setup_django

    with tempfile.TemporaryDirectory(prefix="colophon-bench-") as tmp:
        database = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{Path(tmp) / 'b.sqlite3'}"
        setup_django(Path(tmp), database)
        bench_shop_clicks()
