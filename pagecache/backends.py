"""Django's own Redis cache backend, reusing one client per connection pool.

Django builds a new redis-py client object for every cache call, and redis-py fills
some 170 response callbacks each time: a third of a cached page's cost. A client over
a connection pool is thread-safe, so one per pool serves every call.

It also opens the tracking connection that keeps each process's page copies true
(pagecache.localcopies).

Neither library offers these hooks publicly. Each private name used is marked
"Private:" at its line; all were checked against Django 5.2.19
(django/core/cache/backends/redis.py) and redis-py 8.2.0 (redis/connection.py,
redis/_parsers/), and tests/pagecache/test_local_copies.py fails if one changes.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class TrackingUnavailable(Exception):
    """Redis answered but will not track keys (too old, or CLIENT not allowed)."""


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # Private: RedisCacheClient._get_connection_pool(write) and ._client (the redis-py
        # client class), as its own get_client uses them. Failing if they change:
        # test_one_redis_client_serves_every_call and every test on Redis.
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        # Private: RedisCache._class, the client class its `_cache` builds. Ignored
        # silently if renamed: test_one_redis_client_serves_every_call fails then.
        self._class = ReusedClientRedisCacheClient

    def can_track(self) -> bool:
        """One server: reads and the tracking connection see the same data (with replicas
        listed, Django reads from a random replica, which may lag)."""
        # Private: RedisCache._servers, the LOCATION split into a list. Failing if it
        # changes: test_no_copies_when_reads_may_come_from_a_redis_replica, and
        # test_a_copy_answers_without_asking_redis.
        return len(self._servers) == 1

    def tracking_connection(self, prefixes: list[str], on_push):
        """A new connection to the primary down which Redis pushes the names of keys
        under `prefixes` as they change (client-side caching, broadcasting mode, RESP3).
        Reading a push calls `on_push([b"invalidate", [key, …]])`, with None for the
        keys when the database was flushed. Used by pagecache.localcopies."""
        from redis.exceptions import ResponseError
        from redis.maint_notifications import MaintNotificationsConfig

        # Private: RedisCache._cache (its client) and RedisCacheClient._get_connection_pool
        # (the primary's pool, whose options this connection copies). Failing if they
        # change: test_a_copy_answers_without_asking_redis (no copies without tracking).
        pool = self._cache._get_connection_pool(write=True)
        options = {
            name: value
            for name, value in pool.connection_kwargs.items()
            if not name.startswith(("maint_notifications", "orig_", "protocol", "socket_"))
        }
        connection = pool.connection_class(
            **options,
            protocol=3,
            socket_timeout=1,
            socket_connect_timeout=0.5,
            # Maintenance pushes would change the timeouts and count as replies.
            maint_notifications_config=MaintNotificationsConfig(enabled=False),
        )
        try:
            connection.connect()
            # As redis-py's own client-side cache does: the parser dispatches pushes.
            # Private: Connection._parser and the RESP3 parser's
            # set_invalidation_push_handler (redis-py 8.2.0; pyproject.toml keeps redis
            # below 9). Failing if they change: test_a_copy_answers_without_asking_redis
            # (no connection, no copies) and
            # test_a_change_made_through_another_app_server_shows_on_the_next_request
            # (pushes no longer heard).
            connection._parser.set_invalidation_push_handler(on_push)
            arguments = []
            for prefix in prefixes:
                arguments += ["PREFIX", prefix]
            connection.send_command("CLIENT", "TRACKING", "ON", "BCAST", *arguments)
            reply = connection.read_response()
        except ResponseError as error:  # HELLO or CLIENT refused
            connection.disconnect()
            raise TrackingUnavailable(str(error)) from error
        except BaseException:
            connection.disconnect()
            raise
        if reply not in (b"OK", "OK"):
            connection.disconnect()
            raise TrackingUnavailable(f"CLIENT TRACKING answered {reply!r}")
        return connection
