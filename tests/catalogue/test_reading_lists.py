"""Reading lists as readers see them: the index, a list's page with its cards and notes,
its structured data and sitemap entry, its old addresses, the book pages that name it,
the cached copies of all of those, and merging a book that is on a list."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import extruct
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalogue.merging import merge_books
from catalogue.models import Book, ReadingList, ReadingListItem
from catalogue.shop_clicks import source_from_token
from tests.factories import make_author, make_book
from tests.helpers import text_of


def make_list(*books, notes=(), **fields) -> ReadingList:
    fields.setdefault("title", "Ten books on the last days of the war")
    fields.setdefault("status", ReadingList.Status.PUBLISHED)
    reading_list = ReadingList.objects.create(**fields)
    notes = [*notes, *[""] * len(books)]
    for position, (book, note) in enumerate(zip(books, notes, strict=False)):
        ReadingListItem.objects.create(
            reading_list=reading_list, book=book, position=position, note=note
        )
    return reading_list


@pytest.fixture
def shelf(db):
    beevor = make_author(name="Antony Beevor")
    return {
        "berlin": make_book(title="Berlin: The Downfall 1945", authors=[beevor]),
        "bunker": make_book(title="The Bunker"),
        "draft": make_book(title="An Unfinished Record", status=Book.Status.DRAFT),
        "end": make_book(title="The End"),
    }


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response


# --- The list's page ----------------------------------------------------------------------


def test_a_list_shows_its_public_books_in_order_as_cards_with_their_notes(client, shelf):
    reading_list = make_list(
        shelf["end"], shelf["draft"], shelf["berlin"],
        notes=["Kershaw on why Germany fought on.", "Not yet public.", "The city's fall."],
        introduction="How a war ends, seen from the inside.",
    )  # fmt: skip
    page = get(client, reading_list.get_absolute_url()).content

    assert text_of(page, "h1") == ["Ten books on the last days of the war"]
    assert text_of(page, ".reading-list__introduction") == ["How a war ends, seen from the inside."]
    assert text_of(page, ".reading-list__entry .book-card__title") == [
        "The End", "Berlin: The Downfall 1945",
    ]  # fmt: skip
    assert text_of(page, ".reading-list__entry .book-card__authors") == ["by Antony Beevor"]
    assert text_of(page, ".reading-list__note") == [
        "Kershaw on why Germany fought on.", "The city's fall.",
    ]  # fmt: skip
    assert "Not yet public" not in page.decode()


def test_the_cards_buy_links_count_their_clicks_against_the_list(client, shelf):
    shelf["end"].isbn13 = "9780141976839"
    shelf["end"].save()
    reading_list = make_list(shelf["end"])
    page = get(client, reading_list.get_absolute_url()).content
    links = [href for href in _links(page) if href.startswith("/go/")]
    assert links, "the card shows buy or borrow links"
    for href in links:
        token = parse_qs(urlsplit(href).query)["from"][0]
        assert source_from_token(token) == (ReadingList, reading_list.pk)


def test_a_draft_or_withdrawn_or_scheduled_list_is_not_found(client, shelf):
    soon = timezone.now() + dt.timedelta(days=1)
    for fields in (
        {"status": ReadingList.Status.DRAFT, "slug": "draft"},
        {"status": ReadingList.Status.WITHDRAWN, "slug": "withdrawn"},
        {"published_at": soon, "slug": "scheduled"},
    ):
        reading_list = make_list(shelf["end"], **fields)
        assert client.get(reading_list.get_absolute_url()).status_code == 404, fields


def test_a_renamed_list_leads_from_its_old_address_in_one_hop(client, shelf):
    reading_list = make_list(shelf["end"], slug="war-ends")
    reading_list.slug = "how-wars-end"
    reading_list.save()
    reading_list.slug = "the-end-of-wars"
    reading_list.save()
    for old in ("war-ends", "how-wars-end"):
        response = client.get(f"/lists/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/lists/the-end-of-wars/"


def test_a_withdrawn_lists_old_address_is_not_found(client, shelf):
    reading_list = make_list(shelf["end"], slug="war-ends")
    reading_list.slug = "how-wars-end"
    reading_list.status = ReadingList.Status.WITHDRAWN
    reading_list.save()
    assert client.get("/lists/war-ends/").status_code == 404


def test_the_list_page_describes_itself_as_an_item_list_of_its_books(client, shelf):
    reading_list = make_list(shelf["end"], shelf["draft"], shelf["berlin"])
    page = get(client, reading_list.get_absolute_url())
    data = extruct.extract(
        page.content.decode(), base_url="http://testserver/", syntaxes=["json-ld"]
    )["json-ld"]
    (item_list,) = [item for item in data if item["@type"] == "ItemList"]
    assert item_list["name"] == "Ten books on the last days of the war"
    assert item_list["url"] == f"http://testserver{reading_list.get_absolute_url()}"
    assert [
        (element["@type"], element["position"], element["name"], element["url"])
        for element in item_list["itemListElement"]
    ] == [
        ("ListItem", 1, "The End", f"http://testserver{shelf['end'].get_absolute_url()}"),
        ("ListItem", 2, "Berlin: The Downfall 1945",
         f"http://testserver{shelf['berlin'].get_absolute_url()}"),
    ]  # fmt: skip


def test_the_list_page_asks_the_same_queries_for_two_books_or_twenty(
    client, shelf, django_assert_num_queries
):
    reading_list = make_list(shelf["end"], shelf["berlin"])
    cache.clear()  # what the cards cache (the shops) would hide the second time
    with CaptureQueriesContext(connection) as two_books:
        get(Client(), reading_list.get_absolute_url())
    # The list, its places, their books, their credits (and what else a card reads).
    assert len(two_books) >= 4
    for number in range(18):
        book = make_book(title=f"Another {number}", authors=[make_author()])
        ReadingListItem.objects.create(reading_list=reading_list, book=book, position=10 + number)
    cache.clear()
    with django_assert_num_queries(len(two_books)):
        page = get(Client(), reading_list.get_absolute_url())
    assert len(text_of(page.content, ".reading-list__entry .book-card__title")) == 20


# --- The index ------------------------------------------------------------------------------


def test_the_index_lists_published_lists_newest_first_with_their_book_counts(client, shelf):
    now = timezone.now()
    make_list(shelf["end"], shelf["draft"], title="Older", published_at=now - dt.timedelta(days=2))
    make_list(shelf["end"], shelf["berlin"], title="Newer", published_at=now - dt.timedelta(days=1))
    make_list(title="Not yet", status=ReadingList.Status.DRAFT)
    page = get(client, "/lists/").content
    assert text_of(page, ".teaser__title") == ["Newer", "Older"]
    assert text_of(page, ".teaser__text") == ["2 books", "1 book"]


def test_the_index_is_paginated(client, shelf):
    now = timezone.now()
    for number in range(25):
        make_list(title=f"List {number:02}", published_at=now - dt.timedelta(hours=number))
    first, second = get(client, "/lists/").content, get(client, "/lists/?page=2").content
    assert len(text_of(first, ".teaser__title")) == 20
    assert text_of(second, ".teaser__title") == [f"List {n}" for n in range(20, 25)]
    assert text_of(second, ".pagination__current") == ["Page 2 of 2"]


def test_readers_find_the_lists_from_every_page(client, shelf):
    page = get(client, "/books/").content
    assert "/lists/" in [link for link in _links(page)]


def _links(html: bytes) -> list[str]:
    from bs4 import BeautifulSoup

    return [a["href"] for a in BeautifulSoup(html, "html.parser").select("a[href]")]


# --- In the sitemap --------------------------------------------------------------------------


def test_published_lists_are_in_the_sitemap(client, shelf):
    shown = make_list(shelf["end"], slug="war-ends")
    make_list(shelf["end"], slug="draft-list", status=ReadingList.Status.DRAFT)
    index = get(client, "/sitemap.xml").content.decode()
    assert "/sitemap-lists.xml" in index
    section = get(client, "/sitemap-lists.xml").content.decode()
    assert f"<loc>http://testserver{shown.get_absolute_url()}</loc>" in section
    assert "draft-list" not in section
    pages = get(client, "/sitemap-pages.xml").content.decode()
    assert "<loc>http://testserver/lists/</loc>" in pages


# --- On the book's page -----------------------------------------------------------------------


def test_a_book_page_names_the_published_lists_it_is_on(client, shelf):
    make_list(shelf["end"], title="How wars end", slug="how-wars-end")
    make_list(shelf["end"], title="Unfinished", status=ReadingList.Status.DRAFT)
    make_list(shelf["berlin"], title="Cities at war")
    page = get(client, shelf["end"].get_absolute_url()).content
    assert text_of(page, "#book-lists") == ["In these lists"]
    assert text_of(page, ".book__lists a") == ["How wars end"]
    assert "/lists/how-wars-end/" in _links(page)
    assert text_of(get(client, shelf["bunker"].get_absolute_url()).content, "#book-lists") == []


# --- The page cache ----------------------------------------------------------------------------


@pytest.fixture
def cached(db, django_capture_on_commit_callbacks, shelf):
    with django_capture_on_commit_callbacks(execute=True):
        reading_list = make_list(shelf["end"], title="How wars end", slug="how-wars-end")
    return reading_list


def is_cached(url) -> bool:
    return Client().get(url).get("X-Page-Cache") == "hit"


@pytest.mark.page_cache
def test_changing_a_list_drops_its_page_the_index_and_its_books_pages(
    cached, shelf, django_capture_on_commit_callbacks
):
    urls = [cached.get_absolute_url(), "/lists/", shelf["end"].get_absolute_url()]
    for url in urls:
        Client().get(url)
        assert is_cached(url), url
    with django_capture_on_commit_callbacks(execute=True):
        cached.title = "How wars really end"
        cached.save()
    for url in urls:
        response = Client().get(url)
        assert "X-Page-Cache" not in response, url
        assert "How wars really end" in response.content.decode(), url


@pytest.mark.page_cache
def test_a_book_joining_a_list_drops_the_book_page_and_the_list_page(
    cached, shelf, django_capture_on_commit_callbacks
):
    urls = [cached.get_absolute_url(), shelf["berlin"].get_absolute_url()]
    for url in urls:
        Client().get(url)
        assert is_cached(url), url
    with django_capture_on_commit_callbacks(execute=True):
        ReadingListItem.objects.create(reading_list=cached, book=shelf["berlin"], position=5)
    list_page = Client().get(urls[0])
    assert "Berlin: The Downfall 1945" in text_of(list_page.content, ".book-card__title")
    book_page = Client().get(urls[1])
    assert text_of(book_page.content, ".book__lists a") == ["How wars end"]


@pytest.mark.page_cache
def test_a_book_withdrawn_leaves_the_cached_list_page(
    cached, shelf, django_capture_on_commit_callbacks
):
    url = cached.get_absolute_url()
    Client().get(url)
    assert is_cached(url)
    with django_capture_on_commit_callbacks(execute=True):
        book = Book.objects.get(pk=shelf["end"].pk)
        book.status = Book.Status.WITHDRAWN
        book.save()
    assert text_of(Client().get(url).content, ".book-card__title") == []


# --- Renames and merges ---------------------------------------------------------------------------


def test_a_list_may_not_take_another_lists_old_address(shelf):
    from django.core.exceptions import ValidationError

    first = make_list(slug="war-ends")
    first.slug = "how-wars-end"
    first.save()
    second = make_list(title="Another", slug="another")
    second.slug = "war-ends"
    with pytest.raises(ValidationError, match="old address of “Ten books"):
        second.full_clean()


def test_a_merged_books_places_move_to_the_book_kept(shelf):
    kept, duplicate = shelf["end"], make_book(title="The End (paperback)")
    on_both = make_list(kept, duplicate, notes=["", "Kershaw at his best."], title="Both")
    on_duplicate = make_list(shelf["berlin"], duplicate, notes=["", "Its note."], title="One")
    merge_books(kept, [duplicate])

    assert [(item.book, item.note) for item in on_both.items.all()] == [
        (kept, "Kershaw at his best.")
    ]
    assert [(item.book, item.note) for item in on_duplicate.items.all()] == [
        (shelf["berlin"], ""),
        (kept, "Its note."),
    ]


def test_a_merge_keeps_the_kept_books_own_note_on_a_list_holding_both(shelf):
    kept, duplicate = shelf["end"], make_book(title="The End (paperback)")
    on_both = make_list(kept, duplicate, notes=["Its own note.", "The duplicate's."])
    merge_books(kept, [duplicate])
    assert [(item.book, item.note) for item in on_both.items.all()] == [(kept, "Its own note.")]


@pytest.mark.page_cache
def test_cached_pages_expire_when_a_scheduled_list_goes_live(
    shelf, django_capture_on_commit_callbacks
):
    from pagecache.store import lifetime

    assert lifetime() == 600
    with django_capture_on_commit_callbacks(execute=True):  # its save commits
        make_list(shelf["end"], published_at=timezone.now() + dt.timedelta(seconds=90))
    assert 85 <= lifetime() <= 90
