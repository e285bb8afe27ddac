"""Redis bounded by `maxmemory` with `allkeys-lru` (README, Deployment) evicts any key:
pages, kept parts, and the tags' versions and the change counter, which carry no expiry.
An eviction may cost a render, never a stale page."""

import pytest
from django.core.cache import cache

from articles.models import Article
from pagecache import versions
from tests.helpers import text_of

pytestmark = pytest.mark.page_cache


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def evict_versions() -> None:
    """Every tag's version evicted (and nothing else), as Redis may choose to."""
    if isinstance(getattr(cache, "_cache", None), dict):  # local memory
        keys = [key for key in list(cache._cache) if versions.TAG_PREFIX in key]
        for key in keys:
            cache._cache.pop(key, None)
            cache._expire_info.pop(key, None)
    else:  # Redis
        client = cache._cache.get_client()
        for key in client.scan_iter(f"*{versions.TAG_PREFIX}*"):
            client.delete(key)


def retitle(article, title, commits) -> None:
    with commits(execute=True):
        article = Article.objects.get(pk=article.pk)
        article.title = title
        article.save()


def test_a_page_whose_tags_versions_were_evicted_is_rendered_again(
    client, site, django_capture_on_commit_callbacks
):
    url = site["article"].get_absolute_url()
    get(client, url)
    assert get(client, url)["X-Page-Cache"] == "hit"
    evict_versions()
    response = get(client, url)
    assert "X-Page-Cache" not in response  # a new version is no version it was stored with
    assert text_of(response.content, "h1") == ["Unlikely Allies"]
    retitle(site["article"], "Unlikely Allies, revised", django_capture_on_commit_callbacks)
    evict_versions()
    assert text_of(get(client, url).content, "h1") == ["Unlikely Allies, revised"]


class EvictingEachNewVersion:
    """The shared cache as Redis under memory pressure may behave: a version given to a
    tag is evicted before it is read back (`add` says it stored it)."""

    def __getattr__(self, name):
        return getattr(cache, name)

    def add(self, key, *args, **kwargs):
        return key.startswith(versions.TAG_PREFIX) or cache.add(key, *args, **kwargs)


def test_a_page_stored_while_its_versions_were_evicted_is_never_served_stale(
    client, site, monkeypatch, django_capture_on_commit_callbacks
):
    url = site["article"].get_absolute_url()
    cache.clear()  # no tag has a version yet: the render gives each one
    monkeypatch.setattr(versions, "cache", EvictingEachNewVersion())
    get(client, url)  # stored (with its kept parts) while each version given was evicted
    get(client, url)  # and read again (this process now knows the page's tags)
    monkeypatch.undo()
    retitle(site["article"], "Unlikely Allies, revised", django_capture_on_commit_callbacks)
    evict_versions()  # what the change wrote evicted in turn, before any reader came
    for _ in range(2):
        assert text_of(get(client, url).content, "h1") == ["Unlikely Allies, revised"]


def test_a_version_evicted_before_it_is_read_back_is_still_a_version():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(versions, "cache", EvictingEachNewVersion())
        first = versions.versions_of(["catalogue.book:1", "catalogue.book:2"])
        second = versions.versions_of(["catalogue.book:1", "catalogue.book:2"])
    assert None not in first.values()
    assert first["catalogue.book:1"] != second["catalogue.book:1"]  # nothing matches it


class EvictingTheNewCounter:
    """As EvictingEachNewVersion, for the change counter a render reads before it begins
    (store.next_change gives one when there is none, and reads it back)."""

    def __getattr__(self, name):
        return getattr(cache, name)

    def add(self, key, *args, **kwargs):
        return key == versions.CHANGES_KEY or cache.add(key, *args, **kwargs)


def test_a_render_begun_while_the_counter_was_evicted_is_not_stored_past_a_change(db, monkeypatch):
    from django.http import HttpResponse

    from pagecache import store

    tag = "articles.article:1"
    monkeypatch.setattr(store, "cache", EvictingTheNewCounter())
    found = {}
    due = store.next_change_due(found)
    changes_before = found.get(versions.CHANGES_KEY)  # as shared_page reads it
    monkeypatch.undo()
    assert changes_before is None
    response = HttpResponse("<h1>The old title</h1>")  # rendered from what was read now
    response.cache_tags = [tag]
    versions._move_on([tag])  # a change commits during the render
    cache.delete(versions.CHANGES_KEY)  # and its counter is evicted before the render ends
    assert not store.store_page("page:test", response, changes_before, due=due)
