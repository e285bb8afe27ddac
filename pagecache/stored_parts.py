"""Parts of pages stored in the database: what many pages show and costs most to render
(a book's card), made when first shown after it changes, then read back with the page's
other data, in two queries whatever their number.

    wanted = {f"card:{book.pk}": [tag_for(book), SITE] for book in books}
    with stored_parts.batch(wanted, version="card-1") as kept:
        card = kept.get("card:12")       # None: not stored, or made before a change
        ...                              # read what is missing, render it
        kept.put("card:12", rendered)    # stored when the block ends

Unlike the page cache (pagecache.store, in Redis), they need no shared cache: the
database every process reads is the one they are stored in, and so is what tells them
stale. `versions.invalidate(*tags)` writes when each tag changed (`TagChange`), once the
change is committed; a part is used only while all its tags last changed before its data
was read. Its data is read after the part's time is taken (`made_at`, less `CLOCK_MARGIN`
for processes whose clocks disagree a little), so a part made from data read before a
change's commit is older than the change, and never used after it.

Kept at most STORED_PARTS_SECONDS (0: off, as in tests not marked `stored_parts` or
`page_cache`: their writes are never committed, so no change is ever written). A deploy
or a setting that changes what pages show changes the names they are stored under
(`store.page_variant()`); parts and changes past their time are deleted now and then.
"""

import hashlib
import logging
import pickle
import time
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.urls import get_script_prefix

from . import store
from .models import StoredPart, TagChange

logger = logging.getLogger(__name__)

# Processes on several hosts may disagree this much on the time: a part is taken to be
# made this long before its data was read (a change in that second makes it stale).
CLOCK_MARGIN = 1_000_000_000  # ns
# Parts and tag changes past their time are deleted at most this often (per process).
PRUNE_EVERY = 3600  # s
_last_pruned = 0.0


def enabled() -> bool:
    return bool(getattr(settings, "STORED_PARTS_SECONDS", 0))


class Batch:
    """The parts a render wants (name -> tags), read at once; see the module's doc."""

    def __init__(self, wanted: Mapping[str, Iterable[str]], *, version: str = ""):
        self.wanted = {name: sorted(set(tags)) for name, tags in wanted.items()}
        # The script name too: links in parts are made under it (as pages are keyed).
        prefix = f"{store.page_variant()}:{get_script_prefix()}:{version}:"
        self.keys = {name: _digest(prefix + name) for name in self.wanted}
        self.kept: dict[str, Any] = {}
        self.new: dict[str, Any] = {}
        self.enabled = enabled() and bool(self.wanted)
        if self.enabled:
            self._read()

    def _read(self) -> None:
        # The time first, then the parts and the changes: what is made from data read
        # after this is stored as made now, however long it takes.
        now = time.time_ns()
        self.made_at = now - CLOCK_MARGIN
        oldest = now - settings.STORED_PARTS_SECONDS * 1_000_000_000
        tags = {tag for tags in self.wanted.values() for tag in tags}
        try:
            parts = list(
                StoredPart.objects.using(DEFAULT_DB_ALIAS)
                .filter(key__in=self.keys.values(), made_at__gt=oldest)
                .values_list("key", "made_at", "value")
            )
            self.changes = dict(
                TagChange.objects.using(DEFAULT_DB_ALIAS)
                .filter(tag__in=tags)
                .values_list("tag", "changed_at")
            )
        except DatabaseError:
            logger.warning("Stored parts unavailable: rendering %d parts anew.", len(self.keys))
            self.enabled = False
            return
        by_key = {key: (made_at, value) for key, made_at, value in parts}
        for name, key in self.keys.items():
            if key in by_key:
                made_at, value = by_key[key]
                if self._unchanged_since(name, made_at):
                    self.kept[name] = pickle.loads(value)

    def _unchanged_since(self, name: str, made_at: int) -> bool:
        """Whether none of the part's tags changed at or after `made_at`, as last read."""
        return all(self.changes.get(tag, 0) < made_at for tag in self.wanted[name])

    def get(self, name: str, default: Any = None) -> Any:
        return self.kept.get(name, default)

    def put(self, name: str, value: Any) -> None:
        """Store `value` as `name` (one of the wanted parts) when the batch is saved."""
        if self.enabled and name in self.wanted:
            self.kept[name] = value
            self.new[name] = value

    def save(self) -> None:
        """Store what was put, in one statement; a database that refuses is only logged
        (the parts are made again next time)."""
        if not self.new:
            return
        # One made within CLOCK_MARGIN of a change to what it shows would be stale at once.
        new = {
            name: value
            for name, value in self.new.items()
            if self._unchanged_since(name, self.made_at)
        }
        self.new = {}
        if not new or not store.replica_caught_up():
            return  # made from a replica behind the changes already written: not kept
        parts = [
            StoredPart(
                key=self.keys[name],
                tags=self.wanted[name],
                made_at=self.made_at,
                value=pickle.dumps(value, pickle.HIGHEST_PROTOCOL),
            )
            for name, value in new.items()
        ]
        parts.sort(key=lambda part: part.key)  # rows locked in one order: no deadlock
        try:
            with transaction.atomic(using=DEFAULT_DB_ALIAS):
                StoredPart.objects.using(DEFAULT_DB_ALIAS).bulk_create(
                    parts,
                    update_conflicts=True,
                    unique_fields=["key"],
                    update_fields=["tags", "made_at", "value"],
                )
        except DatabaseError:
            logger.warning("Stored parts unavailable: %d parts not stored.", len(parts))
            return
        prune()

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.save()


def batch(wanted: Mapping[str, Iterable[str]], *, version: str = "") -> Batch:
    return Batch(wanted, version=version)


def tags_changed(tags: Iterable[str]) -> None:
    """Parts showing any of `tags` are stale from now: called by versions.invalidate once
    the change is committed. Never raises: a failure is logged (the parts then live until
    they expire or change again)."""
    tags = sorted(set(tags))
    if not tags or not enabled():
        return
    now = time.time_ns()
    changes = [TagChange(tag=tag, changed_at=now) for tag in tags]
    try:
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            TagChange.objects.using(DEFAULT_DB_ALIAS).bulk_create(
                changes,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["tag"],
                update_fields=["changed_at"],
            )
    except DatabaseError:
        logger.exception("Stored parts of %d changed tags may show the old data.", len(tags))


def prune(*, force: bool = False) -> None:
    """Delete parts past STORED_PARTS_SECONDS, and the changes no part still alive can
    predate; at most once per PRUNE_EVERY in a process, unless forced."""
    global _last_pruned
    if not force and time.monotonic() - _last_pruned < PRUNE_EVERY:
        return
    _last_pruned = time.monotonic()
    oldest = time.time_ns() - settings.STORED_PARTS_SECONDS * 1_000_000_000
    try:
        StoredPart.objects.using(DEFAULT_DB_ALIAS).filter(made_at__lte=oldest).delete()
        TagChange.objects.using(DEFAULT_DB_ALIAS).filter(
            changed_at__lt=oldest - CLOCK_MARGIN
        ).delete()
    except DatabaseError:
        logger.warning("Stored parts past their time not deleted.")


def drop_all() -> int:
    """Delete every stored part (manage.py drop_pages); how many there were."""
    deleted, _ = StoredPart.objects.using(DEFAULT_DB_ALIAS).all().delete()
    return deleted


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()
