"""The catalogue's query vocabulary: `Book.objects.public().for_cards()`.

catalogue/models.py imports this module to build its managers, so the models are
reached through that module when a method runs (`catalogue.Book`).
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)

from . import models as catalogue
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


def _any_form(word: str) -> set[str]:
    """The word, and for a non-ASCII word its case variants: SQLite's LIKE ignores case
    for ASCII letters only, so "νίκος" must also try "Νίκος"."""
    if word.isascii():
        return {word}
    return {word, word.lower(), word.capitalize(), word.upper()}


def _rating_count():
    """How many ratings a book has, its site's readers' and its source's, as an expression."""
    return sum(
        (F(f"ratings_{star}") + F(f"source_ratings_{star}") for star in catalogue.STARS),
        Value(0),
    )


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
        ISBN-10), a slug, or else every word in the title, subtitle, series or an author's
        name. The ISBNs and slugs merging left as aliases lead to the book kept. Exact hits
        (ISBN, slug) come first, then titles that are or start with the term; among
        equals, the books most rated (the ones an article most likely means).

        Words are substrings, so titles are scanned: about 15 ms for 10,000 books on
        SQLite and PostgreSQL alike (authors are matched in one hashed subquery per word).
        An ISBN is an indexed lookup.
        """
        term = " ".join(term.split())[:200]
        if not term:
            return self.none()
        aliases = catalogue.BookAlias.objects.filter(book=OuterRef("pk"))
        if looks_like_isbn(term):
            isbn13 = normalise_isbn13(term)
            exact = Q(isbn13=isbn13) | Exists(aliases.filter(isbn13=isbn13))
            return self.filter(exact).order_by("title", "pk")
        slugs = {term, term.lower()}
        exact = Q(slug__in=slugs) | Exists(aliases.filter(slug__in=slugs))
        every_word = Q()
        for word in term.split():
            matches = Q()
            for form in _any_form(word):
                by_author = catalogue.Contribution.objects.filter(
                    book=OuterRef("pk"), author__name__icontains=form
                )
                matches |= (
                    Q(title__icontains=form)
                    | Q(subtitle__icontains=form)
                    | Q(series__icontains=form)
                    | Exists(by_author)
                )
            every_word &= matches
        rank = Case(
            When(exact, then=Value(3)),
            When(title__iexact=term, then=Value(2)),
            When(title__istartswith=term, then=Value(1)),
            default=Value(0),
        )
        return (
            self.filter(exact | every_word)
            .alias(desk_rank=rank, rating_count=_rating_count())
            .order_by("-desk_rank", "-rating_count", "title", "pk")
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
