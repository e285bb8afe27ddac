"""Edge benchmark: the article page through Varnish (`make serve-edge`), the same page
from Django asked directly (with its Redis page cache, and with none: every request
rendered), and the hello-world floor, all under wrk in one run on the same machine, with
how many of the edge's requests reached Django; then the time from an edit to the fresh
page through the edge, and the uncached render behind it (bench/article_render.py).

Prints requests a second and each one's ratio to the floor (goal: the edge at least 5x
the floor), edit-to-fresh from the commit, median and 95th percentile (goal: at most
100 ms) and the uncached render (goal: at most 5 ms). Needs wrk, varnishd and Redis on
127.0.0.1:6379 (database BENCH_REDIS_DB, default 3, flushed); a scratch SQLite database
and media folder.
"""

import http.client
import logging
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load import ARTICLE, BENCH_REDIS_DB, WORKERS, free_port, redis_url, start, stop, wait_for, wrk

REPO = Path(__file__).resolve().parent.parent
ROUNDS = 30


def fetch(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body


def ready(port: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if fetch(port, "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"nothing ready on {port}")


def varnish_counters(port: int) -> dict[str, int]:
    """Requests Varnish has had from clients, and made to the app (varnishstat)."""
    shown = subprocess.run(
        ["varnishstat", "-n", f"/tmp/colophon-varnish-{port}", "-1", "-f", "MAIN.client_req",
         "-f", "MAIN.backend_req"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    counters = dict(line.split()[:2] for line in shown.splitlines() if line.strip())
    return {name.removeprefix("MAIN."): int(value) for name, value in counters.items()}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def edit_to_fresh(port: int) -> None:
    """In a process set up as the app's (Django's settings, EDGE_PURGE_URLS): retitle the
    article ROUNDS times, an editor's pace apart, and time each from its commit until
    the edge serves the new title (the save's own time before the commit is printed
    apart); then the uncached render (bench/article_render.py)."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from articles.models import Article
    from pagecache import edge

    # When each round's first purge has been answered by the edge: the rest is the
    # edge fetching the page anew, the app rendering it.
    purged: list[float] = []
    send_purge = edge.send_purge

    def timed_purge(base, names, **how):
        send_purge(base, names, **how)
        purged.append(time.perf_counter())

    edge.send_purge = timed_purge
    article = Article.objects.get(slug=ARTICLE.strip("/").split("/")[-1])
    saves, fresh, purges = [], [], []
    for round_ in range(ROUNDS):
        fetch(port, ARTICLE)  # the page is at the edge
        time.sleep(edge.REPEAT_AFTER + 0.2)  # the last edit's second purge is behind us
        purged.clear()
        title = f"Unlikely Allies, take {round_}"
        committed = []
        started = time.perf_counter()
        with transaction.atomic():
            # Registered first, so it runs first: the moment the change is in the
            # database, before the page cache's versions move and the edges are purged.
            transaction.on_commit(lambda done=committed: done.append(time.perf_counter()))
            article.title = title
            article.save()
        while title not in fetch(port, ARTICLE)[1]:
            if time.perf_counter() - started > 5:
                raise SystemExit("the edge did not show the change within 5 s")
        fresh.append((time.perf_counter() - committed[0]) * 1000)
        saves.append((committed[0] - started) * 1000)
        if purged:
            purges.append((purged[0] - committed[0]) * 1000)
    print(
        f"edge: edit to fresh page through the edge, from the commit: median "
        f"{statistics.median(fresh):.0f} ms, p95 {percentile(fresh, 0.95):.0f} ms, slowest "
        f"{max(fresh):.0f} ms ({ROUNDS} edits; goal 100 ms); the save before its commit "
        f"{statistics.median(saves):.0f} ms median; the purge answered "
        f"{statistics.median(purges):.1f} ms after the commit (median), the rest is the "
        "edge's fetch of the page anew",
        flush=True,
    )
    # The render behind a miss, as bench/article_render.py measures it: page cache off.
    from article_render import bench_article_page

    settings.PAGE_CACHE_SECONDS = 0
    logging.disable(logging.INFO)  # a JSON access line per request is not a figure
    bench_article_page()


def main() -> None:
    missing = [tool for tool in ("wrk", "varnishd") if not shutil.which(tool)]
    cache = redis_url()
    if missing or not cache:
        print(f"edge: skipped, needs {', '.join(missing) or 'Redis on 127.0.0.1:6379'}")
        return
    with tempfile.TemporaryDirectory(prefix="colophon-edge-") as tmp:
        tmp = Path(tmp)
        port, app_port, plain_port, floor_port = (free_port() for _ in range(4))
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "colophon-edge-benchmark-key",
            "DATABASE_URL": f"sqlite:///{tmp / 'edge.sqlite3'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "STATIC_ROOT": str(tmp / "static"),
            "PORT": str(port),
            "APP_PORT": str(app_port),
            "WEB_CONCURRENCY": WORKERS,
            "CACHE_URL": cache,
            "EDGE_PURGE_URLS": f"http://127.0.0.1:{port}",
        }
        subprocess.run(["redis-cli", "-n", BENCH_REDIS_DB, "flushdb"], capture_output=True)
        log = (tmp / "servers.log").open("w")
        edge = start(["make", "serve-edge"], env, REPO, log)
        floor = start(
            [str(REPO / ".venv/bin/gunicorn"), "floor.wsgi:application", "--bind",
             f"127.0.0.1:{floor_port}", "--workers", WORKERS],
            {**os.environ, "PYTHONPATH": str(REPO / "bench")}, REPO, log,
        )  # fmt: skip
        # The same app asked directly, as the origin behind edges: with its page cache
        # (the gunicorn behind Varnish), and with none (every request rendered).
        variants = {"uncached": {"PAGE_CACHE_SECONDS": "0"}}
        origins = {}
        try:
            ready(port)
            for name, settings in variants.items():
                origin_port = free_port()
                origins[name] = (origin_port, start(
                    [str(REPO / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py",
                     "--bind", f"127.0.0.1:{origin_port}", "config.wsgi"],
                    {**env, **settings}, REPO, log,
                ))  # fmt: skip
            wait_for(floor_port, floor)
            for origin_port, _ in origins.values():
                ready(origin_port)
            urls = {
                "through Varnish": f"http://127.0.0.1:{port}{ARTICLE}",
                "Django, Redis page cache": f"http://127.0.0.1:{app_port}{ARTICLE}",
                "Django, rendered": f"http://127.0.0.1:{origins['uncached'][0]}{ARTICLE}",
                "hello-world floor": f"http://127.0.0.1:{floor_port}/",
            }
            for url in urls.values():
                wrk(url, 4, 2)  # warm: the first requests fill the caches
            runs = {}
            for name, url in urls.items():
                before = varnish_counters(port)
                runs[name] = wrk(url, 16, 10)
                if name == "through Varnish":
                    after = varnish_counters(port)
                    reached = after["backend_req"] - before["backend_req"]
                    served = after["client_req"] - before["client_req"]
            floor_rps = runs["hello-world floor"]["rps"]
            load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
            print(
                f"edge, the article page, 16 connections, {WORKERS} gunicorn workers "
                f"(load average {load}):"
            )
            for name, run in runs.items():
                print(
                    f"  {name:26} {run['rps']:>9,.0f} req/s  {run['rps'] / floor_rps:5.2f}x "
                    f"the floor  median {run['median']:>8}  errors {run['errors']}"
                )
            edge_rps = runs["through Varnish"]["rps"]
            cached_rps = runs["Django, Redis page cache"]["rps"]
            print(
                f"  through Varnish {edge_rps / floor_rps:.1f}x the floor (goal 5x) and "
                f"{edge_rps / cached_rps:.1f}x Django's page cache, {reached:,} of its "
                f"{served:,} requests reaching Django; Django's page cache "
                f"{cached_rps / runs['Django, rendered']['rps']:.1f}x rendering every request",
                flush=True,
            )
            subprocess.run(
                [sys.executable, __file__, "--edit-to-fresh", str(port)],
                env={**env, "PYTHONPATH": f"{REPO}:{REPO / 'bench'}",
                     "DJANGO_SETTINGS_MODULE": "config.settings"},
                cwd=REPO, check=True,
            )  # fmt: skip
        finally:
            for process in (edge, floor, *(process for _, process in origins.values())):
                stop(process)
            log.close()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--edit-to-fresh":
        sys.path.insert(0, str(REPO))
        edit_to_fresh(int(sys.argv[2]))
    else:
        main()
