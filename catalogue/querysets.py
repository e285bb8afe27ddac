"""The catalogue's query vocabulary: `Book.objects.public().for_cards()`.

catalogue/models.py imports this module to build its managers, so the models are
reached through that module when a method runs (`catalogue.Book`).
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection, models
from django.db.models import (
    Case,
    Exists,
    Prefetch,
    Value,
    When,
)

from . import models as catalogue
from .fulltext import BOOK_INDEX, BOOK_SEARCH_CONFIG, StoredColumn, fts5_query, tsquery_prefixes
from .isbn import looks_like_isbn, normalise_isbn13

if TYPE_CHECKING:
    from .models import Author, Book

TITLE_FILLER = {"the", "and", "of", "a", "an", "in", "on", "to", "for", "with", "from", "book"}


def distinctive_words(title: str, *, count: int = 2) -> list[str]:
    """The longest words of a title (5+ letters, not filler): "The Oxford Handbook of
    Voice Perception" -> ["Perception", "Handbook"]."""
    words = {w.strip(".,:;!?()'\"") for w in title.split()}
    words = {w for w in words if len(w) >= 5 and w.lower() not in TITLE_FILLER}
    return sorted(words, key=lambda w: (-len(w), w))[:count]


class BookQuerySet(models.QuerySet):
    def public(self) -> "BookQuerySet":
        """Books readers may see."""
        return self.filter(status=catalogue.Book.Status.PUBLISHED)

    def with_rating(self) -> "BookQuerySet":
        """Kept for callers: `rating_total_count` and `rating_mean` are stored columns now."""
        return self

    def in_series(self, series: str) -> "BookQuerySet":
        """The books of a series, in its order."""
        return self.filter(series=series).order_by("series_number", "title")

    def by_author(self, author: "Author") -> "BooksInOrder":
        """An author's books in any role, series together and in order, then by title:
        a sequence a Paginator pages, loading only the page's books for cards.

        The order is made here from each book's series, number and title (one query for
        a few thousand books at most): in SQL, PostgreSQL walked the (series, number)
        index through the whole catalogue hoping to meet them, 1.6 s at a million books,
        or fetched every book twice, to count and to sort.
        """
        book_ids = author.contributions.order_by().values_list("book_id", flat=True).distinct()
        keys = self.filter(pk__in=list(book_ids)).values_list(
            "pk", "series", "series_number", "title"
        )
        ordered = sorted(
            keys,
            key=lambda row: (
                row[1].casefold(),
                row[2] is None,
                row[2] or 0,
                row[3].casefold(),
                row[0],
            ),
        )
        return BooksInOrder(self, [pk for pk, *_ in ordered])

    def by_authors_of(self, book: "Book") -> "BookQuerySet":
        """Books by any of `book`'s credited authors, newest first."""
        author_ids = [credit.author_id for credit in book.credits]
        if not author_ids:
            return self.none()
        same_authors = catalogue.Book.objects.filter(authors__in=author_ids).values("pk")
        return self.filter(pk__in=same_authors).order_by("-publication_year", "title")

    def desk_search(self, term: str) -> "BookQuerySet":
        """What an editor looks for in the desk: an ISBN in any form (hyphens, spaces,
        ISBN-10), a slug, or else books with every word at the start of a word of the
        title, author names, subtitle or series (the search document, catalogue.search:
        "hung colli" finds The Hunger Games as it is typed), or with the term inside the
        title ("otter"). The ISBNs and slugs merging left as aliases lead to the book
        kept. Exact hits (ISBN, slug) come first, then titles that are or start with the
        term; among equals, the books most rated (the ones an article most likely means).
        A term written as a slug ("the-hunger-games") that names a book finds it alone.

        Each part is an index lookup, its ids gathered by UNION: the document's GIN index
        on PostgreSQL (the FTS5 table on SQLite), and for the title a trigram index on
        UPPER(title) (migration 0012_book_rating_order; terms of 3 letters or more).
        """
        term = " ".join(term.split())[:200]
        if not term:
            return self.none()
        # Unordered: their ids are gathered by UNION.
        books, aliases = catalogue.Book.objects.order_by(), catalogue.BookAlias.objects.order_by()
        if looks_like_isbn(term):
            isbn13 = normalise_isbn13(term)
            found = books.filter(isbn13=isbn13).values("pk")
            found = found.union(aliases.filter(isbn13=isbn13).values("book_id"))
            return self.filter(pk__in=found).order_by("title", "pk")
        slugs = {term, term.lower()}
        by_slug = books.filter(slug__in=slugs).values("pk")
        by_slug = by_slug.union(aliases.filter(slug__in=slugs).values("book_id"))
        by_words = books.filter(title__icontains=term).values("pk")
        if connection.vendor == "postgresql":
            if prefixes := tsquery_prefixes(term):
                document = StoredColumn("search_document", SearchVectorField())
                text_query = SearchQuery(prefixes, config=BOOK_SEARCH_CONFIG, search_type="raw")
                by_document = books.alias(document=document).filter(document=text_query)
                by_words = by_words.union(by_document.values("pk"))
        elif match := fts5_query(term, prefix="all"):
            by_words = by_words.union(books.filter(pk__in=BOOK_INDEX.matching(match)).values("pk"))
        if " " not in term and "-" in term:
            # Slug-like: its words would find the rest of a series by their titles too.
            named = Exists(books.filter(slug__in=slugs)) | Exists(aliases.filter(slug__in=slugs))
            by_words = books.filter(pk__in=by_words).exclude(named).values("pk")
        rank = Case(
            When(pk__in=by_slug, then=Value(3)),
            When(title__iexact=term, then=Value(2)),
            When(title__istartswith=term, then=Value(1)),
            default=Value(0),
        )
        return (
            self.filter(pk__in=by_slug.union(by_words.values("pk")))
            .alias(desk_rank=rank)
            .order_by("-desk_rank", "-rating_total_count", "title", "pk")
        )

    def for_cards(self) -> "BookQuerySet":
        """Everything a book card shows, in a fixed number of queries for any number of books."""
        return self.prefetch_related(
            Prefetch(
                "contributions",
                queryset=catalogue.Contribution.objects.select_related("author").order_by(
                    "position", "pk"
                ),
            )
        )


class BooksInOrder(Sequence):
    """Book ids in a chosen order that read as books: slicing loads those books alone,
    ready for cards, so a Paginator pages it without loading the rest."""

    def __init__(self, books: BookQuerySet, ids: list[int]):
        self.books, self.ids = books, ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0] if index >= 0 else self[len(self) + index]
        ids = self.ids[index]
        found = self.books.filter(pk__in=ids).for_cards().in_bulk() if ids else {}
        return [found[pk] for pk in ids if pk in found]
