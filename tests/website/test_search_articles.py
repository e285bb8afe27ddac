"""The articles a search finds, kept across requests (website.search_results): a search
page missed after a change to a book does not search the articles again, and whatever
changes what the articles' part shows shows at once."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from catalogue.ratings import Reader, rate
from pagecache.fragments import FRAGMENT_PREFIX
from tests.factories import make_article, make_book
from tests.helpers import text_of
from tests.pictures import make_ready_image

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]


@pytest.fixture
def found(django_capture_on_commit_callbacks):
    """A book and two articles found by "elbe"; the search seen once."""
    with django_capture_on_commit_callbacks(execute=True):
        book = make_book(title="Elbe Crossing")
        bridges = make_article(title="The bridges of the Elbe", body="Torgau and beyond.")
        river = make_article(title="A river in April", body="The Elbe at Torgau.")
    assert teasers(seen("elbe")) == ["The bridges of the Elbe", "A river in April"]
    return {"book": book, "bridges": bridges, "river": river}


def seen(query: str) -> str:
    response = Client().get("/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def teasers(html: str) -> list[str]:
    return text_of(html, ".teaser__title")


def saved(article: Article, **changes) -> None:
    article = Article.objects.get(pk=article.pk)
    for name, value in changes.items():
        setattr(article, name, value)
    article.save()


def test_a_page_missed_after_a_rating_does_not_search_the_articles_again(
    found, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rate(book=found["book"], reader=Reader(visitor="a-reader"), score=4)
    with CaptureQueriesContext(connection) as queries:
        html = seen("elbe")
    assert teasers(html) == ["The bridges of the Elbe", "A river in April"]
    assert text_of(html, ".rating__count") == ["(1 rating)"]  # the page was made again
    # Neither searched nor read (the page cache's own look at the clock reads dates).
    assert not any('"articles_article"."title"' in query["sql"] for query in queries)


def test_an_article_retitled_shows_at_once(found, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        saved(found["river"], title="A river in May")
    assert teasers(seen("elbe")) == ["The bridges of the Elbe", "A river in May"]


def test_an_article_published_or_withdrawn_shows_at_once(found, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Elbe, Elbe", body="The Elbe again.")
        saved(found["bridges"], status=Article.Status.DRAFT)
    assert teasers(seen("elbe")) == ["Elbe, Elbe", "A river in April"]


def test_a_featured_picture_shows_at_once(found, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        saved(found["river"], featured_image=make_ready_image())
    html = seen("elbe")
    assert len(text_of(html, ".teaser picture")) == 1


def test_a_flood_of_distinct_searches_keeps_found_articles_within_the_budget(found, settings):
    settings.PAGE_CACHE_QUERY_PAGES = 5
    for number in range(12):
        assert teasers(seen(f"elbe {number}")) == []
    assert len(kept_keys("found:")) <= 5 + 1  # the fixture's own search


def kept_keys(kind: str) -> list[str]:
    """The kept parts of this kind in the shared cache, whichever backend the suite uses."""
    if isinstance(getattr(cache, "_cache", None), dict):  # local memory
        keys = list(cache._cache)
    else:  # Redis
        keys = [key.decode() for key in cache._cache.get_client().scan_iter("*")]
    return [key for key in keys if FRAGMENT_PREFIX in key and f":{kind}" in key]
