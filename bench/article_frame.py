"""Benchmark: the frame of an uncached page (issue 23): everything a request through the
whole middleware chain costs but the article's read, its body and its Read next, which
are timed apart and taken off. The page cache off (PAGE_CACHE_SECONDS=0, LocMem, DEBUG
off), as issue 23 measures the render. Prints, per page, the median of the request, of
the parts taken off, of the frame, the template's render alone with the view's context
captured, and the Python function calls per request (cProfile), the steadiest figure on
a shared machine.

Runs on a database already loaded (load_demo, import_books), with collectstatic's
manifest (STATIC_ROOT), as production serves {% static %}:
    DATABASE_URL=sqlite:////tmp/you/db.sqlite3 STATIC_ROOT=/tmp/you/static \
        BENCH_CLOCK=cpu .venv/bin/python bench/article_frame.py

Measured on 2026-12-07 (08:41-08:43, load 2-3 on the two shared cores, CPU clock), the
tree without and with the frame's changes (1857446, 2024dd2, 1cb1360), two runs each:
the seed's frame with its parts kept 1.37-1.50 ms to 1.22-1.32 ms, 5,393 to 4,765 calls;
the rest of the request (its parts timed, taken off) 1.46-1.52 to 1.29-1.39 ms; the
template alone 0.70-0.71 to 0.52-0.56 ms. Instructions a request (valgrind, the parts
kept, 50 requests): seed article 9.08 M to 7.64 M (-16 %), the most rated book's page
62.61 M to 62.13 M, /books/ 108.96 M to 108.57 M.
"""

import cProfile
import os
import pstats
import statistics
import sys
import time

RUNS = 300
# BENCH_CLOCK=cpu: the process's CPU time, steadier than the wall clock on a busy machine.
clock = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter
WARMUP = 20
# The pages measured (BENCH_PAGES, comma-separated); "book" is the most rated book's.
PAGES = os.environ.get("BENCH_PAGES", "/articles/unlikely-allies/,/books/,book").split(",")


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.pop("CACHE_URL", None)
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()


class ArticleParts:
    """The view's article read, body and Read next (articles.views), wrapped: timed, and,
    once `kept` is set, each worked out once and then given as it was, so that a request
    costs its frame alone."""

    def __init__(self):
        self.spent = 0.0
        self.kept = False
        self.answers: dict = {}

    def wrap(self, function):
        def timed(*args, **kwargs):
            key = (function.__name__, *map(repr, args))
            if self.kept and key in self.answers:
                return self.answers[key]
            start = clock()
            try:
                answer = self.answers[key] = function(*args, **kwargs)
                return answer
            finally:
                self.spent += clock() - start

        return timed

    def install(self) -> None:
        from articles import views
        from articles.models import Article

        views.published_article = self.wrap(views.published_article)
        views.read_next_and_topics = self.wrap(views.read_next_and_topics)
        Article.render_body = self.wrap(Article.render_body)


def median_ms(client, url: str, parts: ArticleParts) -> tuple[float, float, float]:
    """Medians of the request, of the article's parts in it, and of the rest."""
    for _ in range(WARMUP):
        client.get(url)
    totals, spent = [], []
    for _ in range(RUNS):
        parts.spent = 0.0
        start = clock()
        response = client.get(url)
        totals.append((clock() - start) * 1000)
        spent.append(parts.spent * 1000)
        assert response.status_code == 200, (url, response.status_code)
    frames = [total - part for total, part in zip(totals, spent, strict=True)]
    return statistics.median(totals), statistics.median(spent), statistics.median(frames)


def template_render_ms(client, url: str, runs: int) -> float:
    """The median time of rendering the page's template alone, with the context its view
    gave it (captured from one request)."""
    from django.template import engines
    from django.test.signals import template_rendered
    from django.test.utils import setup_test_environment, teardown_test_environment

    captured = []

    def keep(sender, template, context, **kwargs):
        captured.append((template, context.flatten()))  # the processors' part goes after

    setup_test_environment()  # templates send template_rendered with their context
    template_rendered.connect(keep, weak=False)
    try:
        response = client.get(url)
    finally:
        template_rendered.disconnect(keep)
        teardown_test_environment()
    # The page's own template (the body's cards, rendered by the view, come before it).
    names = response.template_name
    name = names if isinstance(names, str) else names[0]
    flat = next(context for template, context in captured if template.name == name)
    request = flat["request"]
    page = engines["django"].get_template(name)
    samples = []
    for _ in range(runs):
        start = clock()
        page.render(flat, request)
        samples.append((clock() - start) * 1000)
    return statistics.median(samples)


def calls_per_request(client, url: str, runs: int = 50) -> int:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        client.get(url)
    profile.disable()
    return round(pstats.Stats(profile).total_calls / runs)


def main() -> None:
    setup()
    from django.test import Client

    from catalogue.models import Book

    parts = ArticleParts()
    parts.install()
    client = Client(HTTP_HOST="localhost")
    for url in PAGES:
        if url == "book":
            url = Book.objects.public().order_by("-rating_total_count", "pk")[0].get_absolute_url()
        parts.kept = False
        total, spent, frame = median_ms(client, url, parts)
        print(
            f"{url}: request {total:.2f} ms, article read + body + Read next {spent:.2f} ms, "
            f"the rest {frame:.2f} ms",
            flush=True,
        )
        parts.kept = True
        _, _, frame = median_ms(client, url, parts)
        print(
            f"{url}: with the article's parts kept, the frame {frame:.2f} ms, "
            f"{calls_per_request(client, url)} calls a request; "
            f"the template alone {template_render_ms(client, url, RUNS):.2f} ms",
            flush=True,
        )


if __name__ == "__main__":
    main()
