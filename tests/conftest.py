"""Shared fixtures: a throwaway MEDIA_ROOT and a clean cache for every test, the page
cache on only where a test asks for it, and the demo. Factories: tests/factories.py."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and generated files go to a temp dir, never the developer's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (rate-limit counters, cached lists)."""
    cache.clear()
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
def tasks_at_once(settings):
    """Background tasks run at once, inside the test (django-tasks' ImmediateBackend);
    the browser test of imports runs the real worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """The hashed-name storage needs collectstatic; tests render templates without it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def demo(db):
    from articles.demo import load_demo

    return load_demo(editor=True)
