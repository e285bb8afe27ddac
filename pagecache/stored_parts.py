"""Parts of pages stored in the database: what many pages show and costs most to render
(a book's card), made when first shown after it changes, then read back with the page's
other data, in one statement whatever their number.

    wanted = {f"card:{book.pk}": [tag_for(book), SITE] for book in books}
    with stored_parts.batch(wanted, version="card-1") as kept:
        card = kept.get("card:12")       # None: not stored, or made before a change
        ...                              # read what is missing, render it
        kept.put("card:12", rendered)    # stored when the block ends

Unlike the page cache (pagecache.store, in Redis), they need no shared cache: the
database every process reads is the one they are stored in, and so is what tells them
stale. `versions.invalidate(*tags)` records when each tag changed (`TagChange`), once the
change is committed, in every process; a part is used only while all its tags last
changed before its data was read. Its time (`made_at`) is taken before its data is read,
less `CLOCK_MARGIN` for processes whose clocks disagree a little, so a part made from data
read before a change's commit is older than the change, and never used after it. That
holds only for data read from the primary, or from a replica that has caught up (checked
before anything is made to be stored), after that time; data a process keeps a copy of
its own, which another's change does not reach, is told by its read time (`copies`).

A change the database refuses to record is retried before the process uses another part.
A reader's request stores parts only if the database lets it write at once. Kept at most
STORED_PARTS_SECONDS (0: none stored; changes are recorded still, so turning them on
again never brings back a part made before one). A deploy changes the names they are
stored under (`store.page_variant()`: the code, PAGE_CACHE_VARIES_WITH such as the
affiliate codes), and so does the script name; parts and changes past their time are
deleted now and then.
"""

import hashlib
import logging
import pickle
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.urls import get_script_prefix

from shared.statements import written_once

from . import store
from .models import StoredPart, TagChange

logger = logging.getLogger(__name__)

# Processes on several hosts may disagree this much on the time: a part is taken to be
# made this long before its data was read (a change in that second makes it stale).
CLOCK_MARGIN = 1_000_000_000  # ns
# Parts and tag changes past their time are deleted at most this often, by each process
# once it has run this long.
PRUNE_EVERY = 3600  # s
_last_pruned = time.monotonic()
# A reader's request stores its parts only if the database lets it at once (SQLite: its
# one writer may be an import); else they are made again next time.
BRIEF_WAIT_MS = 50
# Changes this process could not record (the database refused): recorded before it
# reads or stores another part, and until then it uses none.
_pending: set[str] = set()
_pending_lock = threading.Lock()


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
        self.new: dict[str, tuple[Any, dict[str, int]]] = {}
        self.changes: dict[str, int] = {}
        self.enabled = enabled() and bool(self.wanted) and _record_pending()
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
            parts, self.changes = _read_rows(list(self.keys.values()), sorted(tags), oldest)
        except DatabaseError:
            logger.warning("Stored parts unavailable: rendering %d parts anew.", len(self.keys))
            self.enabled = False
            return
        by_key = {key: (made_at, value) for key, made_at, value in parts}
        for name, key in self.keys.items():
            if key in by_key:
                made_at, value = by_key[key]
                if self._unchanged_since(name, made_at):
                    try:
                        self.kept[name] = pickle.loads(value)
                    except Exception:  # noqa: BLE001 - a row no code of this deploy reads
                        logger.warning("A stored part could not be read: made anew.")
        if len(self.kept) < len(self.wanted) and not store.replica_caught_up():
            # The missing parts' data will be read from a replica behind the changes
            # recorded so far: what is made from it is not stored.
            self.enabled = False

    def _unchanged_since(self, name: str, made_at: int) -> bool:
        """Whether none of the part's tags changed at or after `made_at`, as last read."""
        return all(self.changes.get(tag, 0) < made_at for tag in self.wanted[name])

    def get(self, name: str, default: Any = None) -> Any:
        return self.kept.get(name, default)

    def put(self, name: str, value: Any, *, copies: Mapping[str, int] | None = None) -> None:
        """Store `value` as `name` (one of the wanted parts) when the batch is saved.
        `copies`: data it shows from a copy this process keeps of its own, which another
        process's change does not reach, by the tag such a change drops: when the copy
        was read (time.time_ns()). Not stored if that tag changed since."""
        if self.enabled and name in self.wanted:
            self.kept[name] = value
            self.new[name] = (value, dict(copies or {}))

    def save(self) -> None:
        """Store what was put, in one statement; a database that refuses, or would keep
        the reader waiting, is only logged (the parts are made again next time)."""
        # One made within CLOCK_MARGIN of a change to what it shows would be stale at once.
        parts = [
            StoredPart(
                key=self.keys[name],
                tags=self.wanted[name],
                made_at=self.made_at,
                value=pickle.dumps(value, pickle.HIGHEST_PROTOCOL),
            )
            for name, (value, copies) in self.new.items()
            if self._unchanged_since(name, self.made_at)
            and all(
                self.changes.get(tag, 0) < read_at - CLOCK_MARGIN for tag, read_at in copies.items()
            )
        ]
        self.new = {}
        if not parts:
            return
        parts.sort(key=lambda part: part.key)  # rows locked in one order by every writer
        try:
            with _briefly_waiting():
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


