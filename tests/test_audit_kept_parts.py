"""Audit: what a stranger sends cannot grow the shared cache without bound through the
kept parts (pagecache.fragments), as it cannot through pages (PAGE_CACHE_QUERY_PAGES).
The search page kept each query's found articles without a budget (fixed in 3107b8b)."""

import pytest
from django.core.cache import cache

from pagecache.fragments import FRAGMENT_PREFIX
from tests.factories import make_article, make_book

pytestmark = pytest.mark.page_cache


def kept_part_keys() -> list[str]:
    """The kept parts in the shared cache, whichever backend the suite runs on."""
    if isinstance(getattr(cache, "_cache", None), dict):  # local memory
        keys = list(cache._cache)
    else:  # Redis
        keys = [key.decode() for key in cache._cache.get_client().scan_iter("*")]
    return [key for key in keys if FRAGMENT_PREFIX in key]


def test_a_flood_of_random_searches_keeps_the_kept_parts_bounded(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_QUERY_PAGES = 25
    with django_capture_on_commit_callbacks(execute=True):
        make_book(title="The Last Battle")
        make_article(title="Unlikely Allies", body="Soldiers of two armies.")
    before = len(kept_part_keys())
    for number in range(60):
        assert client.get(f"/search/?q=word{number}").status_code == 200
    # The pages stored are 25 per window of PAGE_CACHE_QUERY_SECONDS (two windows if a
    # slow run straddles them); what is kept for them, at most one part a page.
    assert len(kept_part_keys()) - before <= 2 * 25
