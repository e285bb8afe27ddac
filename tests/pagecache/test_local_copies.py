"""Each process's own copies of cached pages (pagecache/localcopies.py): served without a
Redis round trip, and never once Redis has reported a change, whoever made it.

The first tests need Redis on 127.0.0.1 (CI has it) and are skipped otherwise; the
last ones drive the bookkeeping with a stand-in connection and clock.
"""

import time

import pytest
from django.core.cache import cache, caches
from django.test import Client

from articles.models import Article
from pagecache import backends, localcopies
from pagecache.localcopies import LocalCopies, local_copies
from pagecache.tags import SITE
from pagecache.versions import TAG_PREFIX
from tests.factories import make_article
from tests.helpers import text_of
from tests.servers import redis_answers

REDIS_URL = "redis://127.0.0.1:6379/5"


needs_redis = pytest.mark.skipif(not redis_answers(), reason="needs Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_site(settings, db, django_capture_on_commit_callbacks):
    settings.CACHES = {
        "default": {"BACKEND": "pagecache.backends.RedisCache", "LOCATION": REDIS_URL}
    }
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(title="Unlikely Allies", body="Text.")
    import redis

    # Another app server's connection: what it does reaches Redis, never this process.
    other = redis.Redis.from_url(REDIS_URL)
    yield {"article": article, "url": article.get_absolute_url(), "other": other}
    cache.clear()
    other.close()


def served(url):
    response = Client().get(url)
    assert response.status_code == 200
    return response


def warm(url) -> None:
    """First visit renders and stores the page; the next keeps a copy in this process."""
    served(url)
    served(url)
    assert local_copies() is not None and len(local_copies()) == 1


def change_title_elsewhere(site, title: str) -> None:
    """What another app server does on an edit: the row changes, then its tags are
    invalidated, by its own connection to Redis."""
    Article.objects.filter(pk=site["article"].pk).update(title=title)
    site["other"].incr(cache.make_key(TAG_PREFIX + SITE))


@needs_redis
def test_a_copy_answers_without_asking_redis(redis_site, monkeypatch):
    warm(redis_site["url"])

    def no_round_trips(*args, **kwargs):
        raise AssertionError("asked Redis")

    backend = caches["default"]
    for method in ("get", "get_many", "set", "add", "incr"):
        monkeypatch.setattr(backend, method, no_round_trips)
    response = served(redis_site["url"])
    assert response["X-Page-Cache"] == "hit"
    assert text_of(response.content, "h1") == ["Unlikely Allies"]


@needs_redis
def test_a_change_made_through_another_app_server_shows_on_the_next_request(redis_site):
    warm(redis_site["url"])
    change_title_elsewhere(redis_site, "Unlikely Allies, revised")
    response = served(redis_site["url"])
    assert "X-Page-Cache" not in response  # rendered afresh
    assert text_of(response.content, "h1") == ["Unlikely Allies, revised"]


@needs_redis
def test_a_flushed_cache_drops_every_copy(redis_site):
    warm(redis_site["url"])
    Article.objects.filter(pk=redis_site["article"].pk).update(title="After the flush")
    redis_site["other"].flushdb()
    assert text_of(served(redis_site["url"]).content, "h1") == ["After the flush"]


@needs_redis
def test_copies_are_not_trusted_once_the_tracking_connection_is_lost(redis_site, caplog):
    warm(redis_site["url"])
    other = redis_site["other"]
    tracking = [c for c in other.client_list() if "t" in c["flags"] and c["db"] == "5"]
    assert tracking, "this process tracks the page-cache keys"
    for client in tracking:
        other.client_kill_filter(_id=client["id"])
    # A change whose news this process can no longer hear.
    change_title_elsewhere(redis_site, "Changed while deaf")
    assert text_of(served(redis_site["url"]).content, "h1") == ["Changed while deaf"]
    assert "tracking connection lost" in caplog.text
    # Tracking resumes by itself, and with it the copies.
    served(redis_site["url"])
    assert served(redis_site["url"])["X-Page-Cache"] == "hit"
    assert len(local_copies()) == 1


@needs_redis
def test_an_idle_process_still_hears_of_changes(redis_site):
    warm(redis_site["url"])
    redis_site["other"].incr(cache.make_key(TAG_PREFIX + SITE))
    # No request comes: the background reader takes the news all the same.
    deadline = time.monotonic() + 10 * localcopies.PING_EVERY
    while len(local_copies()) and time.monotonic() < deadline:
        time.sleep(localcopies.PING_EVERY / 5)
    assert len(local_copies()) == 0


@needs_redis
def test_no_copies_when_reads_may_come_from_a_redis_replica(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "pagecache.backends.RedisCache",
            "LOCATION": [REDIS_URL, "redis://127.0.0.1:6379/6"],
        }
    }
    assert local_copies() is None


