"""Review of this session's page-cache changes: the middleware's one read reused by the
view, the page stored once with its finished response, the edge offered only a page's
own spelling, pages keyed apart by script name. Each test is a request a reader or a
stranger sends and what the next reader gets. The five bugs the review found are fixed:
another spelling of the path offered to the edge, a page first asked by HEAD or answered
304 never finished, kept parts shared across script names, pages stored before a restart
with affiliate codes."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import override_script_prefix

from pagecache import store
from pagecache.tags import SITE
from pagecache.versions import invalidate
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]


@pytest.fixture
def article(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_book(title="The Last Battle", slug="the-last-battle", authors=[make_author()])
        return make_article(title="Unlikely Allies", body="Text\n\n[[book:the-last-battle]]\n")


def entry_of(url: str, **extra) -> dict | None:
    return cache.get(store.page_key(store.page_address(RequestFactory().get(url, **extra))))


def messages_cookie(text: str) -> str:
    """The `messages` cookie Django's CookieStorage sets for one message waiting."""
    storage = CookieStorage(RequestFactory().get("/"))
    response = HttpResponse()
    storage._store([Message(constants.SUCCESS, text)], response)
    return response.cookies["messages"].value


def test_a_page_rendered_for_a_reader_with_a_message_keeps_it_theirs(article):
    url = article.get_absolute_url()
    reader = Client()
    reader.cookies["messages"] = messages_cookie("Thanks for your rating.")
    assert "Thanks for your rating." in reader.get(url).content.decode()
    for stranger in (Client().get(url), Client().get(url), Client().head(url)):
        assert stranger.status_code == 200
        assert "Thanks for your rating." not in stranger.content.decode()


def test_a_page_first_asked_by_head_is_served_whole_to_the_next_get(article):
    url = article.get_absolute_url()
    assert Client().head(url).status_code == 200
    first, second = Client().get(url), Client().get(url)
    for response in (first, second):
        assert text_of(response.content, "h1") == ["Unlikely Allies"]
        assert response["Content-Type"].startswith("text/html")


def test_the_finished_response_sent_again_carries_the_headers_of_the_first(article):
    url = article.get_absolute_url()
    first = Client().get(url)
    again = Client().get(url)
    assert again["X-Page-Cache"] == "hit"
    for header in ("Content-Security-Policy", "X-Frame-Options", "ETag", "Content-Type"):
        assert again[header] == first[header], header
    assert "Set-Cookie" not in again and not again.cookies


def test_a_book_page_with_a_rating_form_never_hands_one_readers_token_to_another(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        book = make_book(title="The Last Battle", slug="the-last-battle", authors=[make_author()])
    url = book.get_absolute_url()
    tokens = set()
    for _ in range(3):
        html = Client().get(url).content.decode()
        tokens.update(
            part.split('"')[0] for part in html.split('name="csrfmiddlewaretoken" value="')[1:]
        )
    assert len(tokens) == 3  # a token of its own for each reader


def test_a_path_spelled_otherwise_is_not_offered_to_the_edge(article, settings):
    settings.EDGE = "varnish"
    url = article.get_absolute_url()  # /articles/unlikely-allies/
    spelled = url.replace("/unlikely", "/%75nlikely")
    response = Client().get(url, RAW_URI=spelled)
    assert response.status_code == 200
    assert not response["Cache-Control"].startswith("public")


def test_the_path_as_reverse_spells_it_is_offered_to_the_edge(article, settings):
    settings.EDGE = "varnish"
    url = article.get_absolute_url()
    Client().get(url)
    assert Client().get(url, RAW_URI=url)["Cache-Control"].startswith("public")


def test_a_page_first_asked_by_a_revalidating_browser_is_later_sent_as_finished(
    article, django_capture_on_commit_callbacks
):
    """After a change that leaves the page's bytes as they were (a held rating, the
    whole site dropped by refresh_embeds), its first reader is often a browser
    revalidating with the ETag it has: a 304. The next readers get the fast path."""
    url = article.get_absolute_url()
    etag = Client().get(url)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        invalidate(SITE)
    assert Client().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    for _ in range(3):
        assert Client().get(url)["X-Page-Cache"] == "hit"
    assert "finished" in entry_of(url)


def test_a_page_first_asked_by_head_is_later_sent_as_finished(article):
    url = article.get_absolute_url()
    assert Client().head(url).status_code == 200
    for _ in range(3):
        assert Client().get(url)["X-Page-Cache"] == "hit"
    assert "finished" in entry_of(url)


def test_kept_parts_made_under_one_script_name_link_within_another(article):
    """A site mounted under a script name by its front (and at the root by another, or
    moved): the page is keyed by script name (10948eb), and so must its kept parts be."""
    url = article.get_absolute_url()
    Client().get(url)  # its parts kept, made at the site's root
    with override_script_prefix("/colophon/"):  # as WSGIHandler sets it from SCRIPT_NAME
        html = Client().get(url, SCRIPT_NAME="/colophon").content.decode()
    links = [link for link in re.findall(r'href="(/[^"]*)"', html) if "/books/" in link]
    assert links and all(link.startswith("/colophon/") for link in links), links


def test_parts_made_under_a_script_name_link_within_it_when_nothing_was_kept(article):
    """The control of the test above: with nothing kept, every link is under the name."""
    url = article.get_absolute_url()
    with override_script_prefix("/colophon/"):
        html = Client().get(url, SCRIPT_NAME="/colophon").content.decode()
    links = [link for link in re.findall(r'href="(/[^"]*)"', html) if "/books/" in link]
    assert links and all(link.startswith("/colophon/") for link in links), links


def test_affiliate_codes_set_at_a_restart_are_disclosed_on_the_next_page_served(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book = make_book(title="Mockingjay", isbn13="9780439023481", authors=[make_author()])
    url = book.get_absolute_url()
    disclosure = ".book > .book-card .shop-links__disclosure"
    assert text_of(Client().get(url).content, disclosure) == [
        "Colophon is paid nothing for these links; it counts clicks on them, never who clicked."
    ]
    settings.AFFILIATE_CODES = {"amazon": "colophon-21"}  # the server restarted with them
    assert text_of(Client().get(url).content, disclosure) == [
        "Colophon earns a commission on purchases made through the Amazon link."
    ]
