"""The catalogue's query vocabulary: `Book.objects.public().for_cards()`.

catalogue/models.py imports this module to build its managers, so the models are
reached through that module when a method runs (`catalogue.Book`).
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection, models
from django.db.models import (
    BooleanField,
    Case,
    F,
    Func,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.functions import Greatest

from shared.fulltext import StoredColumn, fts5_query, tsquery_prefixes

from . import models as catalogue
from .fulltext import BOOK_INDEX, BOOK_SEARCH_CONFIG, Folded, title_key
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


DESK_MATCHES = 500  # books each part of a desk search offers
QUERY_LENGTH = 200  # characters of a search term that are searched


def searchable(term: str) -> str:
    """The term as searched: spaces folded, at most QUERY_LENGTH characters, and no NUL
    (PostgreSQL refuses one in any string: it made the picker answer 500)."""
    return " ".join(term.replace("\x00", "").split())[:QUERY_LENGTH]


def _most_rated(books, limit: int, *, whole_first: bool = False) -> list[int]:
    """The ids of `books`, or of its `limit` most rated when more match: asked without
    an order first, which a rare term answers at once and a common one stops early.

    `whole_first` (PostgreSQL): the matches are gathered whole before the limit, by a
    materialized CTE. For a prefix of the search document ('hunger:*') PostgreSQL
    guesses 20,000 matches and, with a LIMIT, scans the table hoping to meet them early:
    0.3 s at a million books for the 900 there are, against a few ms through the index.
    """
    ids = books.order_by().values_list("pk", flat=True)
    if whole_first:
        sql, params = ids.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH part AS MATERIALIZED ({sql}) SELECT * FROM part LIMIT %s",
                (*params, limit + 1),
            )
            found = [row[0] for row in cursor.fetchall()]
    else:
        found = list(ids[: limit + 1])
    if len(found) <= limit:
        return found
    return list(books.order_by("-rating_total_count", "pk").values_list("pk", flat=True)[:limit])


def likeness(term: str) -> Greatest:
    """How alike the term is to a word run of the title or of the author names, 0 to 1."""
    typed = Folded(Value(term))
    return Greatest(
        TrigramWordSimilarity(typed, Folded(F("title"))),
        TrigramWordSimilarity(typed, Folded(F("author_names"))),
    )


class HoldsWord(Func):
    """Whether a text column holds `word` (letters and digits only, so no LIKE wildcard),
    case and accents aside: "anos" is in "Cien años de soledad". PostgreSQL: ILIKE over
    `colophon_unaccent`, which the trigram indexes of migration 0014 serve for the title
    and author names (a word of 3 letters or more has a trigram to look up); SQLite: LIKE
    over the title key (catalogue.fulltext), computed per row."""

    output_field = BooleanField()

    def __init__(self, column: str, word: str):
        super().__init__(F(column))
        self.word = word

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"colophon_unaccent({column}) ILIKE colophon_unaccent(%s)", [
            *params,
            f"%{self.word}%",
        ]

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"colophon_title_key({column}) LIKE %s", [*params, f"%{title_key(self.word)}%"]


class BookQuerySet(models.QuerySet):
    def public(self) -> "BookQuerySet":
        """Books readers may see."""
        return self.filter(status=catalogue.Book.Status.PUBLISHED)

    def in_series(self, series: str) -> "BookQuerySet":
        """The books of a series, in its order."""
        return self.filter(series=series).order_by("series_number", "title")

    def by_author(self, author: "Author") -> "BooksInOrder":
        """An author's books in any role, series together and in order, then by title:
        a sequence a Paginator pages, loading only the page's books for cards.

        The order is made here from each book's series, number and title (one query,
        the author's credits as its subquery, for a few thousand books at most): in
        SQL, PostgreSQL walked the (series, number) index through the whole catalogue
        hoping to meet them, 1.6 s at a million books, or fetched every book twice, to
        count and to sort.
        """
        book_ids = author.contributions.order_by().values_list("book_id", flat=True).distinct()
        keys = self.filter(pk__in=book_ids).values_list("pk", "series", "series_number", "title")
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
        """Books by any of `book`'s credited authors, newest first. Its credits are read
        in the same query: the book page loads them later, with the other cards'."""
        author_ids = catalogue.Contribution.objects.filter(book=book).values("author_id")
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
        When none of that finds a book, a typo most likely ("Stalingrd"): on PostgreSQL
        the books with words like the term's, closest first, as readers' search offers
        them (catalogue.search; SQLite has no typo tolerance there either).

        Each part is an index lookup offering at most DESK_MATCHES books: the document's
        GIN index on PostgreSQL (the FTS5 table on SQLite), and for the title a trigram
        index on UPPER(title) (migration 0012_book_rating_order; terms of 3 letters or
        more). The list then ranks and counts those ids alone.
        """
        term = searchable(term)
        if not term:
            return self.none()
        # Unordered: each part's ids are gathered.
        books, aliases = catalogue.Book.objects.order_by(), catalogue.BookAlias.objects.order_by()
        if looks_like_isbn(term):
            isbn13 = normalise_isbn13(term)
            found = books.filter(isbn13=isbn13).values("pk")
            found = found.union(aliases.filter(isbn13=isbn13).values("book_id"))
            return self.filter(pk__in=found).order_by("title", "pk")
        slugs = {term, term.lower()}
        by_slug = books.filter(slug__in=slugs).values("pk")
        by_slug = by_slug.union(aliases.filter(slug__in=slugs).values("book_id"))
        slug_ids = [row["pk"] for row in by_slug]
        # Each broad part offers at most DESK_MATCHES books (the most rated when more
        # match): "war" is in 30,000 titles at a million books, and the list's count and
        # page would each have read them all (0.9 s). The titles that are or start with
        # the term have their own parts, so they are never crowded out.
        # (part, whole_first): the PostgreSQL document's matches are gathered whole
        # through its GIN index before the most rated are chosen (_most_rated).
        parts = [
            (books.filter(title__iexact=term), False),
            (books.filter(title__istartswith=term), False),
            (books.filter(title__icontains=term), False),
        ]
        if connection.vendor == "postgresql":
            if prefixes := tsquery_prefixes(term):
                document = StoredColumn("search_document", SearchVectorField())
                text_query = SearchQuery(prefixes, config=BOOK_SEARCH_CONFIG, search_type="raw")
                parts.append((books.alias(document=document).filter(document=text_query), True))
        elif match := fts5_query(term, prefix="all"):
            parts.append((books.filter(pk__in=BOOK_INDEX.matching(match)), False))
        if " " not in term and "-" in term and slug_ids:
            # Slug-like and naming a book: its words would find the rest of a series too.
            parts = []
        found = dict.fromkeys(slug_ids)
        for part, whole_first in parts:
            found.update(dict.fromkeys(_most_rated(part, DESK_MATCHES, whole_first=whole_first)))
        if not found and connection.vendor == "postgresql":
            # A typo ("Stalingrd") misses every part: then, as readers' search does, the
            # books with words like the term's, closest first (a trigram index lookup).
            typos = _most_rated(books.like_words_of(term), DESK_MATCHES)
            return (
                self.filter(pk__in=typos)
                .alias(likeness=likeness(term))
                .order_by("-likeness", "-rating_total_count", "title", "pk")
            )
        rank = Case(
            When(pk__in=slug_ids, then=Value(3)),
            When(title__iexact=term, then=Value(2)),
            When(title__istartswith=term, then=Value(1)),
            default=Value(0),
        )
        return (
            self.filter(pk__in=list(found))
            .alias(desk_rank=rank)
            .order_by("-desk_rank", "-rating_total_count", "title", "pk")
        )

    def titled_with(self, words: Sequence[str]) -> "BookQuerySet":
        """Books whose title holds each of `words`, anywhere and in any order (the book
        list's "Title contains"; catalogue.forms.FilterWords says which words)."""
        books = self
        for word in words:
            books = books.filter(HoldsWord("title", word))
        return books

    def credited_with(self, words: Sequence[str]) -> "BookQuerySet":
        """Books whose credited names (`author_names`, every role) hold each of `words`:
        one column of the book, so no join through the credits to every author."""
        books = self
        for word in words:
            books = books.filter(HoldsWord("author_names", word))
        return books

    def like_words_of(self, term: str) -> "BookQuerySet":
        """Books whose title or author names hold words like the term's ("hungr games",
        "Hary Poter"), however they are accented (PostgreSQL: each side is a lookup in
        a trigram index on the folded text, migration 0014)."""
        typed = Folded(Value(term))
        title, names = Folded(F("title")), Folded(F("author_names"))
        return self.filter(
            Q(TrigramWordSimilar(title, typed)) | Q(TrigramWordSimilar(names, typed))
        )

    def with_credits(self) -> "BookQuerySet":
        """The credits with their authors, in order, in one query for any number of books
        (`book.credits`): the desk's lists show no more of a card."""
        return self.prefetch_related(credits_lookup())

    def for_cards(self) -> "BookQuerySet":
        """Everything a book card shows, in a fixed number of queries for any number of books:
        the credits with their authors, and each book's own shop links (hidden, another
        address, a price) for its buy and borrow links (catalogue.shops.links_for)."""
        return self.prefetch_related(*card_lookups())


def credits_lookup() -> Prefetch:
    """The credits in order, each with its author's name and slug (what any list of
    credits shows): not their bios, nor their dates, which only the author's own page
    reads, and which a page of cards would load for each of its dozens of authors."""
    credits = catalogue.Contribution.objects.select_related("author").only(
        *CREDIT_FIELDS, "author__name", "author__slug"
    )
    return Prefetch(
        "contributions", queryset=credits.order_by("position", "pk"), to_attr=CREDITS_ATTRIBUTE
    )


CREDIT_FIELDS = ("book_id", "author_id", "role", "position")
# Where the credits are left, as a list (Book.credits reads it): a prefetch into the
# related manager builds a queryset per book, a tenth of a ms for a page of 30 cards.
CREDITS_ATTRIBUTE = "prefetched_credits"

# Where `for_cards()` leaves a book's own shop links, as a list (catalogue.shops.links_for
# reads them alone): a prefetch into the related manager builds a queryset per book.
SHOP_LINKS_ATTRIBUTE = "prefetched_shop_links"


def card_lookups() -> list:
    """What `for_cards()` prefetches, for books already loaded (prefetch_related_objects)."""
    return [credits_lookup(), Prefetch("shop_links", to_attr=SHOP_LINKS_ATTRIBUTE)]


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
