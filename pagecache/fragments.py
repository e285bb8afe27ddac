"""Parts of pages kept across requests: what a page shows many times, or on many pages
(a book's card), rendered once and kept under the same tags as pages.

A page missing from the page cache (after an edit, at an edge that has not seen it yet)
is rendered again; the parts of it that did not change need not be. A fragment is kept
with the versions its tags had (pagecache.versions) and used only while they all still
have them, so whatever drops a page showing a thing drops its fragments too.

    wanted = {f"card:{book.pk}": [tag_for(book), SITE] for book in books}
    with fragments.batch(wanted, version="cards-7") as kept:
        card = kept.get("card:12")       # None: not kept, or kept under old versions
        ...                              # read what is missing from the database
        kept.put("card:12", rendered)    # stored when the block ends

The entries and their tags' versions come in one round trip, *before* the database is
read: a fragment made from data read after a change's commit, stored under the versions
from before its invalidation, is never used (it is harmless, only wasted). The reverse,
old data under new versions, cannot happen, except with a read replica behind the
primary, which is checked before anything is stored, as for pages (store.replica_caught_up).

Off where the page cache is off (PAGE_CACHE_SECONDS = 0: a per-process cache cannot be
invalidated across processes). Kept as long as pages are, and no longer than the next
change by the clock (store.lifetime). A deploy changes the keys, as do the settings that
change what pages show (`store.page_variant()`: the project's code and libraries, and
PAGE_CACHE_VARIES_WITH such as the affiliate codes), and the script name.
"""

import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.urls import get_script_prefix

from . import store
from .versions import CHANGES_KEY, TAG_PREFIX, versions_of

logger = logging.getLogger(__name__)

FRAGMENT_PREFIX = "fragment:v1:"

# What a page's render read from the cache for its fragments, the last time this process
# rendered it (page key -> cache keys): read again in one round trip before its next
# render (read_ahead), instead of one round trip per batch. A guess, checked: a batch
# wanting anything not read ahead reads for itself.
KNOWN_READS: dict[str, tuple[str, ...]] = {}
KNOWN_READS_LIMIT = 2_000  # pages; a page of 30 cards reads about 70 keys (7 KB here)
_read_ahead: ContextVar[tuple[dict, frozenset] | None] = ContextVar("read_ahead", default=None)
_reads: ContextVar[list[str] | None] = ContextVar("fragment_reads", default=None)
# The tags' versions this render's batches read (before its data): the page stored after
# it is stored under them (an older version makes a page stale sooner, never fresher).
_versions_read: ContextVar[dict[str, int] | None] = ContextVar("versions_read", default=None)


class Batch:
    """The fragments a render wants (key -> tags), read at once; see the module's doc."""

    def __init__(self, wanted: Mapping[str, Iterable[str]], *, version: str = ""):
        self.wanted = {key: sorted(set(tags)) for key, tags in wanted.items()}
        # The script name too: links in parts are made under it (as pages are keyed).
        self.prefix = f"{FRAGMENT_PREFIX}{store.page_variant()}:{get_script_prefix()}:{version}:"
        self.kept: dict[str, Any] = {}
        self.versions: dict[str, int] = {}
        self.new: dict[str, Any] = {}
        self.enabled = bool(settings.PAGE_CACHE_SECONDS) and bool(self.wanted)
        if self.enabled:
            self._read()

    def _read(self) -> None:
        tags = sorted({tag for tags in self.wanted.values() for tag in tags})
        keys = [self.prefix + key for key in self.wanted]
        reading = [*keys, *(TAG_PREFIX + tag for tag in tags), CHANGES_KEY, store.NEXT_CHANGE_KEY]
        if (reads := _reads.get()) is not None:
            reads.extend(reading)
        try:
            ahead = _read_ahead.get()
            if ahead is not None and ahead[1].issuperset(reading):
                found = {key: ahead[0][key] for key in reading if key in ahead[0]}
            else:
                found = cache.get_many(reading)
            versions = {tag: found.get(TAG_PREFIX + tag) for tag in tags}
            if None in versions.values():  # tags never invalidated yet: given one now
                versions = versions_of(tags)
        except Exception:  # noqa: BLE001 - any backend's connection error
            logger.warning("Fragment cache unavailable: rendering %d parts anew.", len(keys))
            self.enabled = False
            return
        self.versions = versions
        if (read := _versions_read.get()) is not None:
            for tag, version in versions.items():
                read.setdefault(tag, version)
        # How long what is read now may be kept: until the next change by the clock as
        # it stands now (one appearing while the parts are made is not in them).
        self.read_at = time.monotonic()
        self.keep_for = store.kept_for(store.next_change(found))
        for key in self.wanted:
            entry = found.get(self.prefix + key)
            if entry is not None and entry["versions"] == self._versions_of(key):
                self.kept[key] = entry["value"]
        if len(self.kept) < len(self.wanted) and not store.replica_caught_up():
            # What is read now may be older than the versions just read: keep nothing.
            self.enabled = False

    def _versions_of(self, key: str) -> dict[str, int]:
        return {tag: self.versions[tag] for tag in self.wanted[key]}

    def get(self, key: str, default: Any = None) -> Any:
        return self.kept.get(key, default)

    def put(self, key: str, value: Any) -> None:
        """Keep `value` for `key` (one of the wanted keys) when the batch is saved."""
        if self.enabled and key in self.wanted:
            self.kept[key] = value
            self.new[key] = value

    def save(self) -> None:
        """Store what was put, in one round trip; a cache that fails is only logged."""
        if not self.new:
            return
        seconds = int(self.keep_for - (time.monotonic() - self.read_at))
        if seconds < 1:  # the clock's change came while they were made: not kept
            self.new = {}
            return
        entries = {
            self.prefix + key: {"versions": self._versions_of(key), "value": value}
            for key, value in self.new.items()
        }
        self.new = {}
        try:
            cache.set_many(entries, seconds)
        except Exception:  # noqa: BLE001
            logger.warning("Fragment cache unavailable: %d parts not kept.", len(entries))

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.save()


def batch(wanted: Mapping[str, Iterable[str]], *, version: str = "") -> Batch:
    return Batch(wanted, version=version)


@contextmanager
def read_ahead(page_key: str) -> Iterator[dict[str, int]]:
    """Around a render of the page stored under `page_key`: the fragments its last render
    here read, read now in one round trip (before the render, so before its data: see
    the module's doc), and what this render reads remembered for the next one. Gives
    the versions of the tags the render's batches read, filled as it goes."""
    reads: list[str] = []
    versions: dict[str, int] = {}
    known = KNOWN_READS.get(page_key)
    ahead = None
    if known and settings.PAGE_CACHE_SECONDS:
        try:
            ahead = (cache.get_many(known), frozenset(known))
        except Exception:  # noqa: BLE001 - each batch reads (or fails) for itself
            ahead = None
    tokens = _read_ahead.set(ahead), _reads.set(reads), _versions_read.set(versions)
    try:
        yield versions
    finally:
        for variable, token in zip((_read_ahead, _reads, _versions_read), tokens, strict=True):
            variable.reset(token)
    if reads:
        if len(KNOWN_READS) >= KNOWN_READS_LIMIT:
            KNOWN_READS.clear()
        KNOWN_READS[page_key] = tuple(dict.fromkeys(reads))
    else:
        KNOWN_READS.pop(page_key, None)
