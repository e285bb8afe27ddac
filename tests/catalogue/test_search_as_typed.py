"""The search as typed runs first, every time (one query for an ordinary search); only
when it finds nothing are typos forgiven. And the shortcuts that spare a search reading
what cannot be shown (catalogue.search _candidates) leave what it shows as it was. On
SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.search import search_books
from tests.factories import make_author, make_book


@pytest.fixture
def shelf(db):
    rowling = make_author(name="J.K. Rowling")
    return {
        "potter": make_book(title="Harry Potter and the Sorcerer's Stone", authors=[rowling],
                            source_ratings_5=1000),
        "either": make_book(title="Either/Or", authors=[make_author(name="Søren Kierkegaard")]),
        "hobbit": make_book(title="The Hobbit", authors=[make_author(name="J.R.R. Tolkien")]),
    }  # fmt: skip


def searched_as_typed(queries, *words: str) -> bool:
    """Whether a search for exactly these words, as typed, was run."""
    if connection.vendor == "postgresql":
        as_typed = f"websearch_to_tsquery('colophon_search'::regconfig, '{' '.join(words)}')"
    else:
        as_typed = " AND ".join(f'"{word}"' for word in words)
    return any(as_typed in query["sql"] for query in queries)


def test_an_ordinary_search_is_one_query(shelf, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = search_books("harry potter", for_cards=False)
    assert found[0] == shelf["potter"]


def test_a_misspelt_word_is_forgiven_after_the_search_as_typed(shelf, django_assert_num_queries):
    # The search as typed (nothing), the words a typo away, the search with them.
    with django_assert_num_queries(3) as queries:
        found = search_books("hary poter", for_cards=False)
    assert found[0] == shelf["potter"]
    assert searched_as_typed(queries, "hary", "poter")


def test_words_every_book_has_are_searched_as_typed(shelf):
    with CaptureQueriesContext(connection) as queries:
        assert search_books("harry potter")[0] == shelf["potter"]
    assert searched_as_typed(queries, "harry", "potter")


@pytest.mark.parametrize("query", ["hobbit or zzzz", "hobbit -zzzz", '"the hobbit" zzzz'])
def test_the_web_search_syntax_finds_without_a_word_no_book_has(shelf, query):
    """PostgreSQL reads it as either word, or without one (SQLite requires every word)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's search reads no syntax")
    assert search_books(query)[0] == shelf["hobbit"]


def test_a_title_typed_without_its_apostrophe_is_found_as_typed(shelf):
    # "sorcerers" is in no book ("sorcerer's" is held as "sorcerer" and "s"), but the
    # title folded is the query: found as typed, and first.
    with CaptureQueriesContext(connection) as queries:
        found = search_books("harry potter and the sorcerers stone")
    assert found[0] == shelf["potter"]
    if connection.vendor == "postgresql":
        assert searched_as_typed(queries, "harry", "potter", "and", "the", "sorcerers", "stone")


@pytest.mark.parametrize(
    ("title", "query"), [("Don't", "dont"), ("A Don't in Classic", "dont classic")]
)
def test_a_title_of_words_no_book_has_is_still_found_first(db, title, query):
    """ "dont" is in no book ("don't" is held as "don" and "t"), but the title folded, or
    its words but the little ones, are the query: found as typed, before the books
    titled as the words the catalogue has ("Classic", far more read)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite finds a book by its words only")
    for number in range(25):
        make_book(title="Classic", source_ratings_5=100 + number)
    book = make_book(title=title)
    assert search_books(query)[0] == book


# --- A page filled by the books titled as the query ------------------------------------


@pytest.mark.parametrize("titled", [3, 4])
def test_books_titled_as_the_query_fill_the_page_when_enough(db, titled):
    """With `limit` books titled as the query they are all the page shows, the most
    read first; with fewer, the best other matches follow."""
    for number in range(titled):
        make_book(title="Love", source_ratings_5=10 + number)
    make_book(title="Love in the Time of Cholera", source_ratings_5=5000)
    make_book(title="Love Story", source_ratings_5=3000)
    found = [(book.title, book.rating_total_count) for book in search_books("love", limit=4)]
    loves = [("Love", 10 + number) for number in reversed(range(titled))]
    assert found == [*loves, ("Love in the Time of Cholera", 5000)][:4]
