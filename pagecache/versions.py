"""Tag versions: how a cached page knows that something it shows has changed.

Each tag (pagecache.tags) has a version number in the shared cache. A page is stored
with the versions its tags had when it was rendered, and served only while they all
still have them; `invalidate(*tags)` moves the versions on, so every process sharing
the cache stops serving those pages at once.

A *change counter* moves on with every invalidation: a page whose render overlapped a
change is not stored (pagecache.store), so no stale page is kept under new versions.
"""

import logging
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


def _fresh_version() -> int:
    return time.time_ns()


def invalidate(*tags: str) -> None:
    """Drop every cached page carrying any of `tags`, here and at every edge
    (pagecache.edge), once the transaction commits (so no other process can store the
    old content under the new version)."""
    tags = tuple(tag for tag in tags if tag)

    def now() -> None:
        try:
            _move_on([*_take_pending(), *tags])
        except Exception:  # noqa: BLE001 - any backend's connection error
            _keep_pending(tags)
            logger.warning("Page cache not invalidated for %s: the cache is unavailable.", tags)
        # Then the edges (in the background): a page they fetch again after the purge is
        # not the one the page cache held.
        edge.purge(tags)

    transaction.on_commit(now)


def _move_on(tags: Iterable[str]) -> None:
    # The change counter first: a page whose render overlapped this change then sees
    # the counter move before it could see a new tag version (see store.store_page).
    for key in [CHANGES_KEY, *(TAG_PREFIX + tag for tag in tags)]:
        try:
            cache.incr(key)
        except ValueError:  # not in the cache (new, or evicted): start afresh
            cache.set(key, _fresh_version(), None)


def change_count():
    return cache.get(CHANGES_KEY)


def versions_of(tags: Iterable[str]) -> dict[str, int]:
    """The current version of each tag, giving one to tags that have none yet."""
    keys = [TAG_PREFIX + tag for tag in tags]
    found = cache.get_many(keys)
    if len(found) < len(keys):  # tags never invalidated yet (or evicted)
        for key in keys:
            if key not in found:
                cache.add(key, _fresh_version(), None)
        found = cache.get_many(keys)
    return {key.removeprefix(TAG_PREFIX): found.get(key) for key in keys}


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
