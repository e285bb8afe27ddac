"""Finding books by title, author or ISBN.

PostgreSQL: full-text search in the `simple` configuration (no stemming, no stop words,
so "It", "Us" and "There There" are findable, and so are Arabic titles), ranked with
SearchRank, plus trigram word similarity so a typo still finds the book. The expression
is the one migration 0003 indexes. Elsewhere (SQLite): case-insensitive substring
matching on every word, ranked by how closely the title matches.
"""

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.functions import Greatest, Ln

from .isbn import looks_like_isbn, normalise_isbn13
from .models import Author, Book, Contribution
from .querysets import BookQuerySet

MIN_NAME_FRAGMENT = 4
BOOK_DOCUMENT = SearchVector("title", "subtitle", "series", config="simple")


def _title_closeness(query: str) -> Case:
    """1 for the exact title, 0.5 for a title that starts with the query, else 0."""
    return Case(
        When(title__iexact=query, then=Value(1.0)),
        When(title__istartswith=query, then=Value(0.5)),
        default=Value(0.0),
        output_field=FloatField(),
    )


def _postgres(books: BookQuerySet, query: str) -> BookQuerySet:
    text_query = SearchQuery(query, config="simple", search_type="websearch")
    # Each branch can use its own index; an OR across them would scan the table.
    by_text = Book.objects.annotate(document=BOOK_DOCUMENT).filter(document=text_query)
    by_typo = Book.objects.filter(title__trigram_word_similar=query)
    # Short queries ("It", "Us") would be inside half the names: words only for those.
    by_name = Q(name__trigram_word_similar=query)
    if len(query) >= MIN_NAME_FRAGMENT:
        by_name |= Q(name__icontains=query)
    authors = Author.objects.filter(by_name)
    by_author = Contribution.objects.filter(author__in=authors).values("book")
    matching = by_text.values("pk").union(by_typo.values("pk"), by_author)
    return books.filter(pk__in=matching).annotate(
        score=SearchRank(BOOK_DOCUMENT, text_query, normalization=Value(1)) * Value(4.0)
        + Greatest(TrigramWordSimilarity(query, "title"), Value(0.0))
        + _title_closeness(query)
        + Case(When(pk__in=by_author, then=Value(1.0)), default=Value(0.0))
    )


def _fallback(books: BookQuerySet, query: str) -> BookQuerySet:
    """Every word in the title, subtitle, series or an author's name."""
    every_word = Q()
    for word in query.split():
        # SQLite's LIKE ignores case for ASCII letters only: "νίκος" must also try "Νίκος".
        forms = (
            {word, word.lower(), word.capitalize(), word.upper()} if not word.isascii() else {word}
        )
        matches = Q()
        for form in forms:
            by_author = Contribution.objects.filter(author__name__icontains=form).values("book")
            matches |= (
                Q(title__icontains=form)
                | Q(subtitle__icontains=form)
                | Q(series__icontains=form)
                | Q(pk__in=by_author)
            )
        every_word &= matches
    return books.filter(every_word).annotate(score=_title_closeness(query))


def search_books(query: str, *, limit: int = 20) -> list[Book]:
    """The public books that best match `query`, best first, ready for cards."""
    query = " ".join(query.split())[:200]
    if not query:
        return []
    books = Book.objects.public()
    if looks_like_isbn(query):
        return list(books.filter(isbn13=normalise_isbn13(query)).for_cards()[:limit])
    if connection.vendor == "postgresql":
        matches = _postgres(books, query)
    else:
        matches = _fallback(books, query)
    # Relevance first; among equals, and a little across them, what readers know best.
    ranked = (
        matches.with_rating()
        .alias(popularity=Ln(F("rating_total_count") + Value(1.0)) / Value(20.0))
        .order_by((F("score") + F("popularity")).desc(), F("rating_total_count").desc(), "title")
    )
    return list(ranked.for_cards()[:limit])
