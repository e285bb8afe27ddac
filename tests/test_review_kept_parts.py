"""Review of this session's caching changes (pages and their kept parts): each test is a
change a reader or an editor makes, or a request a stranger sends, and what the next
reader then sees (the bug it found, a draft published missing from "More by" and
"Similar" on its author's other pages, is fixed in catalogue/signals.py)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from articles.models import Article
from catalogue.models import Book, Subject
from pagecache import store
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]


def drop_page(url: str, **extra) -> None:
    """The page's own entry gone (as at an edge that has not seen it): its parts stay."""
    cache.delete(store.page_key(store.page_address(RequestFactory().get(url, **extra))))


def seen(url: str, **extra) -> str:
    """The page rendered anew, as after its entry went: from whatever parts are kept."""
    drop_page(url, **extra)
    response = Client().get(url, **extra)
    assert response.status_code == 200
    # Rendered, from its kept parts: a key worked out wrong above would leave it a hit.
    assert response.get("X-Page-Cache") != "hit"
    return response.content.decode()


def others(html: str) -> list[str]:
    return text_of(html, "#book-others + ul .book-card__title")


def similar(html: str) -> list[str]:
    return text_of(html, "#book-similar + ul .book-card__title")


@pytest.fixture
def collins(django_capture_on_commit_callbacks):
    """A book by an author with a subject, its page seen, and a draft by the same author
    on the same subject that an editor is about to publish."""
    with django_capture_on_commit_callbacks(execute=True):
        author, war = make_author(name="Suzanne Collins"), Subject.objects.create(name="War")
        book = make_book(title="The Hunger Games", series="The Hunger Games",
                         series_number=Decimal(1), authors=[author])  # fmt: skip
        draft = make_book(title="Gregor the Overlander", status=Book.Status.DRAFT,
                          publication_year=2003, authors=[author])  # fmt: skip
        book.subjects.add(war)
        draft.subjects.add(war)
    url = book.get_absolute_url()
    assert others(seen(url)) == []
    return {"book": book, "draft": draft, "url": url}


def test_a_draft_by_the_author_published_joins_more_by_and_similar(
    collins, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = Book.objects.get(pk=collins["draft"].pk)
        draft.status = Book.Status.PUBLISHED
        draft.save()
    html = seen(collins["url"])
    assert others(html) == ["Gregor the Overlander"]


def test_a_book_page_with_nothing_kept_lists_a_published_draft(
    collins, django_capture_on_commit_callbacks
):
    """The control of the test above: rendered from nothing kept, the list is right."""
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=collins["draft"].pk).update(status=Book.Status.PUBLISHED)
    cache.clear()
    assert others(seen(collins["url"])) == ["Gregor the Overlander"]


# --- The article's row, kept by its address (articles/views.py published_article) -------


def test_an_article_deleted_and_another_made_at_its_address_shows_the_new_one(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_article(title="The First", slug="the-piece", body="One.")
    url = first.get_absolute_url()
    for _ in range(3):  # learnt, then kept
        assert text_of(seen(url), "h1") == ["The First"]
    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
        make_article(title="The Second", slug="the-piece", body="Two.")
    assert text_of(seen(url), "h1") == ["The Second"]
    assert text_of(seen(url), "h1") == ["The Second"]


def test_an_article_renamed_leads_from_its_old_address_and_a_new_one_takes_it(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_article(title="The First", slug="the-piece", body="One.")
    url = first.get_absolute_url()
    for _ in range(3):
        seen(url)
    with django_capture_on_commit_callbacks(execute=True):
        first = Article.objects.get(pk=first.pk)
        first.slug = "the-first"
        first.save()
    drop_page(url)
    moved = Client().get(url)
    assert moved.status_code == 301 and moved["Location"].endswith("/the-first/")
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="The Second", slug="the-piece", body="Two.")
    assert text_of(seen(url), "h1") == ["The Second"]


def test_an_articles_featured_picture_replaced_by_another_shows_the_other(
    django_capture_on_commit_callbacks,
):
    from tests.pictures import make_ready_image

    with django_capture_on_commit_callbacks(execute=True):
        before = make_ready_image(caption="Before the bridge.")
        after = make_ready_image(caption="After the bridge.")
        article = make_article(title="Bridges", body="Text.", featured_image=before)
    url = article.get_absolute_url()
    for _ in range(3):
        assert "Before the bridge." in seen(url)
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.get(pk=article.pk)
        article.featured_image = after
        article.save()
    html = seen(url)
    assert "After the bridge." in html and "Before the bridge." not in html


def test_a_book_an_article_names_made_later_shows_over_a_kept_row(
    django_capture_on_commit_callbacks,
):
    """The stored render is written by a bulk update (articles/signals.py
    renders_find_book): the row kept by its address must go with it."""
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(title="Ahead", body="Text.\n\n[[book:not-yet]]\n")
    url = article.get_absolute_url()
    for _ in range(3):
        assert "Not Yet Written" not in seen(url)
    with django_capture_on_commit_callbacks(execute=True):
        make_book(title="Not Yet Written", slug="not-yet", authors=[make_author()])
    assert "Not Yet Written" in seen(url)


def test_a_book_an_article_shows_merged_away_shows_the_kept_book_over_a_kept_row(
    django_capture_on_commit_callbacks,
):
    from catalogue.merging import merge_books

    with django_capture_on_commit_callbacks(execute=True):
        kept = make_book(title="Dune", slug="dune", authors=[make_author()])
        duplicate = make_book(title="Dune (duplicate)", slug="dune-2")
        article = make_article(title="Sand", body="Text.\n\n[[book:dune-2]]\n")
    url = article.get_absolute_url()
    for _ in range(3):
        assert "Dune (duplicate)" in seen(url)
    with django_capture_on_commit_callbacks(execute=True):
        merge_books(kept, [duplicate])
    html = seen(url)
    assert "Dune (duplicate)" not in html and "Dune" in text_of(html, ".book-card__title")


# --- The read-ahead (pagecache/fragments.py read_ahead): versions read before the render --


def test_a_change_committed_after_the_read_ahead_never_leaves_the_old_title_kept(
    django_capture_on_commit_callbacks, monkeypatch
):
    """The parts' versions are read before the render, the page is stored under them:
    a book retitled between that read and the render's read of its row shows to every
    next reader, never the old title under the new version (the page rendered across
    the change is not stored: the change counter moved; its parts kept from before the
    change are under the old version)."""
    from contextlib import contextmanager

    from pagecache import fragments

    with django_capture_on_commit_callbacks(execute=True):
        book = make_book(title="The Last Battle", slug="the-last-battle", authors=[make_author()])
        article = make_article(title="Allies", body="Text\n\n[[book:the-last-battle]]\n")
    url = article.get_absolute_url()
    for _ in range(2):  # its reads learnt, then read ahead
        seen(url)
    original = fragments.read_ahead

    @contextmanager
    def retitled_once_read(page_key):
        with original(page_key) as versions:
            with django_capture_on_commit_callbacks(execute=True):
                changed = Book.objects.get(pk=book.pk)
                changed.title = "The Last Battle (revised)"
                changed.save()
            yield versions

    monkeypatch.setattr(fragments, "read_ahead", retitled_once_read)
    seen(url)  # its reader, whose request overlapped the change, may see either title
    monkeypatch.setattr(fragments, "read_ahead", original)
    for _ in range(2):
        response = Client().get(url)
        assert text_of(response.content, ".book-card__title") == ["The Last Battle (revised)"]
        assert text_of(seen(url), ".book-card__title") == ["The Last Battle (revised)"]
