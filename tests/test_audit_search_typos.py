"""Audit: a stranger's search cannot make the typo lookup huge.

A word's neighbours one typo away grow with its length times its alphabet (each letter
of the word joins the alphabet): one 200-letter word of distinct CJK letters asked
the vocabulary about 94,000 neighbours in 19 MB of SQL, 3.5 s on PostgreSQL with 300
books and twice that for the page (the search, then "did you mean"), for any stranger
sending unique queries past every cache. On SQLite it was 94,000 placeholders. No word
a reader mistypes is that long (the longest in goodbooks-10k's titles and authors is
20 letters): a longer one is searched as typed.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.search import search_books
from catalogue.typos import correct
from tests.factories import make_book

pytestmark = pytest.mark.django_db

DISTINCT_LETTERS = "".join(chr(0x4E00 + offset) for offset in range(200))
HOSTILE = {
    "one word of 200 distinct letters": DISTINCT_LETTERS,
    "four words of 49": " ".join(DISTINCT_LETTERS[at * 50 : at * 50 + 49] for at in range(4)),
    "200 accented letters": "é" * 200,
    "four words as long as are forgiven": " ".join(
        DISTINCT_LETTERS[at * 25 : at * 25 + 24] for at in range(4)
    ),
}


# The most any query may have sent: four words as long as typos are forgiven in, of
# distinct letters (24 letters of an alphabet of 60: 12,000 neighbours; 0.14 s at 300
# books on a loaded machine, where one 200-letter word took 6.7 s).
MOST_SENT = 800_000


def sent(queries) -> int:
    """Characters of SQL and parameters sent."""
    return sum(len(query["sql"]) for query in queries)


@pytest.mark.parametrize("query", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_query_sends_the_database_little(query):
    make_book(title="The Hobbit")
    with CaptureQueriesContext(connection) as queries:
        assert search_books(query) == []
        correct(query, two_typos_from=7)  # "did you mean", when nothing was found
    assert sent(queries) < MOST_SENT


def test_a_long_title_word_is_still_forgiven_a_typo():
    wanted = make_book(title="Konzentrationslager")
    assert search_books("konzentrationslagre") == [wanted]
