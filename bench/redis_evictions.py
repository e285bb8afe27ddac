"""What a full Redis does to the page cache, by `maxmemory-policy` (README, Deployment).

Starts a Redis of its own (`redis-server` on a free loopback port, 4 MB of `maxmemory`,
nothing saved to disk; stopped at the end) for each policy, and drives the page cache's
own code against it (pagecache.store, pagecache.versions): pages of 4 KB stored under
one of many tags each, as readers ask for them, while changes move tags on, until far
more has been written than fits. Each time a stored page is found fresh, what it holds is
checked against what its tag's thing is now. Prints, per policy: pages stored, fresh
answers, stale answers (a page older than a change to what it shows), changes refused
by Redis, and keys Redis evicted.

    .venv/bin/python bench/redis_evictions.py

Not part of `make bench`: it checks a claim, not a speed (one to two minutes a policy).
"""

import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
POLICIES = ("noeviction", "volatile-lru", "allkeys-lru")
MAXMEMORY = "4mb"
TAGS = 150_000  # things pages show (a catalogue's books): each changed gets a version
PAGES = 4_000  # addresses readers ask for, each showing one thing
STEPS = 120_000
CHANGE_EVERY = 2  # one change to a thing for every page view


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(policy: str, folder: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            folder,
            "--maxmemory",
            MAXMEMORY,
            "--maxmemory-policy",
            policy,
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server, port
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("redis-server did not start")


def run(cache) -> dict:
    from django.http import HttpResponse

    from pagecache import store, versions

    cache.clear()
    rng = random.Random(7)
    truth: dict[str, int] = {}  # tag -> how many times its thing changed
    counts = dict.fromkeys(["stored", "fresh", "stale", "changes refused"], 0)
    page_tag = {page: f"catalogue.book:{rng.randrange(TAGS)}" for page in range(PAGES)}
    for step in range(STEPS):
        if step % CHANGE_EVERY == 0:
            # A change to a thing: a page's, or one no page shows (most books are not
            # asked for at a time, but each changed one gets a version).
            tag = page_tag[rng.randrange(PAGES)] if rng.random() < 0.5 else None
            tag = tag or f"catalogue.book:{rng.randrange(TAGS)}"
            truth[tag] = truth.get(tag, 0) + 1
            try:
                versions._move_on([tag])  # what invalidate() does once the change commits
            except Exception:  # noqa: BLE001 - what invalidate() logs and keeps pending
                counts["changes refused"] += 1
            continue
        page = rng.randrange(PAGES)
        tag = page_tag[page]
        key = f"page:bench:{page}"
        try:
            entry, current, found = store.entry_versions_and_counter(key)
        except Exception:  # noqa: BLE001
            continue
        if entry is not None and entry["versions"] == current:
            counts["fresh"] += 1
            if int(entry["html"].decode().split("|")[0]) != truth.get(tag, 0):
                counts["stale"] += 1
            continue
        changes_before = found.get(versions.CHANGES_KEY)
        if changes_before is None:
            cache.add(versions.CHANGES_KEY, versions.fresh_version(), None)
            changes_before = cache.get(versions.CHANGES_KEY)
        content = f"{truth.get(tag, 0)}|{tag}|" + "x" * 4000  # rendered from the data now
        response = HttpResponse(content)
        response.cache_tags = [tag]
        if store.store_page(key, response, changes_before, due=None):
            counts["stored"] += 1
    info = cache._cache.get_client().info()
    counts["evicted keys"] = info.get("evicted_keys", 0)
    counts["used memory"] = info.get("used_memory_human", "?")
    return counts


def main() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DEBUG"] = "false"
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    os.environ["PAGE_CACHE_SECONDS"] = "3600"
    os.environ["CACHE_URL"] = "locmemcache://bench"  # each policy's Redis is set below
    import django

    django.setup()
    from django.core.cache.backends.redis import RedisCache

    import pagecache.store
    import pagecache.versions

    for policy in POLICIES:
        with tempfile.TemporaryDirectory(prefix="colophon-redis-") as folder:
            server, port = start_redis(policy, folder)
            try:
                # The modules bound `cache` at import: pointed at this policy's server.
                cache = RedisCache(f"redis://127.0.0.1:{port}/0", {})
                pagecache.store.cache = pagecache.versions.cache = cache
                started = time.monotonic()
                counts = run(cache)
                took = time.monotonic() - started
            finally:
                server.terminate()
                server.wait(timeout=10)
        print(
            f"{policy:>13}: {counts['stored']:,} pages stored, {counts['fresh']:,} fresh "
            f"answers, {counts['stale']:,} stale, {counts['changes refused']:,} changes "
            f"refused, {counts['evicted keys']:,} keys evicted, {counts['used memory']} used "
            f"({took:.0f} s)"
        )


if __name__ == "__main__":
    main()
