"""Whether a search as typed can find anything: a query with a word no book has finds
nothing by its words (every word is required), so it goes straight to the forgiving
search (catalogue.typos) instead of ranking nothing first.

Asked of the catalogue's vocabulary (catalogue.fulltext: `catalogue_book_word` on
PostgreSQL, the FTS5 index's `fts5vocab` table on SQLite), in one query of a few index
lookups. It answers "unknown" only when the search as typed surely finds no word match:

- PostgreSQL splits and folds the query with the search's own configuration
  (`to_tsvector`), so a word is looked up as the index holds it ("Søren" as "soren",
  "sorcerer's" as "sorcerer" and "s"); a query using the web search syntax (quotes,
  "or", a word after "-") may match without one of its words, and is never "unknown".
  The search also finds a book titled as the query, folded, whatever its words ("dont
  classic" is A Don't in Classic): the caller names those books, looked for in the
  same query.
- SQLite matches the last word as the start of a longer one ("harry pott"): it is
  looked up as a prefix. Only plain ASCII words are judged (the FTS5 tokenizer folds
  other letters its own way: such a query is never "unknown").
"""

import re

from django.db import connection
from django.db.models import QuerySet

from shared.fulltext import typed_words

from .fulltext import BOOK_SEARCH_CONFIG, BOOK_WORDS, SQLITE_BOOK_WORDS

# What websearch_to_tsquery reads as syntax: a quote, "or", a word negated by "-".
WEB_SEARCH_SYNTAX = re.compile(r'"|(?:^|\s)(?:or(?=\s|$)|-)', re.IGNORECASE)
PLAIN_WORD = re.compile(r"[a-z0-9]+")


def has_unknown_word(words: str, *, unless_any: QuerySet | None = None) -> bool:
    """Whether some word of `words` (as the search as typed reads them) is in no book,
    so that the search as typed finds no book by its words; and, on PostgreSQL, none of
    `unless_any` exists (the books the search as typed finds whatever their words: those
    titled as the query, folded), in the same query."""
    if connection.vendor == "postgresql":
        return _postgresql_unknown(words, unless_any)
    return _sqlite_unknown(words)


def _postgresql_unknown(words: str, unless_any: QuerySet | None) -> bool:
    if WEB_SEARCH_SYNTAX.search(words):
        return False
    sql = (
        "SELECT EXISTS (SELECT 1 FROM unnest(tsvector_to_array(to_tsvector(%s::regconfig, "
        f"%s))) AS typed (word) WHERE NOT EXISTS (SELECT 1 FROM {BOOK_WORDS} AS known "
        "WHERE known.word = typed.word))"
    )
    params = [BOOK_SEARCH_CONFIG, words]
    if unless_any is not None:
        exists, exists_params = unless_any.values("pk")[:1].query.sql_with_params()
        sql += f" AND NOT EXISTS ({exists})"
        params += exists_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _sqlite_unknown(words: str) -> bool:
    # As catalogue.search's FTS5 query: each typed word a quoted phrase, the last one's
    # last token a prefix.
    if not all(PLAIN_WORD.fullmatch(run) for run in re.findall(r"[^\W_]+", words.lower())):
        return False
    tokens = [token for word in typed_words(words) for token in PLAIN_WORD.findall(word.lower())]
    if not tokens:
        return False
    whole, prefix = tokens[:-1], tokens[-1]
    conditions = ["(term >= %s AND term < %s)"] + ["term = %s"] * len(set(whole))
    params = [prefix, prefix + "\U0010ffff", *sorted(set(whole))]
    # Each condition a lookup in the index's terms; the count of those that hold.
    sql = " + ".join(
        f"EXISTS (SELECT 1 FROM {SQLITE_BOOK_WORDS} WHERE {condition})" for condition in conditions
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return cursor.fetchone()[0] < len(conditions)
