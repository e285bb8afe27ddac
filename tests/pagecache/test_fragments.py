"""Parts of pages kept across requests (pagecache.fragments): an article page missing
from the page cache reads again only what changed, and never shows a part older than
what it shows; the next change by the clock is asked of the database once per change."""

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from articles.models import Article
from catalogue.models import Book
from catalogue.ratings import Reader, rate
from pagecache import fragments, store
from pagecache.tags import SITE, tag_for
from pagecache.versions import invalidate
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of

pytestmark = pytest.mark.page_cache


@pytest.fixture
def site(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        author = make_author(name="Stephen Harding")
        books = [
            make_book(title=f"Battle {number}", slug=f"battle-{number}", authors=[author])
            for number in range(3)
        ]
        body = "Text\n\n" + "\n\n".join(f"[[book:{book.slug}]]" for book in books)
        article = make_article(title="Unlikely Allies", body=body)
        make_article(title="Further Reading", body="More text.")
    return {"books": books, "article": article}


def drop_page(url: str) -> None:
    """The page's own entry gone, as after an edit of it or at a new host: its parts stay."""
    cache.delete(store.page_key(store.page_address(RequestFactory().get(url))))


def render(client, url: str):
    drop_page(url)
    response = client.get(url)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response  # rendered, not served from the page cache
    return response


def test_a_page_rendered_again_reads_no_book_it_shows_that_did_not_change(
    client, site, django_assert_num_queries
):
    url = site["article"].get_absolute_url()
    first = render(client, url)
    # The article itself, and nothing else: its cards, "Read next" and topics are kept.
    with django_assert_num_queries(1):
        again = render(client, url)
    assert text_of(again.content, ".book-card__title") == text_of(
        first.content, ".book-card__title"
    )
    assert "Battle 2" in again.content.decode()
    assert "Further Reading" in again.content.decode()  # Read next


def test_a_page_rendered_again_reads_its_kept_parts_in_one_call_to_the_cache(
    client, site, cache_reads
):
    url = site["article"].get_absolute_url()
    render_until_kept(client, url)  # its cards, Read next and the article's row
    reads = cache_reads(fragments)
    again = render(client, url)
    # Its three cards, its "Read next" and its row, read together before the render.
    assert len(reads) == 1
    assert text_of(again.content, ".book-card__title") == ["Battle 0", "Battle 1", "Battle 2"]


def test_a_retitled_book_shows_at_once_and_the_other_cards_are_kept(
    client, site, django_capture_on_commit_callbacks, django_assert_num_queries
):
    url = site["article"].get_absolute_url()
    render(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        book = Book.objects.get(pk=site["books"][1].pk)
        book.title = "The Last Battle"
        book.save()
    response = client.get(url)
    html = response.content.decode()
    assert "The Last Battle" in html and "Battle 1" not in html
    assert "Battle 0" in html and "Battle 2" in html
    # Once more: every card kept again, the retitled one included, and the article's row.
    with django_assert_num_queries(0):
        assert "The Last Battle" in render(client, url).content.decode()


def test_a_rating_shows_on_the_card_at_once(client, site, django_capture_on_commit_callbacks):
    url = site["article"].get_absolute_url()
    render(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        rate(book=site["books"][0], reader=Reader(visitor="v1"), score=5)
    assert "5.0 out of 5" in client.get(url).content.decode()


def test_a_book_withdrawn_leaves_the_article_at_once(
    client, site, django_capture_on_commit_callbacks
):
    url = site["article"].get_absolute_url()
    render(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        book = Book.objects.get(pk=site["books"][2].pk)
        book.status = Book.Status.DRAFT
        book.save()
    assert "Battle 2" not in render(client, url).content.decode()


def test_a_new_article_joins_read_next_kept_for_another(
    client, site, django_capture_on_commit_callbacks
):
    url = site["article"].get_absolute_url()
    render(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Fresh Off The Press", body="News.")
    assert "Fresh Off The Press" in render(client, url).content.decode()


def test_parts_are_not_kept_with_the_page_cache_off(client, site, settings):
    settings.PAGE_CACHE_SECONDS = 0
    with fragments.batch({"part": [SITE]}) as kept:
        kept.put("part", "<p>kept</p>")
    assert fragments.batch({"part": [SITE]}).get("part") is None


def test_a_part_is_used_only_while_its_tags_keep_their_versions(
    site, django_capture_on_commit_callbacks
):
    book = site["books"][0]
    with fragments.batch({"card": [tag_for(book)]}) as kept:
        assert kept.get("card") is None
        kept.put("card", "<p>old</p>")
        kept.put("not-wanted", "<p>never stored</p>")
    assert fragments.batch({"card": [tag_for(book)]}).get("card") == "<p>old</p>"
    assert fragments.batch({"not-wanted": [SITE]}).get("not-wanted") is None
    with django_capture_on_commit_callbacks(execute=True):
        invalidate(tag_for(book))
    assert fragments.batch({"card": [tag_for(book)]}).get("card") is None


def test_a_part_made_while_its_thing_changed_is_never_used(
    site, django_capture_on_commit_callbacks
):
    book = site["books"][0]
    kept = fragments.batch({"card": [tag_for(book)]})  # versions read before the data
    with django_capture_on_commit_callbacks(execute=True):
        invalidate(tag_for(book))  # the change commits while the part is being made
    kept.put("card", "<p>made from what was read</p>")
    kept.save()
    assert fragments.batch({"card": [tag_for(book)]}).get("card") is None


def test_nothing_is_kept_when_a_lagging_replica_was_read(site, monkeypatch):
    monkeypatch.setattr(store, "replica_caught_up", lambda: False)
    with fragments.batch({"card": [SITE]}) as kept:
        kept.put("card", "<p>maybe old</p>")
    monkeypatch.setattr(store, "replica_caught_up", lambda: True)
    assert fragments.batch({"card": [SITE]}).get("card") is None


def test_with_the_cache_down_parts_are_made_anew(client, site, monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    kept = fragments.batch({"card": [SITE]})
    assert kept.get("card") is None
    kept.put("card", "<p>x</p>")
    kept.save()
    assert "Fragment cache unavailable" in caplog.text


def test_the_next_change_by_the_clock_is_asked_once_until_something_changes(
    site, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        invalidate(SITE)  # a change counter to keep it under
    assert store.next_change() is None
    with django_assert_num_queries(0):
        assert store.next_change() is None
    # An article scheduled: its save moves the counter on, so pages stored from now on
    # expire when it appears.
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Coming soon", published_at=timezone.now() + dt.timedelta(seconds=40))
    assert 38 <= store.next_change() <= 40
    with django_assert_num_queries(0):
        assert 38 <= store.next_change() <= 40


def test_once_its_time_has_passed_the_next_change_is_asked_again(
    site, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Coming soon", published_at=timezone.now() + dt.timedelta(seconds=40))
        make_article(title="Later", published_at=timezone.now() + dt.timedelta(seconds=400))
    assert 38 <= store.next_change() <= 40
    later = time.time() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime.fromtimestamp(later, tz=dt.UTC))
    assert 330 <= store.next_change() <= 340
    assert Article.objects.published().filter(title="Coming soon").exists()


def test_cards_kept_before_an_affiliate_code_was_set_are_not_shown_after(
    client, site, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.filter(pk=site["books"][0].pk).update(isbn13="9780000000002")
        invalidate(tag_for(site["books"][0]))
    url = site["article"].get_absolute_url()
    assert "sponsored" not in render(client, url).content.decode()
    settings.AFFILIATE_CODES = {"bookshop-org": "12345"}  # the setting changed, and a restart
    assert 'rel="sponsored' in render(client, url).content.decode()


def test_a_part_made_across_a_change_by_the_clock_is_not_kept(
    site, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Coming soon", published_at=timezone.now() + dt.timedelta(seconds=40))
    kept = fragments.batch({"read-next": [SITE]})  # read before the article goes live
    later = time.monotonic() + 60
    monkeypatch.setattr(time, "monotonic", lambda: later)  # ... stored after
    kept.put("read-next", "<p>without the new article</p>")
    kept.save()
    assert fragments.batch({"read-next": [SITE]}).get("read-next") is None


def test_a_page_rendered_across_a_change_by_the_clock_is_not_kept(
    client, site, django_capture_on_commit_callbacks, monkeypatch
):
    from articles.views import ArticleDetailView

    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Coming soon", published_at=timezone.now() + dt.timedelta(seconds=40))
    url = site["article"].get_absolute_url()
    original = ArticleDetailView.get_context_data

    def render_while_the_article_goes_live(*args, **kwargs):
        context = original(*args, **kwargs)
        later = time.time() + 60
        monkeypatch.setattr(time, "time", lambda: later)
        return context

    monkeypatch.setattr(ArticleDetailView, "get_context_data", render_while_the_article_goes_live)
    assert client.get(url).status_code == 200
    assert cache.get(store.page_key(store.page_address(RequestFactory().get(url)))) is None


# --- The article's own row, kept under its tag ----------------------------------------


def render_until_kept(client, url: str) -> None:
    """Renders enough for the row to be kept: the first render here learns which tags
    the address's article is under, the second keeps its row under them."""
    render(client, url)
    render(client, url)


def test_a_page_of_an_article_kept_reads_nothing_from_the_database(
    client, site, django_assert_num_queries
):
    url = site["article"].get_absolute_url()
    render_until_kept(client, url)
    with django_assert_num_queries(0):
        again = render(client, url)
    assert text_of(again.content, "h1") == ["Unlikely Allies"]


def test_an_article_kept_and_then_edited_or_withdrawn_shows_so_at_once(
    client, site, django_capture_on_commit_callbacks
):
    url = site["article"].get_absolute_url()
    render_until_kept(client, url)
    article = Article.objects.get(pk=site["article"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Unlikely Allies, revised"
        article.save()
    assert text_of(render(client, url).content, "h1") == ["Unlikely Allies, revised"]
    render_until_kept(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        article.status = Article.Status.DRAFT
        article.save()
    drop_page(url)
    assert client.get(url).status_code == 404


def test_a_kept_articles_featured_picture_shows_its_new_words_at_once(
    client, site, django_capture_on_commit_callbacks
):
    from images.models import Image
    from images.signals import image_changed
    from tests.pictures import make_ready_image

    with django_capture_on_commit_callbacks(execute=True):
        picture = make_ready_image(caption="Before the bridge.")
        article = Article.objects.get(pk=site["article"].pk)
        article.featured_image = picture
        article.save()
    url = article.get_absolute_url()
    render_until_kept(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        picture.caption = "After the bridge."
        picture.save()
        image_changed.send(sender=Image, instance=picture)
    assert "After the bridge." in render(client, url).content.decode()


def test_an_article_is_kept_no_longer_than_until_its_withdrawal(
    client, site, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.get(pk=site["article"].pk)
        article.withdraw_at = timezone.now() + dt.timedelta(seconds=40)
        article.save()
    url = article.get_absolute_url()
    render(client, url)
    stored = {}

    class Recording:
        def __getattr__(self, name):
            return getattr(cache, name)

        def set_many(self, entries, timeout):
            stored.update(dict.fromkeys(entries, timeout))
            return cache.set_many(entries, timeout)

    monkeypatch.setattr(fragments, "cache", Recording())
    render(client, url)
    [row_lifetime] = [seconds for key, seconds in stored.items() if ":article:" in key]
    assert row_lifetime <= 40
