"""The search page's queries: an ordinary search reads the books found in one query
(the search as typed, the vocabulary not asked first), a misspelt one in three (the
search as typed, the words a typo away, the search with them). On SQLite and
PostgreSQL; the page cache off, the cards read from the database."""

import pytest

from tests.factories import make_author, make_book
from tests.helpers import text_of

# Besides the books: the articles searched, and the cards' credits and shop links.
PAGE_QUERIES_BESIDES_BOOKS = 3


@pytest.fixture
def shelf(client, db):
    collins = make_author(name="Suzanne Collins")
    make_book(title="The Hunger Games", authors=[collins], source_ratings_5=900)
    make_book(title="Mockingjay", authors=[collins], series="The Hunger Games")
    make_book(title="The Hobbit", authors=[make_author(name="J.R.R. Tolkien")])
    make_book(title="War and Peace", authors=[make_author(name="Leo Tolstoy")])
    make_book(title="Love in the Time of Cholera")
    make_book(title="Dune")
    client.get("/search/", {"q": "dune"})  # the shops the cards link to: read once, kept


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("hunger games", "The Hunger Games"),
        ("war", "War and Peace"),
        ("love", "Love in the Time of Cholera"),
    ],
)
def test_an_ordinary_search_page_reads_its_books_in_one_query(
    client, shelf, django_assert_num_queries, query, first
):
    with django_assert_num_queries(1 + PAGE_QUERIES_BESIDES_BOOKS):
        response = client.get("/search/", {"q": query})
    assert text_of(response.content, ".book-card__title")[0] == first


@pytest.mark.parametrize(
    ("query", "first"), [("tolkein hobbit", "The Hobbit"), ("colins mockingjay", "Mockingjay")]
)
def test_a_misspelt_search_page_reads_its_books_in_three_queries(
    client, shelf, django_assert_num_queries, query, first
):
    with django_assert_num_queries(3 + PAGE_QUERIES_BESIDES_BOOKS):
        response = client.get("/search/", {"q": query})
    assert text_of(response.content, ".book-card__title")[0] == first
