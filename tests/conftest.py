"""Shared fixtures: a throwaway MEDIA_ROOT and a clean cache for every test, the page
cache on only where a test asks for it, signed-in desk accounts, and the demo.
Factories: tests/factories.py."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections, transaction
from django.test import TransactionTestCase


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and generated files go to a temp dir, never the developer's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (rate-limit counters, cached lists), and with
    nothing a process remembers of what it read from it (which article an address
    showed, which parts a page read: guesses, checked, but they change how many queries
    a page makes)."""
    from articles.views import ROWS_SEEN
    from pagecache.fragments import KNOWN_READS

    cache.clear()
    ROWS_SEEN.clear()
    KNOWN_READS.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def page_cache(request, settings):
    """The page cache is on only for tests marked `page_cache` (which run the on-commit
    invalidations): elsewhere a test's own writes, never committed, would go unseen."""
    if request.node.get_closest_marker("page_cache"):
        settings.PAGE_CACHE_SECONDS = 600
    else:
        settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def stored_parts(request, settings):
    """Parts of pages stored in the database (pagecache.stored_parts) likewise: only for
    tests marked `stored_parts` or `page_cache`."""
    marked = request.node.get_closest_marker
    settings.STORED_PARTS_SECONDS = 3600 if marked("stored_parts") or marked("page_cache") else 0


@pytest.fixture(autouse=True)
def tasks_at_once(settings):
    """Background tasks run at once, inside the test (django-tasks' ImmediateBackend);
    the browser test of imports runs the real worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Passwords hashed by MD5, not PBKDF2's million rounds (about a second each on CI's
    two cores): each account, sign-in and demo load would pay it. What a password lets
    in, and what it does not, is the same; only servers started as processes hash as in
    production."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """The hashed-name storage needs collectstatic; tests render templates without it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _empty_every_table(test_case) -> None:
    """What Django's flush after a transactional test does, by DELETE instead of TRUNCATE
    on PostgreSQL: a TRUNCATE of the ~50 tables makes new files for each, 1.5-2 s on
    CI's two cores after every live-server test; deleting their few rows takes
    milliseconds. Foreign keys are deferred to the commit, when all rows are gone; the
    rows migrations make (groups, permissions) are made again, as flush does."""
    for name in test_case._databases_names(include_mirrors=False):
        connection = connections[name]
        tables = connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        with transaction.atomic(using=name), connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
        emit_post_migrate_signal(verbosity=0, interactive=False, db=name)


@pytest.fixture(scope="session", autouse=True)
def quick_flush_on_postgresql():
    """Transactional tests (the live server's, the browser tests') end with a quick empty
    database on PostgreSQL (see _empty_every_table); SQLite's flush deletes already."""
    if connections["default"].vendor != "postgresql":
        yield
        return
    with mock.patch.object(TransactionTestCase, "_fixture_teardown", _empty_every_table):
        yield


@pytest.fixture
def editor(db):
    """Erin, an editor, signed in (a module may have its own `editor`)."""
    from tests.factories import desk_client

    return desk_client("erin", "editor")


@pytest.fixture
def contributor(db):
    """Casey, a contributor, signed in."""
    from tests.factories import desk_client

    return desk_client("casey", "contributor")


@pytest.fixture
def colleague(db):
    """Chris, a second contributor, signed in."""
    from tests.factories import desk_client

    return desk_client("chris", "contributor")


@pytest.fixture
def demo(db):
    from articles.demo import load_demo

    add_default_shops()
    return load_demo(editor=True)


def add_default_shops():
    """The shops the data migration makes (catalogue 0018), which a live-server test's
    flush of the database removes for every test after it: the demo links to them."""
    import importlib

    from django.apps import apps

    importlib.import_module("catalogue.migrations.0018_default_shops").add_default_shops(apps)
