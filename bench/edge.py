"""Edge benchmark: the article page through Varnish (`make serve-edge`), the same page
from Django with its page cache (gunicorn asked directly, each process's copies on, and
again with them off), and the hello-world floor, all under wrk in one run on the same
machine; then the time from an edit to the fresh page through the edge, and the
uncached render behind it.

Prints requests a second and each one's ratio to the floor (goal: the edge at least 5x
the floor), edit-to-fresh (goal: at most 100 ms) and the uncached render (goal: at most
5 ms). Needs wrk, varnishd and Redis on 127.0.0.1:6379 (its database 3, flushed); a
scratch SQLite database and media folder.
"""

import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load import ARTICLE, WORKERS, free_port, redis_url, start, stop, wait_for, wrk

REPO = Path(__file__).resolve().parent.parent
ROUNDS = 20


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


def edit_to_fresh(port: int, app_port: int) -> None:
    """In a process set up as the app's (Django's settings, EDGE_PURGE_URLS): retitle the
    article ROUNDS times and time each until the edge serves the new title; then time
    the app's render of the article after its tag is dropped."""
    import django

    django.setup()
    from articles.models import Article
    from pagecache.tags import tag_for
    from pagecache.versions import invalidate

    article = Article.objects.get(slug=ARTICLE.strip("/").split("/")[-1])
    fresh = []
    for round_ in range(ROUNDS):
        fetch(port, ARTICLE)  # the page is at the edge
        title = f"Unlikely Allies, take {round_}"
        started = time.perf_counter()
        article.title = title
        article.save()  # commits, drops the page, purges it at the edge
        while title not in fetch(port, ARTICLE)[1]:
            if time.perf_counter() - started > 5:
                raise SystemExit("the edge did not show the change within 5 s")
        fresh.append((time.perf_counter() - started) * 1000)
    renders = []
    for _ in range(ROUNDS):
        invalidate(tag_for(article))
        started = time.perf_counter()
        fetch(app_port, ARTICLE)
        renders.append((time.perf_counter() - started) * 1000)
    print(
        f"edge: edit to fresh page through the edge, median {statistics.median(fresh):.0f} ms, "
        f"slowest {max(fresh):.0f} ms (goal 100 ms); uncached render through gunicorn "
        f"{statistics.median(renders):.1f} ms median (goal 5 ms)"
    )


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
        subprocess.run(["redis-cli", "-n", "3", "flushdb"], capture_output=True)
        log = (tmp / "servers.log").open("w")
        edge = start(["make", "serve-edge"], env, REPO, log)
        floor = start(
            [str(REPO / ".venv/bin/gunicorn"), "floor.wsgi:application", "--bind",
             f"127.0.0.1:{floor_port}", "--workers", WORKERS],
            {**os.environ, "PYTHONPATH": str(REPO / "bench")}, REPO, log,
        )  # fmt: skip
        plain = None
        try:
            ready(port)
            # The same app, each process's page copies off (pagecache/localcopies.py).
            plain = start(
                [str(REPO / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "--bind",
                 f"127.0.0.1:{plain_port}", "config.wsgi"],
                {**env, "PAGE_COPIES_MB": "0"}, REPO, log,
            )  # fmt: skip
            wait_for(floor_port, floor)
            ready(plain_port)
            urls = {
                "floor": f"http://127.0.0.1:{floor_port}/",
                "edge": f"http://127.0.0.1:{port}{ARTICLE}",
                "django": f"http://127.0.0.1:{app_port}{ARTICLE}",
                "django, no copies": f"http://127.0.0.1:{plain_port}{ARTICLE}",
            }
            for url in urls.values():
                wrk(url, 4, 2)  # warm: the first requests fill the caches
            runs = {name: wrk(url, 16, 10) for name, url in urls.items()}
            floor_rps = runs["floor"]["rps"]
            print(f"edge, 16 connections, {WORKERS} gunicorn workers, the same machine:")
            for name, run in runs.items():
                print(
                    f"  {name:18} {run['rps']:>9,.0f} req/s  {run['rps'] / floor_rps:5.2f}x "
                    f"the floor  median {run['median']}  errors {run['errors']}"
                )
            print(f"  edge / django: {runs['edge']['rps'] / runs['django']['rps']:.1f}x (goal: "
                  f"edge >= 5x the floor)")  # fmt: skip
            subprocess.run(
                [sys.executable, __file__, "--edit-to-fresh", str(port), str(app_port)],
                env={**env, "PYTHONPATH": f"{REPO}:{REPO / 'bench'}",
                     "DJANGO_SETTINGS_MODULE": "config.settings"},
                cwd=REPO, check=True,
            )  # fmt: skip
        finally:
            for process in (edge, floor, plain):
                if process is not None:
                    stop(process)
            log.close()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--edit-to-fresh":
        sys.path.insert(0, str(REPO))
        edit_to_fresh(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
