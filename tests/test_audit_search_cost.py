"""Audit: a stranger's search asks SQLite's full-text index once, not once per book it
finds (shared/fulltext.py).

Each found book's relevance (bm25) was asked of the full-text index as a query of its
own, `MATCH … AND rowid = ?`, and each such query reads the whole list of rows holding
each word: the search for a common word grew with the square of its matches. On
goodbooks-10k /search/?q=the took 6.5 s, `the the the the the the the the` (the word
ANDed again and again) 35 s, each spelling past every cache: a few strangers held
every worker. Now 0.1-0.3 s. FTS5's work happens inside one step of SQLite's virtual
machine, so it is neither counted by its progress handler nor timed here: the query
plans say how often the index is asked.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.search import search_books
from tests.factories import make_article, make_book

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index"),
]

# A scan of a full-text table constrained by its rowid ("=" in FTS5's index string):
# the index asked about one row, inside a subquery run for every row.
ASKED_PER_ROW = re.compile(r"SCAN (\w+_search) VIRTUAL TABLE INDEX \d+:=")


def full_text_asked_per_row(search) -> list[str]:
    """The plan lines of `search()`'s queries in which the index is asked per row."""
    with CaptureQueriesContext(connection) as captured:
        search()
    lines = []
    asking = [query for query in captured.captured_queries if "_search MATCH" in query["sql"]]
    assert asking, "the search asked no full-text index: nothing here to check"
    with connection.cursor() as cursor:
        for query in asking:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            lines += [row[3] for row in cursor.fetchall() if ASKED_PER_ROW.search(row[3])]
    return lines


@pytest.mark.parametrize("query", ["the", "the the the the the the the the"])
def test_a_book_search_asks_the_full_text_index_once(query):
    for number in range(30):
        make_book(title=f"The Book of the Day {number}")
    assert full_text_asked_per_row(lambda: search_books(query)) == []
    assert len(search_books(query)) == 20


def test_the_search_page_asks_the_index_once_for_books_and_articles(client):
    make_book(title="The Day")
    make_article(title="The Day We Read", body="The the the.")
    page = lambda: client.get("/search/", {"q": "the the"}, secure=True)  # noqa: E731
    assert full_text_asked_per_row(page) == []
    text = page().content.decode()
    assert "The Day We Read" in text and "The Day" in text


def test_the_best_match_still_comes_first():
    for number in range(10):
        make_book(title=f"A Day Like Any Other {number}", description="the " * number)
    make_book(title="The")
    assert search_books("the")[0].title == "The"
