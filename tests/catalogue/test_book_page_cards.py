"""The book page's cards (its own and those of its lists), read in two statements
written once (catalogue.other_books.read_for_cards) and rendered one by one: the same
books, credits, shop links and cards as `Book.objects.for_cards()` and
includes/card_list.html give."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.template.loader import render_to_string

from catalogue.book_page import card_list
from catalogue.models import Book, Contribution
from catalogue.other_books import read_for_cards
from catalogue.shops import BookShopLink, Shop, enabled_shops, request_begins, request_ends
from tests.factories import make_author, make_book
from tests.helpers import text_of

default_shops = importlib.import_module("catalogue.migrations.0018_default_shops")


@pytest.fixture
def books(db):
    """Books with what a card shows in every shape: credits of several roles out of
    their ids' order, a subtitle, numbers read back as Decimals, dates, renditions, shop
    links hidden, sent elsewhere, priced; and a book with no credit nor link at all."""
    default_shops.add_default_shops(apps)
    shops = {shop.slug: shop for shop in Shop.objects.all()}
    translator, author = make_author(name="Anthea Bell"), make_author(name="René Goscinny")
    translated = make_book(
        title="Astérix le Gaulois",
        subtitle="Album 1",
        language="fr",
        series="Astérix",
        series_number=Decimal("1.5"),
        isbn13="9780752866055",
        publication_date=datetime.date(1961, 10, 29),
        editor_rating=Decimal("4.5"),
        source_ratings_5=1234,
        ratings_3=2,
        rating_source="Goodreads",
        print_length=48,
        cover_renditions={
            str(width): {
                "webp": f"covers/renditions/1-{width}.webp",
                "jpeg": f"covers/renditions/1-{width}.jpg",
                "height": width * 3 // 2,
            }
            for width in (160, 320)
        },
    )
    # A cleaned cover's name, as the worker leaves it (no file read: no upload here).
    Book.objects.filter(pk=translated.pk).update(
        cover="covers/asterix.jpg", cover_width=640, cover_height=960
    )
    Contribution.objects.create(book=translated, author=translator, role="translator", position=1)
    Contribution.objects.create(book=translated, author=author, position=0)
    BookShopLink.objects.create(book=translated, shop=shops["amazon"], hidden=True)
    BookShopLink.objects.create(
        book=translated,
        shop=shops["bookshop-org"],
        url="https://bookshop.org/a/1/9780752866055",
        price=Decimal("7.99"),
        currency="GBP",
    )
    plain = make_book(title="Plain", isbn13="9780141439518", authors=[make_author(name="Jane")])
    bare = make_book(title="Bare")
    enabled_shops()  # read from the cache, as on a page
    return [translated, plain, bare]


def as_read(book: Book) -> tuple:
    """What a card can read of a book: every field, its credits with their authors (and
    which of the authors' fields were left unread), its own shop links."""
    return (
        {field.attname: getattr(book, field.attname) for field in Book._meta.concrete_fields},
        [
            (c.pk, c.book_id, c.role, c.position, c.author.pk, c.author.name, c.author.slug,
             c.author.get_deferred_fields(), c.book is book)
            for c in book.credits
        ],
        sorted(
            (link.pk, link.shop_id, link.hidden, link.url, link.price, link.currency)
            for link in book.prefetched_shop_links
        ),
    )  # fmt: skip


def test_cards_books_are_read_as_for_cards_reads_them(books, django_assert_num_queries):
    ids = [book.pk for book in books]
    expected = Book.objects.for_cards().in_bulk(ids)
    with django_assert_num_queries(2):
        found = read_for_cards([*ids, ids[0]])  # an id twice is read once
    assert set(found) == set(ids)
    for pk in ids:
        assert as_read(found[pk]) == as_read(expected[pk])
    assert found[books[0].pk].series_number == Decimal("1.5")
    assert [credit.author.name for credit in found[books[0].pk].credits] == [
        "René Goscinny", "Anthea Bell",
    ]  # fmt: skip
    assert read_for_cards([]) == {}


def test_the_listed_cards_are_those_of_the_card_list_partial(books, django_assert_num_queries):
    cards = read_for_cards([book.pk for book in books])
    listed = [cards[book.pk] for book in books]
    request_begins()  # as in a request: the shops are read once for all its cards
    try:
        enabled_shops()
        with django_assert_num_queries(0):
            html = card_list(listed)
    finally:
        request_ends()
    expected = render_to_string("includes/card_list.html", {"books": listed})
    assert html.split() == expected.split()  # the same tags and words, whitespace aside
    assert text_of(html, ".book-card__title") == ["Astérix le Gaulois: Album 1", "Plain", "Bare"]
    assert "covers/renditions/1-320.webp 320w" in html
    assert card_list([]) == ""


def test_credits_of_a_book_not_found_are_left_out(books):
    """Rows of the second statement whose book the first did not find (the statements
    are not one snapshot): the cards of the books found are made, not a server error."""
    gone = books[1]
    with connection.cursor() as cursor:  # the foreign key is checked at the commit
        cursor.execute("DELETE FROM catalogue_book WHERE id = %s", [gone.pk])
    try:
        found = read_for_cards([book.pk for book in books])
    finally:
        Contribution.objects.filter(book_id=gone.pk).delete()  # as the delete would have
    assert set(found) == {books[0].pk, books[2].pk}
    assert [credit.author.name for credit in found[books[0].pk].credits] == [
        "René Goscinny", "Anthea Bell",
    ]  # fmt: skip
