"""Finding books by title, author or ISBN, and keeping the document searched in step.

Each book has one stored search document: its title, `author_names` (kept by
`refresh_author_names`), subtitle and series, weighted in that order.

PostgreSQL: the `search_document` column (a generated tsvector, GIN-indexed, migration
0012) matched with `websearch_to_tsquery` in the `colophon_search` configuration (no
stemming, no stop words, so "It" and "Us" are findable, and so are Arabic titles;
accents folded, so "marquez" finds Márquez), ranked by `ts_rank`. When that finds fewer
books than a page holds, trigram word similarity on the (unaccented) title and author
names adds the books a typo missed ("hungr games").

SQLite: the FTS5 table `catalogue_book_search` (unicode61, diacritics removed), every
word required, the last also as a prefix, ranked by bm25 with the same weights. No typo
tolerance there.

Both then nudge the order a little towards the books most rated.
"""

from collections.abc import Iterable

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Ln

from shared.fulltext import StoredColumn, fts5_query

from .fulltext import BOOK_INDEX, BOOK_SEARCH_CONFIG, author_names_update_sql
from .isbn import looks_like_isbn, normalise_isbn13
from .models import Book
from .querysets import BookQuerySet, likeness, searchable

# PostgreSQL ranks at most this many matches, the most rated (see _postgres).
RANKED_AT_MOST = 500
# The typo search (trigrams) runs when the text search finds fewer books than this. A
# typo in any word makes the text search find nothing (every word is required); a
# query that finds a few books is usually right, and trigram scans cost 35-80 ms at
# 200,000 books (measured), too much for every precise query.
TYPO_SEARCH_BELOW = 1
EDGE_PUNCTUATION = "\"'()[]{}*-+.,;:!?^~"


def book_document() -> StoredColumn:
    """The book's stored search document (PostgreSQL)."""
    return StoredColumn("search_document", SearchVectorField())


def refresh_author_names(book_ids: Iterable[int] | QuerySet) -> None:
    """Set `Book.author_names` of these books from their credits, in one query, in the
    caller's transaction: after credits change (catalogue.signals), an author is
    renamed, books merge, an import writes a batch. `book_ids` is ids, or a queryset of
    one column of ids (`Contribution.objects.filter(author=a).values("book_id")`).

    It writes the column directly, so no `Book.save()` (no new version, no signal);
    rows whose names did not change are not written."""
    if isinstance(book_ids, QuerySet):
        books_sql, params = book_ids.query.sql_with_params()
    else:
        params = list(book_ids)
        if not params:
            return
        books_sql = ", ".join(["%s"] * len(params))
    with connection.cursor() as cursor:
        cursor.execute(author_names_update_sql(connection.vendor, books_sql), params)


refresh_author_names.alters_data = True


def _title_closeness(query: str) -> Case:
    """1 for the exact title, 0.5 for a title that starts with the query, else 0 (the
    query as typed, or its words without the punctuation around them)."""
    words = " ".join(filter(None, (word.strip(EDGE_PUNCTUATION) for word in query.split())))
    return Case(
        When(Q(title__iexact=query) | Q(title__iexact=words), then=Value(1.0)),
        When(Q(title__istartswith=query) | Q(title__istartswith=words), then=Value(0.5)),
        default=Value(0.0),
        output_field=FloatField(),
    )


def _postgres(books: BookQuerySet, query: str) -> BookQuerySet:
    text_query = SearchQuery(query, config=BOOK_SEARCH_CONFIG, search_type="websearch")
    matching = books.alias(document=book_document()).filter(document=text_query)
    # A word in a third of all books ("the") would have every match read and ranked:
    # the most rated RANKED_AT_MOST of them are (read along the ratings index then).
    candidates = matching.order_by("-rating_total_count", "pk").values("pk")
    # ts_rank of the stored vector (weights A to D: title, authors, subtitle, series),
    # not divided by the document's length: that put a namesake's two-word book above
    # One Hundred Years of Solitude for "marquez". Among equal matches readers' favourites
    # lead (_best); a title that is the query gets its own lift (_title_closeness).
    rank = SearchRank(book_document(), text_query, normalization=Value(0))
    return books.filter(pk__in=candidates[:RANKED_AT_MOST]).annotate(
        score=rank * Value(10.0) + _title_closeness(query)
    )


def _postgres_typos(books: BookQuerySet, query: str) -> BookQuerySet:
    """Books whose title or author names hold words like the query's ("hungr games",
    "Hary Poter"), the closest first."""
    return books.like_words_of(query).annotate(score=likeness(query) + _title_closeness(query))


def _sqlite(books: BookQuerySet, query: str, match: str) -> BookQuerySet:
    relevance = BOOK_INDEX.relevance(match)
    return books.filter(pk__in=BOOK_INDEX.matching(match)).annotate(
        # bm25 grows without bound; its logarithm stays on ts_rank's scale above.
        score=Ln(relevance + Value(1.0)) + _title_closeness(query)
    )


def _best(matches: BookQuerySet, count: int) -> list[Book]:
    """The `count` best of `matches` for cards: relevance first; among equals, and a
    little across them, what readers know best."""
    ranked = (
        matches
        # In floating point: PostgreSQL's ln() of a numeric costs ~10 µs a row.
        .alias(popularity=Ln(Cast("rating_total_count", FloatField()) + 1.0) / 20.0).order_by(
            (F("score") + F("popularity")).desc(), F("rating_total_count").desc(), "title"
        )
    )
    return list(ranked.for_cards()[:count])


def search_books(query: str, *, limit: int = 20) -> list[Book]:
    """The public books that best match `query`, best first, ready for cards."""
    query = searchable(query)
    if not query:
        return []
    books = Book.objects.public()
    if looks_like_isbn(query):
        return list(books.filter(isbn13=normalise_isbn13(query)).for_cards()[:limit])
    if connection.vendor != "postgresql":
        match = fts5_query(query)
        return _best(_sqlite(books, query, match), limit) if match else []
    found = _best(_postgres(books, query), limit)
    if len(found) < TYPO_SEARCH_BELOW:
        # Typos only now: a query that finds books never scans trigrams.
        others = books.exclude(pk__in=[book.pk for book in found])
        found += _best(_postgres_typos(others, query), limit - len(found))
    return found
