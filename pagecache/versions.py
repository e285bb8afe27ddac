"""Tag versions: how a cached page knows that something it shows has changed.

Each tag (pagecache.tags) has a version number in the shared cache. A page is stored
with the versions its tags had when it was rendered, and served only while they all
still have them; `invalidate(*tags)` moves the versions on, so every process sharing
the cache stops serving those pages at once.

A *change counter* moves on with every invalidation: a page whose render overlapped a
change is not stored (pagecache.store), so no stale page is kept under new versions.
"""

import logging
import secrets
import threading
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from . import edge
from .tags import SITE

logger = logging.getLogger(__name__)

TAG_PREFIX = "page-tag:"
CHANGES_KEY = "page-changes"


def fresh_version() -> int:
    # Never one a tag had before, whichever process draws it: the clock to about a
    # millisecond, and random bits for two processes drawing in the same one. (Within
    # Redis's 64-bit integers, as tests and tools may INCR it.)
    return time.time_ns() >> 20 << 20 | secrets.randbits(20)


def invalidate(*tags: str, gone: bool = False, edges: bool = True) -> None:
    """Drop every cached page carrying any of `tags`, here and at every edge
    (pagecache.edge), once the transaction commits (so no other process can store the
    old content under the new version). `gone`: what they show was withdrawn or deleted,
    so no edge may serve its old copy even while the app fails. `edges=False`: the caller
    purges the edges itself (and reports on them: manage.py drop_pages)."""
    tags = tuple(tag for tag in tags if tag)

    def now() -> None:
        # The database first: a page whose versions are read after the cache's move reads
        # its stored parts after this (pagecache.stored_parts).
        from .stored_parts import tags_changed

        tags_changed(tags)
        try:
            _move_on([*_take_pending(), *tags])
        except Exception:  # noqa: BLE001 - any backend's connection error
            _keep_pending(tags)
            logger.warning("Page cache not invalidated for %s: the cache is unavailable.", tags)
        # Then the edges (in the background): a page they fetch again after the purge is
        # not the one the page cache held.
        if edges:
            edge.purge(tags, gone=gone)

    transaction.on_commit(now)


def _move_on(tags: Iterable[str]) -> None:
    # The change counter and every tag given a version none had before, in one round
    # trip (one MSET on Redis), before the edges are purged: the time an edit takes to
    # show. A page whose render overlapped this change sees the counter moved (see
    # store.store_page).
    version = fresh_version()
    cache.set_many({CHANGES_KEY: version, **{TAG_PREFIX + tag: version for tag in tags}}, None)


def change_count():
    return cache.get(CHANGES_KEY)


def versions_of(tags: Iterable[str]) -> dict[str, int]:
    """The current version of each tag, giving one to tags that have none yet (never
    invalidated, or evicted: Redis under `allkeys-lru` may evict any key)."""
    keys = [TAG_PREFIX + tag for tag in tags]
    found = cache.get_many(keys)
    if len(found) < len(keys):
        for key in keys:
            if key not in found:
                cache.add(key, fresh_version(), None)
        found = cache.get_many(keys)
    # A version evicted again before it was read back is never None: a page or part
    # stored under None would be fresh whenever the tag has no version, so after every
    # later change to it once that version is evicted too. One drawn here and kept
    # nowhere matches nothing read later: what is stored under it is only a miss.
    return {
        key.removeprefix(TAG_PREFIX): found[key] if key in found else fresh_version()
        for key in keys
    }


# --- Pending invalidations ---------------------------------------------------------------
# Invalidations that could not reach the cache (it was down): pages stored before the
# outage may still be there when it comes back, so these are sent before this process
# uses the cache again. (A process that dies first takes them with it: pages then live
# until they expire or change again.)

_PENDING: set[str] = set()
_PENDING_LIMIT = 1000  # beyond this many tags, everything is invalidated instead
_pending_lock = threading.Lock()


def _keep_pending(tags: Iterable[str]) -> None:
    with _pending_lock:
        _PENDING.update(tags)
        if len(_PENDING) > _PENDING_LIMIT:
            _PENDING.clear()
            _PENDING.add(SITE)


def _take_pending() -> list[str]:
    with _pending_lock:
        tags = list(_PENDING)
        _PENDING.clear()
    return tags


def send_pending() -> None:
    """Send the invalidations kept while the cache was down; raises if it still is."""
    if not _PENDING:
        return
    tags = _take_pending()
    try:
        _move_on(tags)
    except Exception:
        _keep_pending(tags)
        raise
    logger.info("Page cache invalidated for %d changes made while it was unavailable.", len(tags))
