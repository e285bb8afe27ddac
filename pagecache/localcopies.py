"""Each app process's own copy of the cached pages it serves, kept true by Redis.

A hit in the shared page cache (pagecache.store) still costs a Redis round trip: more
than the rest of the request. A copy in process memory costs nothing, but must never
outlive a change made anywhere. Redis's server-assisted client-side caching tells every
process of every change: each process holds one connection with `CLIENT TRACKING ON
BCAST` for the page-cache keys, and Redis pushes down it the name of every such key
that changes, whoever changed it and how (a tag's version moved on, a page stored anew,
an eviction, an expiry, a flush). Those pushes are read before each request is
answered, so a change is seen here before any request that follows it.

A copy is used only while the connection is known to be alive: a ping every quarter of
a second, answered within three quarters. A lost connection drops every copy; copies are
used again once a new connection tracks. So a process that cannot hear Redis serves
nothing stale from its memory for longer than that (a stalled link, not a lost one, is
the worst case); it falls back to the shared cache, or with Redis down to rendering. A
background thread keeps reading while no requests come, so pushes never pile up in
Redis for an idle process and the first request after a lull can trust its copies.

Copies need Redis 6 or later with CLIENT TRACKING allowed and a single Redis server in
CACHE_URL (with replicas listed, reads could come from a lagging one); otherwise they
stay off and the shared cache serves as before.
"""

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver

from .backends import RedisCache, TrackingUnavailable
from .store import PAGE_PREFIX
from .versions import TAG_PREFIX

logger = logging.getLogger(__name__)

PING_EVERY = 0.25  # seconds between pings on the tracking connection
TRUST_FOR = 0.75  # copies are used while the last answered ping was sent this recently
GIVE_UP_AFTER = 3.0  # a ping unanswered this long: the connection is dead
RETRY_FIRST, RETRY_MOST = 1.0, 30.0  # seconds between attempts to connect, doubling


_PUSHED = object()  # what reading a pushed invalidation returns
_clock = time.monotonic


class Copy:
    __slots__ = ("finished", "keys", "expires_at", "size")

    def __init__(self, finished: dict, keys: tuple[str, ...], expires_at: float):
        self.finished = finished
        self.keys = keys
        self.expires_at = expires_at
        self.size = len(finished["content"]) + 1024  # headers and bookkeeping, roughly