def _read_rows(keys: list[str], tags: list[str], oldest: int) -> tuple[list, dict[str, int]]:
    """The parts stored under `keys` made after `oldest`, as (key, made_at, value), and
    when each of `tags` last changed: one statement, written once per size of lists (the
    ORM compiled its two queries anew at each page, a third of their cost). The lists are
    padded to the next power of two by repeating their last item, so a thread writes a
    handful of statements, not one for every number of cards an article has."""
    keys, tags = _padded(keys), _padded(tags)
    connection = connections[DEFAULT_DB_ALIAS]
    sql = written_once(
        ("stored-parts", connection.alias, len(keys), len(tags)),
        lambda: _read_sql(connection, len(keys), len(tags)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*keys, oldest, *tags])
        rows = cursor.fetchall()
    parts = [(name, time_ns, value) for kind, name, time_ns, value in rows if kind == "part"]
    changes = {name: time_ns for kind, name, time_ns, _ in rows if kind == "tag"}
    return parts, changes


def _padded(items: list[str]) -> list[str]:
    """`items` (not empty) repeated at the end up to the next power of two in length."""
    size = 1 << (len(items) - 1).bit_length()
    return items + items[-1:] * (size - len(items))


def _read_sql(connection, keys: int, tags: int) -> str:
    quote = connection.ops.quote_name
    part, change = StoredPart._meta, TagChange._meta
    column = {
        field.name: quote(field.column)
        for field in (*part.concrete_fields, *change.concrete_fields)
    }

    def placeholders(count: int) -> str:
        return ", ".join(["%s"] * count)

    sql = (
        f"SELECT 'part', {column['key']}, {column['made_at']}, {column['value']} "
        f"FROM {quote(part.db_table)} "
        f"WHERE {column['key']} IN ({placeholders(keys)}) AND {column['made_at']} > %s"
    )
    if tags:  # parts that name no tag change only with the deploy
        sql += (
            f" UNION ALL SELECT 'tag', {column['tag']}, {column['changed_at']}, NULL "
            f"FROM {quote(change.db_table)} WHERE {column['tag']} IN ({placeholders(tags)})"
        )
    return sql


def tags_changed(tags: Iterable[str]) -> None:
    """Parts showing any of `tags` are stale from now: called by versions.invalidate once
    the change is committed, whether parts are stored here or not (a process that stores
    them, or this one later, would otherwise use them). Never raises: a change the
    database refuses is kept and recorded before this process uses another part;
    meanwhile other processes may use parts it made stale (logged as an error)."""
    tags = set(tags)
    if tags and not _record(tags):
        with _pending_lock:
            _pending.update(tags)
        logger.error(
            "The change of %d tags could not be recorded: stored parts showing them may "
            "show the old data until it is.",
            len(tags),
        )


def _record(tags: set[str]) -> bool:
    now = time.time_ns()
    changes = [TagChange(tag=tag, changed_at=now) for tag in sorted(tags)]
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
        return False
    return True


def _record_pending() -> bool:
    """Record the changes this process could not; whether none is left."""
    if not _pending:
        return True
    with _pending_lock:
        tags = set(_pending)
        _pending.clear()
    if _record(tags):
        logger.info("Recorded the change of %d tags the database had refused.", len(tags))
        return True
    with _pending_lock:
        _pending.update(tags)
    return False


@contextmanager
def _briefly_waiting() -> Iterator[None]:
    """A transaction that waits at most BRIEF_WAIT_MS for the rows or the database it
    writes (SQLite's busy timeout; PostgreSQL's lock timeout), not a reader's patience."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        waited = raw.execute("PRAGMA busy_timeout").fetchone()[0]
        raw.execute(f"PRAGMA busy_timeout = {BRIEF_WAIT_MS}")
        try:
            with transaction.atomic(using=DEFAULT_DB_ALIAS):
                yield
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(waited)}")
        return
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{BRIEF_WAIT_MS}ms'")
        yield


def prune(*, force: bool = False) -> None:
    """Delete parts past STORED_PARTS_SECONDS, and the changes no part still alive can
    predate; at most once per PRUNE_EVERY in a process, unless forced."""
    global _last_pruned
    if not force and time.monotonic() - _last_pruned < PRUNE_EVERY:
        return
    _last_pruned = time.monotonic()
    oldest = time.time_ns() - settings.STORED_PARTS_SECONDS * 1_000_000_000
    try:
        with _briefly_waiting():
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
