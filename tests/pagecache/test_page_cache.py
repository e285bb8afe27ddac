"""The shared page cache: pages are served from it, dropped the moment what they show
changes, and still carry each visitor's own parts (CSRF token, their rating, messages)."""

import datetime as dt
import logging
import time

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone

from articles.models import Article
from catalogue.models import Book
from catalogue.ratings import Reader, rate
from pagecache import store, versions, visitor_parts
from pagecache.tags import tag_for
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of

pytestmark = pytest.mark.page_cache


def get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code in (200, 304)
    return response


def test_a_second_visit_is_served_from_the_cache_without_the_database(
    client, site, django_assert_num_queries
):
    url = site["article"].get_absolute_url()
    assert "X-Page-Cache" not in get(client, url)
    with django_assert_num_queries(0):
        response = get(Client(), url)
    assert response["X-Page-Cache"] == "hit"
    assert text_of(response.content, "h1") == ["Unlikely Allies"]


def test_editing_an_article_drops_its_cached_page(client, site, django_capture_on_commit_callbacks):
    url = site["article"].get_absolute_url()
    get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.get(pk=site["article"].pk)
        article.title = "Unlikely Allies, revised"
        article.save()
    response = get(client, url)
    assert "X-Page-Cache" not in response
    assert text_of(response.content, "h1") == ["Unlikely Allies, revised"]