class LocalCopies:
    """Finished pages by address, each dropped when any of its Redis keys changes.

    `connect(on_push)` returns a tracking connection (see
    pagecache.backends.RedisCache.tracking_connection) that calls `on_push(message)` for
    each push read from it: `[b"invalidate", [key, …]]`, or None for the keys on a flush.
    """

    def __init__(self, connect: Callable, max_bytes: int, *, listener: bool = True):
        self._connect = connect
        self.max_bytes = max_bytes
        self._listener_wanted = listener
        # Held while reading Redis or changing copies. Requests never wait for it: one
        # that finds it taken goes to the shared cache instead.
        self._lock = threading.Lock()
        self._disabled = False
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._connection = None
        self._copies: dict[str, Copy] = {}  # least recently used first
        self._watchers: dict[str, set[str]] = {}  # Redis key -> addresses of copies
        self._bytes = 0
        self.epoch = 0  # moves on every invalidation: see keep()
        self._alive_at = float("-inf")  # when the last answered ping was sent
        self._ping_sent_at: float | None = None
        self._listened_at = float("-inf")
        self._retry_at = 0.0
        self._retry_wait = RETRY_FIRST
        self._listener: threading.Thread | None = None

    # --- Reading and keeping copies --------------------------------------------------

    def get(self, address: str) -> dict | None:
        """The finished response for `address`, if held and still true, else None."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if not self._listen():
                return None
            copy = self._copies.pop(address, None)
            if copy is None:
                return None
            if copy.expires_at <= time.time():
                self._copies[address] = copy
                self._forget(address)
                return None
            self._copies[address] = copy  # now the most recently used
            return copy.finished
        finally:
            self._lock.release()

    def keep(
        self, address: str, epoch: int, keys: Iterable[str], finished: dict, expires_at: float
    ) -> None:
        """Hold `finished` for `address`, read from Redis after `epoch` was noted.

        Refused if anything was invalidated since then: what was read may already be
        out of date (a change read after this point arrives as a push and drops it)."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            if not self._listen() or self.epoch != epoch:
                return
            if address in self._copies:
                self._forget(address)
            copy = Copy(finished, tuple(keys), expires_at)
            if copy.size > self.max_bytes:
                return
            self._copies[address] = copy
            self._bytes += copy.size
            for key in copy.keys:
                self._watchers.setdefault(key, set()).add(address)
            while self._bytes > self.max_bytes:
                self._forget(next(iter(self._copies)))
        finally:
            self._lock.release()

    def __len__(self) -> int:
        return len(self._copies)

    def _forget(self, address: str) -> None:
        copy = self._copies.pop(address, None)
        if copy is None:
            return
        self._bytes -= copy.size
        for key in copy.keys:
            addresses = self._watchers.get(key)
            if addresses is not None:
                addresses.discard(address)
                if not addresses:
                    del self._watchers[key]

    def _forget_all(self) -> None:
        self._copies.clear()
        self._watchers.clear()
        self._bytes = 0
        self.epoch += 1

    def _invalidate(self, keys: list[bytes] | None) -> object:
        self.epoch += 1
        if keys is None:  # FLUSHDB or FLUSHALL
            self._forget_all()
        else:
            for key in keys:
                name = key.decode(errors="replace") if isinstance(key, bytes) else key
                for address in list(self._watchers.get(name, ())):
                    self._forget(address)
        return _PUSHED

    # --- Hearing Redis -----------------------------------------------------------------

    def _listen(self) -> bool:
        """Apply every invalidation Redis has pushed; True while copies can be trusted.
        Called with the lock held."""
        if self._pid != os.getpid():  # forked: the parent's connection is not ours
            self._reset()
        if self._disabled:
            return False
        now = self._listened_at = _clock()
        connection = self._connection
        if connection is None:
            if now < self._retry_at:
                return False
            try:
                connection = self._connect(self._on_push)
            except TrackingUnavailable as error:
                self._disabled = True
                logger.warning("Page copies off for good: Redis will not track keys (%s).", error)
                return False
            except Exception as error:  # noqa: BLE001 - any connection error
                self._retry_at = _clock() + self._retry_wait
                logger.warning(
                    "Page copies off: no tracking connection to Redis (%s); next try in %.0f s.",
                    error,
                    self._retry_wait,
                )
                self._retry_wait = min(self._retry_wait * 2, RETRY_MOST)
                return False
            self._retry_wait = RETRY_FIRST
            self._forget_all()  # whatever was held was not being watched
            self._connection = connection
            self._alive_at = now  # tracking was just confirmed
            self._start_listener()
        try:
            while connection.can_read(timeout=0):
                reply = connection.read_response(push_request=True)
                if reply in (b"PONG", "PONG") and self._ping_sent_at is not None:
                    self._alive_at, self._ping_sent_at = self._ping_sent_at, None
            if self._ping_sent_at is None:
                if now - self._alive_at >= PING_EVERY:
                    connection.send_command("PING")
                    self._ping_sent_at = now
            elif now - self._ping_sent_at > GIVE_UP_AFTER:
                raise ConnectionError("no answer to a ping")
        except Exception as error:  # noqa: BLE001
            logger.warning("Page copies dropped: tracking connection lost (%s).", error)
            self._drop_connection()
            return False
        return now - self._alive_at < TRUST_FOR

    def _start_listener(self) -> None:
        if self._listener_wanted and (self._listener is None or not self._listener.is_alive()):
            self._listener = threading.Thread(
                target=self._keep_listening, name="page-copies", daemon=True
            )
            self._listener.start()

    def _keep_listening(self) -> None:
        """While requests are few: read pushes and answer pings, so nothing piles up in
        Redis and copies stay trusted. Steps aside whenever a request holds the lock."""
        pid = os.getpid()
        while self._pid == pid and self._connection is not None:
            time.sleep(PING_EVERY)
            if not self._lock.acquire(blocking=False):
                continue
            try:
                if _clock() - self._listened_at >= PING_EVERY:
                    self._listen()
            finally:
                self._lock.release()

    def _on_push(self, message: list) -> object:
        return self._invalidate(message[1])

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        self._forget_all()
        self._ping_sent_at = None
        self._alive_at = float("-inf")
        with contextlib.suppress(Exception):  # it is gone either way
            connection.disconnect()


_instance: LocalCopies | None = None
_instance_lock = threading.Lock()


def _after_fork_in_child() -> None:
    # A forked child shares nothing with its parent's copies, connection or locks (one
    # may have been held by the parent's reader thread, which the child does not have).
    global _instance, _instance_lock
    _instance, _instance_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


def local_copies() -> LocalCopies | None:
    """This process's LocalCopies, or None when the shared cache can't track (not Redis)
    or copies are turned off (PAGE_COPIES_MB=0)."""
    global _instance
    if not settings.PAGE_COPIES_MB:
        return None
    if _instance is not None:
        return _instance
    cache = caches["default"]
    if not isinstance(cache, RedisCache) or not cache.can_track():
        return None
    with _instance_lock:
        if _instance is None:
            prefixes = [cache.make_key(PAGE_PREFIX), cache.make_key(TAG_PREFIX)]
            _instance = LocalCopies(
                lambda on_push: cache.tracking_connection(prefixes, on_push),
                max_bytes=settings.PAGE_COPIES_MB * 1024 * 1024,
            )
    return _instance


@receiver(setting_changed)
def _forget_instance(setting, **kwargs):
    """Tests switch caches: the next call builds a LocalCopies for the new one."""
    global _instance
    if setting in ("CACHES", "PAGE_COPIES_MB") and _instance is not None:
        with _instance._lock:
            if _instance._connection is not None:
                _instance._drop_connection()
        _instance = None