@needs_redis
def test_one_redis_client_serves_every_call(settings):
    """pagecache.backends.RedisCache hands Django's backend its own client class, through
    private names (see that module): if Django stops reading them, this fails."""
    settings.CACHES = {
        "default": {"BACKEND": "pagecache.backends.RedisCache", "LOCATION": REDIS_URL}
    }
    backend = caches["default"]
    client = backend._cache
    assert isinstance(client, backends.ReusedClientRedisCacheClient)
    assert client.get_client(write=True) is client.get_client(write=True)
    assert client.get_client() is client.get_client(write=True)  # one server: one pool
    backend.set("one-client-probe", 1)
    assert backend.get("one-client-probe") == 1
    backend.delete("one-client-probe")


# --- The bookkeeping, with a stand-in connection and clock ---------------------------


class StandInConnection:
    """Holds what Redis would have pushed or answered, until it is read."""

    def __init__(self, on_push):
        self.on_push = on_push
        self.waiting: list = []
        self.sent: list = []

    def can_read(self, timeout=0):
        return bool(self.waiting)

    def read_response(self, push_request=False):
        item = self.waiting.pop(0)
        if item == "PONG":
            return b"PONG"
        return self.on_push([b"invalidate", item])

    def send_command(self, *args):
        self.sent.append(args)

    def disconnect(self):
        pass


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(localcopies, "_clock", lambda: now[0])
    return now


@pytest.fixture
def copies(clock):
    connections = []

    def connect(on_push):
        connections.append(StandInConnection(on_push))
        return connections[-1]

    copies = LocalCopies(connect, max_bytes=100_000, listener=False)
    copies.connections = connections
    return copies


def finished(text="page"):
    return {"content": text.encode(), "headers": {}}


def keep(copies, address, keys=("tag:a",), text="page"):
    copies.keep(address, copies.epoch, keys, finished(text), expires_at=4e9)


def test_a_change_to_any_key_of_a_copy_drops_that_copy_only(copies):
    assert copies.get("/a/") is None  # connects
    keep(copies, "/a/", keys=("page:a", "tag:shared"))
    keep(copies, "/b/", keys=("page:b", "tag:other"))
    copies.connections[0].waiting.append([b"tag:shared", b"\xff not utf-8"])
    assert copies.get("/a/") is None
    assert copies.get("/b/")["content"] == b"page"


def test_a_copy_read_while_something_changed_is_not_kept(copies):
    copies.get("/a/")
    epoch = copies.epoch  # noted before asking Redis for the page
    copies.connections[0].waiting.append([b"tag:unrelated"])  # news arrives meanwhile
    copies.keep("/a/", epoch, ("tag:a",), finished(), expires_at=4e9)
    assert copies.get("/a/") is None