def test_a_rating_refreshes_every_page_that_shows_the_book(
    client, site, django_capture_on_commit_callbacks
):
    book_url, article_url = site["book"].get_absolute_url(), site["article"].get_absolute_url()
    for url in (book_url, article_url, "/books/"):
        get(client, url)
        assert get(client, url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        rate(book=site["book"], reader=Reader(visitor="v1"), score=5)
    for url in (book_url, article_url, "/books/"):
        response = get(client, url)
        assert "X-Page-Cache" not in response, url
        assert "5.0 out of 5" in response.content.decode(), url


def test_renaming_an_author_refreshes_the_pages_of_their_books(
    client, site, django_capture_on_commit_callbacks
):
    get(client, site["book"].get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        site["author"].name = "S. Harding"
        site["author"].save()
    assert (
        "by S. Harding"
        in text_of(get(client, site["book"].get_absolute_url()).content, ".book-card__authors")[0]
    )


def test_crediting_a_book_to_another_author_refreshes_both_authors_pages(
    client, site, django_capture_on_commit_callbacks
):
    old_author = site["author"]
    with django_capture_on_commit_callbacks(execute=True):
        new_author = make_author(name="Ann Other")
        make_book(title="Another Book", authors=[new_author])
    for url in (old_author.get_absolute_url(), new_author.get_absolute_url()):
        get(client, url)
        assert get(client, url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        credit = site["book"].contributions.get()  # as the desk's inline loads it
        credit.author = new_author
        credit.save()
    # The old author has no public book left: no page (not the cached one).
    assert client.get(old_author.get_absolute_url()).status_code == 404
    assert sorted(
        text_of(get(client, new_author.get_absolute_url()).content, ".book-card__title")
    ) == ["Another Book", "The Last Battle"]


def test_each_visitor_gets_their_own_token_and_rating_on_a_cached_page(
    site, django_capture_on_commit_callbacks
):
    url = site["book"].get_absolute_url()
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    def form(client):
        page = client.get(url)
        soup = BeautifulSoup(page.content, "html.parser")
        token = soup.select_one("[data-rating-form] input[name=csrfmiddlewaretoken]")["value"]
        status = soup.select_one("[data-rating-status]").get_text(strip=True)
        return page, token, status

    form(alice)
    with django_capture_on_commit_callbacks(execute=True):
        page, token, _ = form(alice)
        assert page["X-Page-Cache"] == "hit"
        posted = alice.post(f"{url}rate/", {"score": "4", "csrfmiddlewaretoken": token})
        assert posted.status_code == 302
    _, _, alice_status = form(alice)
    page, bob_token, bob_status = form(bob)
    assert alice_status == "You rated this book 4 stars."
    assert bob_status == "" and bob_token != token
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            bob.post(f"{url}rate/", {"score": "2", "csrfmiddlewaretoken": bob_token}).status_code
            == 302
        )
    assert Book.objects.get(pk=site["book"].pk).site_histogram == [0, 1, 0, 1, 0]


def test_a_message_is_shown_once_on_a_cached_page(site, django_capture_on_commit_callbacks):
    client = Client()
    url = site["book"].get_absolute_url()
    client.get(url)
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}rate/", {"score": "5"}, HTTP_X_CSRFTOKEN=token)
    assert text_of(client.get(url).content, ".message") == [
        "Thank you: you rated this book 5 stars."
    ]
    assert text_of(client.get(url).content, ".message") == []


def test_an_unchanged_page_answers_304_to_its_etag(client, site):
    url = site["article"].get_absolute_url()
    etag = get(client, url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_page_rendered_for_a_revalidating_client_is_kept_all_the_same(
    client, site, django_capture_on_commit_callbacks
):
    # An edge (or a browser) asking "has it changed?" after a change that left the page's
    # bytes as they were gets a 304; the page it made is still kept for the next reader.
    url = site["article"].get_absolute_url()
    etag = get(client, url)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        versions.invalidate(tag_for(site["book"]))
    revalidated = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert revalidated.status_code == 304
    assert "X-Page-Cache" not in revalidated  # rendered anew
    assert get(Client(), url)["X-Page-Cache"] == "hit"


def test_a_page_is_kept_for_a_visitor_with_a_message_waiting(site):
    # Such a visitor skips the fast path; the page rendered for them is kept for others.
    url = site["article"].get_absolute_url()
    visitor = Client()
    visitor.cookies["messages"] = "something"
    assert "X-Page-Cache" not in get(visitor, url)
    assert get(Client(), url)["X-Page-Cache"] == "hit"


def test_with_the_cache_down_pages_are_served_uncached(client, site, monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    for method in ("get", "get_many", "set", "set_many", "add"):  # every call fails
        monkeypatch.setattr(cache, method, down)
    with caplog.at_level(logging.WARNING, logger="pagecache.decorators"):
        response = client.get(site["article"].get_absolute_url())
    assert response.status_code == 200
    assert text_of(response.content, "h1") == ["Unlikely Allies"]
    assert "Page cache unavailable" in caplog.text


class CountingCache:
    """The shared cache, counting the calls made to it (each a round trip on Redis)."""

    def __init__(self, cache):
        self.cache, self.calls = cache, []

    def __getattr__(self, name):
        method = getattr(self.cache, name)

        def counted(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return counted


def test_a_change_drops_its_pages_in_one_call_to_the_cache_however_many_tags_it_has(
    client, site, monkeypatch, django_capture_on_commit_callbacks
):
    # The edges are purged only once it is done: every round trip here is time an edit
    # takes to show through the edge.
    url = site["article"].get_absolute_url()
    get(client, url)
    counting = CountingCache(cache)
    monkeypatch.setattr(versions, "cache", counting)
    tags = [tag_for(site["article"]), *(f"catalogue.book:{number}" for number in range(20))]
    with django_capture_on_commit_callbacks(execute=True):
        versions.invalidate(*tags)
    assert counting.calls == ["set_many"]
    monkeypatch.setattr(versions, "cache", cache)
    assert "X-Page-Cache" not in get(client, url)  # dropped all the same
    assert get(client, url)["X-Page-Cache"] == "hit"


def test_a_page_rendered_during_a_change_is_not_kept(client, site, monkeypatch):
    from articles.views import ArticleDetailView

    url = site["article"].get_absolute_url()
    original = ArticleDetailView.get_context_data

    def render_while_something_changes(*args, **kwargs):
        cache.incr(versions.CHANGES_KEY) if cache.get(versions.CHANGES_KEY) else cache.set(
            versions.CHANGES_KEY, 1
        )
        return original(*args, **kwargs)

    monkeypatch.setattr(ArticleDetailView, "get_context_data", render_while_something_changes)
    get(client, url)
    monkeypatch.setattr(ArticleDetailView, "get_context_data", original)
    assert "X-Page-Cache" not in get(client, url)


def test_a_page_from_the_fast_path_keeps_its_security_headers_and_etag(client, site):
    url = site["article"].get_absolute_url()
    first = client.get(url, secure=True)
    second = Client().get(url, secure=True)
    assert second["X-Page-Cache"] == "hit"
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "ETag",
        "Content-Type",
    ):
        assert second[header] == first[header], header  # fmt: skip
    assert second["Strict-Transport-Security"].startswith("max-age=31536000")
    assert second.content == first.content
    # (The same scheme: the page names its https address as canonical.)
    assert Client().get(url, secure=True, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_scheduled_article_appears_on_cached_pages_when_its_time_comes(
    client, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Coming soon", published_at=timezone.now() + dt.timedelta(seconds=40))
    get(client, "/")
    entry = cache.get(store.page_key(store.page_address(RequestFactory().get("/"))))
    # No write happens when its time comes, so the cached home page must expire by then.
    assert entry["expires_at"] - time.time() <= 41
    assert "Coming soon" not in get(client, "/").content.decode()


def test_publishing_an_article_refreshes_the_pages_of_the_books_it_embeds(
    client, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article(title="Later piece", body="[[book:the-last-battle]]", status="draft")
    url = site["book"].get_absolute_url()
    get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        draft.status = Article.Status.PUBLISHED
        draft.save()
    assert "Later piece" in text_of(get(client, url).content, "#book-articles + ul")[0]


def test_a_head_request_does_not_cost_the_page_its_etag(client, site):
    url = site["article"].get_absolute_url()
    client.head(url)
    response = Client().get(url)
    assert response["ETag"]


def test_a_database_failure_in_a_visitor_part_is_the_styled_503(client, site, monkeypatch):
    from django.db import OperationalError

    def unavailable(request, argument):
        raise OperationalError("server closed the connection")

    monkeypatch.setitem(visitor_parts.PARTS, "rating-form", unavailable)
    client.raise_request_exception = False
    response = client.get(site["book"].get_absolute_url())
    assert response.status_code == 503 and response["Retry-After"] == "30"


def test_the_book_list_survives_the_cache_being_down(client, site, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    for name in ("get", "get_or_set", "get_many", "set"):
        monkeypatch.setattr(cache, name, down)
    response = client.get("/books/")
    assert response.status_code == 200
    assert "The Last Battle" in response.content.decode()


def test_an_invalidation_missed_while_the_cache_was_down_is_sent_when_it_returns(
    client, site, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    url = site["article"].get_absolute_url()
    get(client, url)

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    with monkeypatch.context() as outage:
        for name in ("incr", "set", "set_many"):
            outage.setattr(cache, name, down)
        with django_capture_on_commit_callbacks(execute=True):
            Article.objects.filter(pk=site["article"].pk).update(title="Edited in the outage")
            versions.invalidate(tag_for(site["article"]))
    assert "not invalidated" in caplog.text
    # The cache is back, still holding the page from before the outage.
    response = get(client, url)
    assert text_of(response.content, "h1") == ["Edited in the outage"]
    assert "X-Page-Cache" not in response


def test_parameters_a_page_does_not_read_share_its_cached_copy(client, site):
    url = site["article"].get_absolute_url()
    get(client, url)
    response = get(client, f"{url}?utm_source=newsletter&fbclid=abc")
    assert response["X-Page-Cache"] == "hit"
    assert text_of(response.content, "h1") == ["Unlikely Allies"]


def test_a_list_is_cached_once_whatever_the_order_of_its_parameters(client, site):
    make_book(title="Another Battle")
    first = get(client, "/books/?sort=title&q=battle&utm_campaign=x")
    # Links on the shared page never carry a parameter the list does not read.
    assert "utm_campaign" not in first.content.decode()
    second = get(client, "/books/?q=battle&sort=title")
    assert second["X-Page-Cache"] == "hit"
    assert get(client, "/books/?q=battle&sort=title")["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in get(client, "/books/?q=battle&sort=-title")


def test_a_new_book_in_a_series_joins_its_siblings_cached_pages(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_book(title="Dune", series="Dune Chronicles", series_number=1)
    get(client, first.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        make_book(title="Dune Messiah", series="Dune Chronicles", series_number=2)
    html = get(client, first.get_absolute_url()).content
    assert text_of(html, "#book-series + ol li") == ["Dune Messiah #2"]


def test_a_book_gaining_a_subject_joins_the_similar_books_of_cached_pages(
    client, db, django_capture_on_commit_callbacks
):
    from catalogue.models import Subject

    with django_capture_on_commit_callbacks(execute=True):
        war = Subject.objects.create(name="War")
        main, newcomer = make_book(title="Main"), make_book(title="Newcomer")
        main.subjects.add(war)
    assert text_of(get(client, main.get_absolute_url()).content, "#book-similar") == []
    with django_capture_on_commit_callbacks(execute=True):
        war.books.add(newcomer)  # from the subject's side, as the desk may
    html = get(client, main.get_absolute_url()).content
    assert text_of(html, "#book-similar + ul .book-card__title") == ["Newcomer"]


def test_a_page_with_a_rating_form_answers_304_while_the_visitor_sees_the_same(
    client, site, django_capture_on_commit_callbacks
):
    url = site["book"].get_absolute_url()
    first = get(client, url)
    etag = first["ETag"]
    # The masked CSRF token differs in every response, yet the visitor's copy stands.
    assert get(client, url)["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Another visitor (another CSRF secret) is not sent a 304 for this visitor's copy.
    assert Client().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
    # Once this visitor rates the book, their page differs: a full answer.
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}rate/", {"score": "4"}, HTTP_X_CSRFTOKEN=token)
    client.get(url)  # shows (and so takes) the "thank you" message
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert "You rated this book 4 stars." in again.content.decode()


def test_a_page_read_from_a_lagging_replica_is_served_but_not_kept(client, site, monkeypatch):
    monkeypatch.setattr(store, "replica_caught_up", lambda: False)
    url = site["article"].get_absolute_url()
    assert text_of(get(client, url).content, "h1") == ["Unlikely Allies"]
    assert "X-Page-Cache" not in get(client, url)
    monkeypatch.setattr(store, "replica_caught_up", lambda: True)
    get(client, url)
    assert get(client, url)["X-Page-Cache"] == "hit"


def test_a_replica_is_caught_up_once_it_has_replayed_the_primarys_commits(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("write-ahead log positions are PostgreSQL's: CI runs the suite on it")
    # The same server on both sides: not in recovery, so nothing to wait for.
    assert store.replica_has_replayed(connection, connection) is True


def stored_page_keys() -> list[str]:
    """The pages in the shared cache, whichever backend the suite runs on."""
    if isinstance(getattr(cache, "_cache", None), dict):  # local memory
        keys = list(cache._cache)
    else:  # Redis
        keys = [key.decode() for key in cache._cache.get_client().scan_iter("*")]
    return [key for key in keys if store.PAGE_PREFIX in key]


def test_one_page_whatever_the_spelling_of_its_page_number_or_spaces(client, site):
    for number in range(30):
        make_book(title=f"Battle {number}")
    get(client, "/books/?page=2")
    assert get(client, "/books/?page=002")["X-Page-Cache"] == "hit"
    get(client, "/books/")
    assert get(client, "/books/?page=01")["X-Page-Cache"] == "hit"
    get(client, "/search/?q=last+battle")
    assert get(client, "/search/?q=++last+++battle+")["X-Page-Cache"] == "hit"


def test_the_view_reads_only_its_parameters_unchanged_and_read_only():
    query = (
        RequestFactory()
        .get("/", {"q": ["a&b=c 50%  +ü", "", "x"], "page": "007", "utm_source": "feed"})
        .GET
    )
    known = store.known_query(query, ["q", "page"])
    assert dict(known.lists()) == {"page": ["7"], "q": ["a&b=c 50% +ü", "x"]}
    with pytest.raises(AttributeError):  # as Django's own request.GET
        known["q"] = "changed"


def test_a_flood_of_random_queries_keeps_the_cache_bounded(client, site, settings):
    settings.PAGE_CACHE_QUERY_PAGES = 25
    get(client, "/books/")
    get(client, site["book"].get_absolute_url())
    before = len(stored_page_keys())
    for number in range(45):
        get(client, f"/search/?q=word{number}")
        client.get(f"/books/?author=someone{number}&page={'0' * number}1")
    stored = len(stored_page_keys()) - before
    # 25 per window of PAGE_CACHE_QUERY_SECONDS: a slow run that straddles two windows
    # stores both windows' share, never more (the flood alone would store 90).
    assert 0 < stored <= 2 * 25
    # The pages everyone reads are still kept and served.
    assert get(client, "/books/")["X-Page-Cache"] == "hit"


def test_an_import_stopped_halfway_leaves_no_page_hiding_its_books(
    client, site, monkeypatch, django_capture_on_commit_callbacks
):
    from catalogue.importers import import_books, writer
    from tests.catalogue.test_import_files import DATA

    get(client, "/books/")
    assert get(client, "/books/")["X-Page-Cache"] == "hit"
    original, calls = writer.BatchWriter.write, {"n": 0}

    def power_cut_in_the_second_batch(self, records):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return original(self, records)

    monkeypatch.setattr(writer.BatchWriter, "write", power_cut_in_the_second_batch)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        import_books(DATA / "goodbooks_sample.csv", batch_size=5)
    imported = Book.objects.exclude(pk=site["book"].pk)
    assert imported.count() == 5  # the first batch was committed
    response = get(client, "/books/")
    assert "X-Page-Cache" not in response
    shown = text_of(response.content, "main")[0]
    for book in imported:
        assert book.title in shown


def test_a_page_with_a_readers_own_part_is_served_from_one_read_of_the_cache(site, cache_reads):
    # The book page's rating form is each reader's: the page comes from the cache with
    # the form filled in, the entry and its tags' versions read once, not once more by
    # the view.
    url = site["book"].get_absolute_url()
    reader = Client()  # (one client: one process's middleware, which learns the tags)
    get(reader, url)
    get(reader, url)  # its tags learnt
    reads = cache_reads(store, versions)
    response = get(reader, url)
    assert response["X-Page-Cache"] == "hit"
    assert 'name="score"' in response.content.decode()  # the form, filled for this reader
    assert len(reads) == 1
