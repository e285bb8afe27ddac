"""The rating limits and the desk's login lockouts live in the database: a flood of
cached pages, which makes a full cache drop keys, cannot give a refused client a fresh
count. `cache.clear()` below is the worst such a flood can do."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from catalogue.models import RateLimitCounter, Rating
from catalogue.readers import over_limit
from tests.catalogue.test_ratings import browser, post_rating
from tests.factories import make_book
from tests.helpers import sign_in

# Windows of an hour: a test taking a few seconds does not straddle two.
LIMITS = {"visitor": (2, 3600), "address": (100, 3600)}


@pytest.fixture
def book(db):
    return make_book(title="The Rated Book", slug="rated")


def test_a_visitor_refused_stays_refused_after_the_cache_is_emptied(book, settings):
    settings.RATING_RATE_LIMITS = LIMITS
    client = browser()
    codes = [post_rating(client, book, score=str(n)).status_code for n in (1, 2, 3)]
    assert codes == [302, 302, 429]
    cache.clear()
    refused = post_rating(client, book, score="5")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert Rating.objects.get().score == 2


def test_an_address_refused_stays_refused_after_the_cache_is_emptied(book, settings):
    settings.RATING_RATE_LIMITS = {**LIMITS, "visitor": (100, 3600), "address": (2, 3600)}
    codes = [post_rating(browser(), book, score="4").status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    cache.clear()
    assert post_rating(browser(), book, score="4").status_code == 429
    assert Rating.objects.count() == 2


def test_ended_windows_are_forgotten_as_new_ones_open(db):
    assert over_limit("test", "a", 5, 1) == 0
    RateLimitCounter.objects.update(window_ends_at="2000-01-01T00:00:00Z")  # long over
    assert over_limit("test", "b", 5, 3600) == 0
    assert list(RateLimitCounter.objects.values_list("key", "count")) == [("b", 1)]


def test_a_desk_lockout_survives_an_emptied_cache(client, db, settings):
    """django-axes keeps failed sign-ins in the database (its default handler, named
    in the settings so that nobody moves it to the cache unawares)."""
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    get_user_model().objects.create_user("editor", password="a-long-pass-9", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "editor", "wrong")
    cache.clear()
    locked = sign_in(client, "editor", "a-long-pass-9")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