def test_copies_are_trusted_only_while_pings_are_answered(copies, clock):
    copies.get("/a/")
    keep(copies, "/a/")
    connection = copies.connections[0]
    clock[0] += localcopies.PING_EVERY
    assert copies.get("/a/") is not None  # sends a ping
    assert connection.sent == [("PING",)]
    clock[0] += localcopies.TRUST_FOR  # no answer yet: Redis may have pushed news unread
    assert copies.get("/a/") is None
    connection.waiting.append("PONG")  # the answer to that ping
    clock[0] += 0.01
    assert copies.get("/a/") is None  # it was sent too long ago to vouch for now
    clock[0] += localcopies.PING_EVERY
    copies.get("/a/")  # a new ping...
    connection.waiting.append("PONG")  # ...answered at once
    assert copies.get("/a/")["content"] == b"page"


def test_a_ping_unanswered_for_long_means_a_new_connection(copies, clock, caplog):
    copies.get("/a/")
    keep(copies, "/a/")
    clock[0] += localcopies.PING_EVERY
    copies.get("/a/")  # ping
    clock[0] += localcopies.GIVE_UP_AFTER + 0.1
    assert copies.get("/a/") is None
    assert "tracking connection lost" in caplog.text
    copies.get("/a/")
    assert len(copies.connections) == 2
    assert copies.get("/a/") is None  # nothing held over from the lost connection


def test_an_expired_copy_is_not_served(copies):
    copies.get("/a/")
    copies.keep("/a/", copies.epoch, ("tag:a",), finished(), expires_at=1.0)
    assert copies.get("/a/") is None


def test_copies_stay_within_their_memory_budget_least_recently_used_out_first(copies):
    copies.get("/")
    keep(copies, "/0/", text="x" * 9_000)  # ~10 kB each against 100 kB
    keep(copies, "/1/", text="x" * 9_000)
    for n in range(2, 30):
        assert copies.get("/0/") is not None  # read often: stays
        keep(copies, f"/{n}/", text="x" * 9_000)
    assert copies.get("/1/") is None
    assert copies.get("/29/") is not None
    assert 8 <= len(copies) <= 10


def test_a_request_never_waits_for_another_reading_redis(copies):
    copies.get("/a/")
    keep(copies, "/a/")
    copies._lock.acquire()  # another thread is reading Redis (or connecting)
    try:
        started = time.monotonic()
        assert copies.get("/a/") is None  # goes to the shared cache instead
        assert time.monotonic() - started < 0.1
    finally:
        copies._lock.release()
    assert copies.get("/a/") is not None


def test_while_redis_is_away_connecting_is_tried_less_and_less_often(clock, caplog):
    attempts = []

    def refuse(on_push):
        attempts.append(clock[0])
        raise ConnectionError("Connection refused")

    copies = LocalCopies(refuse, max_bytes=100_000, listener=False)
    for _ in range(700):  # a request every 0.1 s for 70 s
        assert copies.get("/a/") is None
        clock[0] += 0.1
    waits = [round(b - a) for a, b in zip(attempts, attempts[1:], strict=False)]
    assert waits == [1, 2, 4, 8, 16, 30]
    assert "no tracking connection" in caplog.text


def test_a_redis_that_will_not_track_turns_copies_off_for_good(clock, caplog):
    attempts = []

    def refuse(on_push):
        attempts.append(clock[0])
        raise backends.TrackingUnavailable("unknown command 'CLIENT'")

    copies = LocalCopies(refuse, max_bytes=100_000, listener=False)
    for _ in range(100):
        copies.get("/a/")
        clock[0] += 1
    copies.keep("/a/", copies.epoch, ("tag:a",), finished(), expires_at=4e9)
    assert copies.get("/a/") is None
    assert len(attempts) == 1
    assert caplog.text.count("will not track") == 1


def test_the_background_reader_steps_aside_and_stops_with_the_connection(clock):
    copies = LocalCopies(StandInConnection, max_bytes=100_000, listener=True)
    copies.get("/a/")
    assert copies._listener.is_alive()
    copies._lock.acquire()
    copies._drop_connection()
    copies._lock.release()
    copies._listener.join(timeout=2 * localcopies.PING_EVERY + 1)
    assert not copies._listener.is_alive()
