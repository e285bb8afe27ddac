"""The search page's cards, each kept across requests under its book's tag
(catalogue.listed_cards): a page missed after a change elsewhere reads them back instead
of the books' credits and shop links, and whatever changes a card shows at once."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalogue.models import Author, Book, Contribution
from catalogue.ratings import Reader, rate
from catalogue.shops import BookShopLink, Shop
from tests.factories import make_author, make_book
from tests.helpers import text_of

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]


@pytest.fixture
def shelf(django_capture_on_commit_callbacks):
    """Two books by one author, a third by nobody searched for; the search seen once."""
    with django_capture_on_commit_callbacks(execute=True):
        collins = make_author(name="Suzanne Collins")
        books = {
            "hunger": make_book(title="The Hunger Games", authors=[collins], source_ratings_4=10,
                                isbn13="9780439023481"),
            "mockingjay": make_book(title="Mockingjay", authors=[collins], source_ratings_4=3),
            "dune": make_book(title="Dune"),
        }  # fmt: skip
    assert titles(seen("collins")) == ["The Hunger Games", "Mockingjay"]
    return books


def seen(query: str) -> str:
    """The search page as a reader sees it now."""
    response = Client().get("/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def titles(html: str) -> list[str]:
    return text_of(html, ".book-card__title")


def card_list(html: str) -> str:
    return str(BeautifulSoup(html, "html.parser").select_one("#search-books + ul.card-list"))


def saved(book: Book, **changes) -> None:
    book = Book.objects.get(pk=book.pk)
    for name, value in changes.items():
        setattr(book, name, value)
    book.save()


def test_a_page_missed_after_another_books_change_reads_no_card_again(
    shelf, django_capture_on_commit_callbacks
):
    first = seen("collins")
    with django_capture_on_commit_callbacks(execute=True):
        saved(shelf["dune"], title="Dune Messiah")  # drops every search page
    with CaptureQueriesContext(connection) as queries:
        again = seen("collins")
    assert card_list(again) == card_list(first)
    # The cards' credits and shop links are not read: their HTML was kept.
    read = " ".join(query["sql"] for query in queries)
    assert "catalogue_contribution" not in read and "catalogue_bookshoplink" not in read


def test_the_cards_are_those_every_list_shows(shelf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        saved(shelf["dune"], title="Dune Messiah")
    kept = card_list(seen("collins"))
    books = list(Book.objects.filter(pk__in=[shelf["hunger"].pk, shelf["mockingjay"].pk])
                 .order_by("-rating_total_count").for_cards())  # fmt: skip
    whole = render_to_string("includes/card_list.html", {"books": books})
    assert kept.split() == str(BeautifulSoup(whole, "html.parser")).split()


def test_a_rating_of_a_listed_book_shows_at_once(shelf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rate(book=shelf["mockingjay"], reader=Reader(visitor="a-reader"), score=5)
    assert text_of(seen("collins"), ".rating__count") == ["(10 ratings)", "(4 ratings)"]


def test_an_edit_of_a_listed_book_shows_at_once(shelf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        saved(shelf["mockingjay"], subtitle="The Final Book")
    assert titles(seen("collins")) == ["The Hunger Games", "Mockingjay: The Final Book"]


def test_an_author_renamed_shows_at_once(shelf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        author = Author.objects.get(name="Suzanne Collins")
        author.name = "Suzanne Marie Collins"
        author.save()
    assert text_of(seen("collins"), ".book-card__authors") == ["by Suzanne Marie Collins"] * 2


def test_a_credit_added_to_a_listed_book_shows_at_once(shelf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Contribution.objects.create(
            book=shelf["mockingjay"], author=make_author(name="Tim O'Brien"), position=1
        )
    assert text_of(seen("collins"), ".book-card__authors") == [
        "by Suzanne Collins", "by Suzanne Collins, Tim O'Brien",
    ]  # fmt: skip


def test_a_shop_and_a_books_own_address_there_show_at_once(
    shelf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        shop = Shop.objects.create(
            name="Grown Books", slug="grown-books", url_pattern="https://grown.example/{isbn13}"
        )
    # Only the book with an ISBN has an address there.
    assert links_to_grown_books(seen("collins")) == ["Buy The Hunger Games at Grown Books"]
    with django_capture_on_commit_callbacks(execute=True):
        BookShopLink.objects.create(
            book=shelf["mockingjay"], shop=shop, url="https://grown.example/mockingjay"
        )
    assert links_to_grown_books(seen("collins")) == [
        "Buy The Hunger Games at Grown Books", "Buy Mockingjay at Grown Books",
    ]  # fmt: skip


def links_to_grown_books(html: str) -> list[str]:
    return [link for link in text_of(html, ".shop-link") if link.endswith("Grown Books")]
