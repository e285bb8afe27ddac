"""What `Book.objects.for_cards()` reads for a page of cards, in its three queries: the
books, their credits with their authors' names, and their own shop links."""

import importlib

import pytest
from django.apps import apps

from catalogue.models import Book
from catalogue.shops import BookShopLink, Shop, enabled_shops, links_for
from tests.factories import make_author, make_book

default_shops = importlib.import_module("catalogue.migrations.0018_default_shops")


@pytest.fixture
def shops(db):
    default_shops.add_default_shops(apps)
    return {shop.slug: shop for shop in Shop.objects.all()}


def test_a_card_reads_its_books_shop_links_with_the_books(shops, django_assert_num_queries):
    hidden = make_book(isbn13="9780393089059")
    BookShopLink.objects.create(book=hidden, shop=shops["amazon"], hidden=True)
    plain = make_book(isbn13="9780141439518")
    enabled_shops()
    with django_assert_num_queries(3):
        books = Book.objects.for_cards().in_bulk([hidden.pk, plain.pk])
    with django_assert_num_queries(0):
        names = {pk: [link.shop.name for link in links_for(book)] for pk, book in books.items()}
    assert names[hidden.pk] == ["Bookshop.org", "Open Library", "WorldCat"]
    assert names[plain.pk] == ["Bookshop.org", "Amazon", "Open Library", "WorldCat"]
    # A book read otherwise (the click's redirect) reads its own links when asked.
    read_alone = Book.objects.get(pk=hidden.pk)
    with django_assert_num_queries(1):
        assert "Amazon" not in [link.shop.name for link in links_for(read_alone)]


def test_a_cards_credits_read_their_authors_names_not_their_bios(db, django_assert_num_queries):
    book = make_book(authors=[make_author(name="Homer", bio="A blind poet, they say.")])
    book = Book.objects.for_cards().get(pk=book.pk)
    with django_assert_num_queries(0):
        credit = book.credits[0]
        assert (credit.author.name, credit.author.get_absolute_url()) == (
            "Homer",
            "/authors/homer/",
        )
    assert credit.author.get_deferred_fields() == {"bio", "created_at", "updated_at"}


def test_a_page_of_cards_builds_no_queryset_per_book_for_its_credits(db, monkeypatch):
    """The credits are left as each book's list: the related manager's prefetch built a
    queryset for every book of the page (a tenth of a ms for 30 cards)."""
    from django.db.models.query import QuerySet

    author = make_author(name="Homer")
    books = [make_book(title=f"Book {number}", authors=[author]) for number in range(12)]
    built = []
    real_init = QuerySet.__init__

    def counting_init(self, *args, **kwargs):
        built.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "__init__", counting_init)
    found = Book.objects.with_credits().in_bulk([book.pk for book in books])
    few = len(built)
    assert [credit.author.name for credit in found[books[5].pk].credits] == ["Homer"]
    assert few < len(books), f"{few} querysets built for {len(books)} books"
