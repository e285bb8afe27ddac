"""No part kept for an article page (pagecache.fragments: its book cards, its Read next)
outlives a change of what it shows, whatever makes the change: here the writes that send
no signal. Each test drops the page's own entry, not its parts, as an edit of the article
or a new host would, and reads the page as readers get it."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import RequestFactory

from articles.models import Article
from catalogue.models import Book
from pagecache import store
from tests.factories import make_article, make_book
from tests.helpers import text_of

pytestmark = pytest.mark.page_cache


@pytest.fixture
def site(site, django_capture_on_commit_callbacks):
    """The page cache tests' site (conftest.py), with a second article to read next."""
    with django_capture_on_commit_callbacks(execute=True):
        further = make_article(title="Further Reading", body="More text.")
    return {**site, "further": further}


def render(client, url: str):
    """The page rendered anew (its entry dropped), with whatever parts are kept."""
    cache.delete(store.page_key(store.page_address(RequestFactory().get(url))))
    response = client.get(url)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    return response


def test_a_book_changed_outside_django_shows_anew_once_refresh_embeds_has_run(
    client, site, django_capture_on_commit_callbacks
):
    url = site["article"].get_absolute_url()
    assert text_of(render(client, url).content, ".book-card__title") == ["The Last Battle"]
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=site["book"].pk).update(title="The Last Battle of WWII")
        # What the README says to run after books were changed outside Django.
        call_command("refresh_embeds", stdout=io.StringIO())
    shown = text_of(render(client, url).content, ".book-card__title")
    assert shown == ["The Last Battle of WWII"]


def test_a_reading_time_counted_by_refresh_recommendations_shows_in_read_next(
    client, site, django_capture_on_commit_callbacks
):
    url = site["article"].get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        # Written in bulk, around Article.save: no word count, no text profile yet.
        Article.objects.filter(pk=site["further"].pk).update(
            body="word " * 2300, word_count=0, text_profile={}
        )
    assert "1 min read" in text_of(render(client, url).content, ".recommendations")[0]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("refresh_recommendations", stdout=io.StringIO())
    read_next = text_of(render(client, url).content, ".recommendations")[0]
    assert "Further Reading" in read_next and "10 min read" in read_next


def test_a_draft_book_an_article_names_shows_on_its_cached_page_once_published(
    client, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_book(title="Ninety Days", slug="ninety-days", status=Book.Status.DRAFT)
        # Led by a public book, so its share picture does not change with the draft's.
        body = "[[book:the-last-battle]]\n\n[[book:ninety-days]]\n"
        article = make_article(title="Coming Up", body=body)
    url = article.get_absolute_url()
    assert text_of(render(client, url).content, ".book-card__title") == ["The Last Battle"]
    assert client.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        draft.status = Book.Status.PUBLISHED
        draft.save()
    response = client.get(url)  # the cached page, which hid the draft, is dropped
    assert text_of(response.content, ".book-card__title") == ["The Last Battle", "Ninety Days"]
