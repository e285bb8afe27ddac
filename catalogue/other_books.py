"""The books a book's page may list beside it, read in one SQL statement written once
per database connection and shape (its series or none, how many authors, articles,
subjects and title words it looks into), run with the book's values: its series'
volumes in order, the newest books by its authors, and each related-books signal's
capped rows (catalogue.related ranks them). Then those it shows as cards, with the
book's own, read for their cards in two more (read_for_cards).

Built through the ORM at every render, these were five to eleven queries (one a
subject) and 9,000 to 15,000 Python calls, for well under a millisecond of database
work; this is one query and a few hundred calls. Each part is the query it replaces,
with its order and its cap (tests/catalogue/test_other_books.py holds them to
the same books in the same order).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from shared.statements import written_once

from .models import Author, Book, Contribution
from .querysets import CREDIT_FIELDS, CREDITS_ATTRIBUTE, SHOP_LINKS_ATTRIBUTE
from .shops import BookShopLink

CANDIDATES = 24  # rows each signal offers
MAX_ARTICLES = 100  # newest public articles about the book whose embeds count
MAX_SUBJECTS = 5  # subjects looked into per book
# Authors whose other books are read: a book of hundreds of credits (an anthology) would
# bind as many parameters, and write another statement for each count.
MAX_AUTHORS = 20

EMBEDDED, SUBJECT, LIKED, ALIKE = range(4)  # the signals, best first
SERIES, BY_AUTHORS = 4, 5  # the page's own lists


class Volume(NamedTuple):
    """What the series list shows of a volume (catalogue.book_page.series_entries): a
    row, not a Book, which is made field by field for four values read."""

    pk: int
    slug: str
    title: str
    series_number: Decimal | None


@dataclass(frozen=True)
class Shape:
    series: bool
    authors: int
    articles: int
    subjects: int
    words: int


@dataclass
class Candidates:
    """The series' volumes (read as its list shows them: id, slug, title and number),
    the ids of the newest books by the authors but those, and each signal's rows."""

    volumes: list[Volume]
    by_same_authors: list[int]
    signals: list[list[tuple[int, int]]]


def candidates(
    book_id: int,
    *,
    series: str = "",
    author_ids: Sequence[int] = (),
    article_ids: Sequence[int],
    subject_ids: Sequence[int],
    title_words: Sequence[str],
    series_limit: int = 30,
    authors_limit: int = 8,
) -> Candidates:
    """The other public books of the book's `series`, in its order (at most
    `series_limit`); the newest by any of `author_ids` but those (`authors_limit`); and
    each signal's (book id, weight) rows in its order: books embedded in the same
    articles (weight: how many), the most rated of each subject (how many of the
    subjects they share), what its readers also liked (how many did), alike titles (1)."""
    from .related import AlsoLiked  # the model, defined beside the signals it feeds

    article_ids, subject_ids = list(article_ids[:MAX_ARTICLES]), list(subject_ids[:MAX_SUBJECTS])
    author_ids = list(author_ids[:MAX_AUTHORS])
    connection = connections[Book.objects.db]
    shape = Shape(
        bool(series), len(author_ids), len(article_ids), len(subject_ids), len(title_words)
    )
    sql = written_once(
        ("other-books", connection.alias, shape), lambda: _sql(connection, shape, AlsoLiked)
    )
    like = connection.ops.prep_for_like_query
    params = {
        "book": book_id,
        "published": Book.Status.PUBLISHED.value,
        "series": series,
        "series_limit": series_limit,
        "authors_limit": authors_limit,
        **{f"author{n}": pk for n, pk in enumerate(author_ids)},
        **{f"article{n}": pk for n, pk in enumerate(article_ids)},
        **{f"subject{n}": pk for n, pk in enumerate(subject_ids)},
        **{f"word{n}": f"%{like(word)}%" for n, word in enumerate(title_words)},
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Each part's own order (its SQL's ORDER BY), whatever order the parts come in.
    parts = {part: [] for part in (EMBEDDED, SUBJECT, LIKED, ALIKE, SERIES, BY_AUTHORS)}
    for part, *row in rows:
        parts[part].append(row)
    embedded = sorted(parts[EMBEDDED], key=lambda row: (-row[1], row[0]))
    subjects = sorted(parts[SUBJECT], key=lambda row: (row[3], -row[2], row[0]))
    liked = sorted(parts[LIKED], key=lambda row: (-row[1], row[0]))
    alike = sorted(parts[ALIKE], key=lambda row: (-row[2], row[0]))
    shared = {row[0]: row[1] for row in subjects}
    return Candidates(
        volumes=_volumes(connection, sorted(parts[SERIES], key=lambda row: row[3])),
        by_same_authors=[row[0] for row in sorted(parts[BY_AUTHORS], key=lambda row: row[3])],
        signals=[
            [(row[0], row[1]) for row in embedded],
            [(pk, shared[pk]) for pk in dict.fromkeys(row[0] for row in subjects)],
            [(row[0], row[1]) for row in liked],
            [(row[0], 1) for row in alike],
        ],
    )


def _volumes(connection: BaseDatabaseWrapper, rows: list) -> list[Volume]:
    """The series' rows, the number converted as the ORM converts it (text on SQLite)."""
    field = Book._meta.get_field("series_number")
    column = field.get_col(Book._meta.db_table)
    converters = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
    volumes = []
    for pk, _, _, _, title, slug, number in rows:
        for converter in converters:
            number = converter(number, column, connection)
        volumes.append(Volume(pk, slug, title, number))
    return volumes


def _sql(connection: BaseDatabaseWrapper, shape: Shape, AlsoLiked) -> str:
    """The statement for one connection and shape: a UNION ALL of each part's rows (part,
    book id, weight, rating count, place in its list; a volume's title, slug and
    number), each part capped inside."""
    quote = connection.ops.quote_name
    book = quote(Book._meta.db_table)
    embeds = quote(Book.articles.through._meta.db_table)
    members = quote(Book.subjects.through._meta.db_table)
    also_liked = quote(AlsoLiked._meta.db_table)
    credits = quote(Contribution._meta.db_table)
    subject_column = quote(Book.subjects.through._meta.get_field("subject").column)

    def listed(name: str, count: int) -> str:
        return ", ".join(f"%({name}{n})s" for n in range(count))

    # BookQuerySet.in_series(): the other public volumes, by number, then title (then
    # id: between two volumes of one number and title, the ORM's order was the plan's).
    volumes = f"""
        SELECT b.id, b.slug, b.title, b.series_number,
               ROW_NUMBER() OVER (ORDER BY b.series_number ASC, b.title ASC, b.id ASC) AS place
        FROM {book} AS b
        WHERE b.status = %(published)s AND NOT (b.id = %(book)s) AND b.series = %(series)s
        ORDER BY place LIMIT %(series_limit)s"""
    parts = [
        # catalogue.related._also_liked: every row kept for the book (KEEP at most).
        f"""SELECT {LIKED}, liked.liked_id, liked.readers, 0, 0, NULL, NULL, NULL
            FROM {also_liked} AS liked INNER JOIN {book} AS b ON b.id = liked.liked_id
            WHERE liked.book_id = %(book)s AND b.status = %(published)s"""
    ]
    if shape.series:
        parts.append(
            f"""SELECT {SERIES}, t.id, 0, 0, t.place, t.title, t.slug, t.series_number
            FROM ({volumes}) AS t"""
        )
    if shape.authors:
        # BookQuerySet.by_authors_of(): any of the authors' books, newest first (then by
        # title, then id); those of the series' list are in that list. Said NOT EXISTS,
        # not NOT IN: PostgreSQL scanned every book against the list (2 ms at 10,000
        # books) rather than fetch the authors' few by their ids.
        not_listed = (
            f"AND NOT EXISTS (SELECT 1 FROM ({volumes}) AS v WHERE v.id = b.id)"
            if shape.series
            else ""
        )
        parts.append(
            f"""SELECT {BY_AUTHORS}, t.id, 0, 0, t.place, NULL, NULL, NULL FROM (
                SELECT b.id, ROW_NUMBER() OVER (
                    ORDER BY b.publication_year DESC, b.title ASC, b.id ASC
                ) AS place
                FROM {book} AS b
                WHERE b.status = %(published)s AND NOT (b.id = %(book)s) AND b.id IN (
                    SELECT c.book_id FROM {credits} AS c
                    WHERE c.author_id IN ({listed("author", shape.authors)})
                ) {not_listed}
                ORDER BY place LIMIT %(authors_limit)s
            ) AS t"""
        )
    if shape.articles:
        parts.append(
            f"""SELECT {EMBEDDED}, t.book_id, t.together, 0, 0, NULL, NULL, NULL FROM (
                SELECT e.book_id, COUNT(e.id) AS together
                FROM {embeds} AS e INNER JOIN {book} AS b ON b.id = e.book_id
                WHERE e.article_id IN ({listed("article", shape.articles)})
                  AND b.status = %(published)s AND NOT (e.book_id = %(book)s)
                GROUP BY e.book_id ORDER BY together DESC, e.book_id ASC LIMIT {CANDIDATES}
            ) AS t"""
        )
    subjects = listed("subject", shape.subjects)
    for place in range(shape.subjects):
        # The most rated of the subject (off the ratings index), with how many of the
        # book's subjects each has.
        parts.append(
            f"""SELECT {SUBJECT}, t.id, t.shared, t.rating, {place}, NULL, NULL, NULL FROM (
                SELECT b.id, b.rating_total_count AS rating, (
                    SELECT COUNT(*) FROM {members} AS other
                    WHERE other.book_id = b.id AND other.{subject_column} IN ({subjects})
                ) AS shared
                FROM {book} AS b INNER JOIN {members} AS m ON m.book_id = b.id
                WHERE b.status = %(published)s AND m.{subject_column} = %(subject{place})s
                  AND NOT (b.id = %(book)s)
                ORDER BY b.rating_total_count DESC, b.id ASC LIMIT {CANDIDATES}
            ) AS t"""
        )
    if shape.words:
        # title__icontains as the ORM writes it on this database.
        title = connection.ops.lookup_cast("icontains", "CharField") % "{table}.title"
        operator = connection.operators["icontains"]
        words = " AND ".join(f"{title} {operator % f'%(word{n})s'}" for n in range(shape.words))
        # SQLite has no index for a word inside titles: the words are matched in a
        # subquery of title and id, which scans the (title, id) index, not every row
        # whole. PostgreSQL finds them through its trigram index of titles.
        if connection.vendor == "sqlite":
            titled = f"b.id IN (SELECT u.id FROM {book} AS u WHERE {words.format(table='u')})"
        else:
            titled = words.format(table="b")
        # Ordered by an expression of the count, not the column: by the column, the
        # database walked the ratings index through the catalogue to meet a rare
        # title's few matches.
        parts.append(
            f"""SELECT {ALIKE}, t.id, 1, t.rating, 0, NULL, NULL, NULL FROM (
                SELECT b.id, b.rating_total_count AS rating FROM {book} AS b
                WHERE b.status = %(published)s AND {titled} AND NOT (b.id = %(book)s)
                ORDER BY (b.rating_total_count + 0) DESC, b.id ASC LIMIT {CANDIDATES}
            ) AS t"""
        )
    return "\nUNION ALL\n".join(parts)


# --- The listed books read for their cards ------------------------------------------------

CREDIT_PART, LINK_PART = range(2)  # the parts of the second statement


class Columns:
    """One model's columns in a statement, and its instances made from them as the ORM's
    compiler makes them on this connection: each value through the converters the
    compiler applies (a Decimal or a date from SQLite's text, a boolean, JSON), then
    `from_db` with the fields read (any other deferred, as `only()` leaves it)."""

    def __init__(
        self, connection: BaseDatabaseWrapper, model: type[Model], alias: str, names: Sequence[str]
    ):
        self.connection, self.model = connection, model
        read = set(names)
        fields = [field for field in model._meta.concrete_fields if field.attname in read]
        self.names = [field.attname for field in fields]  # from_db wants the model's order
        quote = connection.ops.quote_name
        self.sql = [f"{alias}.{quote(field.column)}" for field in fields]
        self.converters = []
        for index, field in enumerate(fields):
            column = field.get_col(alias)
            found = [
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ]
            if found:
                self.converters.append((index, column, found))

    def instance(self, values: Sequence) -> Model:
        values = list(values)
        for index, column, converters in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, self.connection)
        return self.model.from_db(self.connection.alias, self.names, values)


@dataclass(frozen=True)
class CardStatements:
    """read_for_cards' two statements for one number of books, and their columns."""

    books: str
    credits_and_links: str
    book: Columns
    credit: Columns
    author: Columns
    link: Columns


def read_for_cards(book_ids: Sequence[int]) -> dict[int, Book]:
    """The books of `book_ids` by id, as `Book.objects.for_cards().in_bulk(book_ids)`
    reads them: every field, and their credits and own shop links left as its
    prefetches leave them (querysets.card_lookups: the credits in order, each with its
    author's name and slug), in two statements written once per connection and number
    of books, not three queries the ORM builds and compiles again at every render."""
    ids = list(dict.fromkeys(book_ids))
    if not ids:
        return {}
    connection = connections[Book.objects.db]
    written = written_once(
        ("card-books", connection.alias, len(ids)),
        lambda: _card_statements(connection, len(ids)),
    )
    params = {f"book{n}": pk for n, pk in enumerate(ids)}
    with connection.cursor() as cursor:
        cursor.execute(written.books, params)
        book_rows = cursor.fetchall()
        cursor.execute(written.credits_and_links, params)
        other_rows = cursor.fetchall()
    books = {}
    for row in book_rows:
        book = written.book.instance(row)
        setattr(book, CREDITS_ATTRIBUTE, [])
        setattr(book, SHOP_LINKS_ATTRIBUTE, [])
        books[book.pk] = book
    credit_width, author_width = len(written.credit.names), len(written.author.names)
    credits, links = [], []
    for part, *row in other_rows:
        if part == CREDIT_PART:
            credit = written.credit.instance(row[:credit_width])
            author = written.author.instance(row[credit_width : credit_width + author_width])
            Contribution.author.field.set_cached_value(credit, author)
            credits.append(credit)
        else:
            links.append(written.link.instance(row[credit_width + author_width :]))
    # Each list in its queryset's order: the credits' (position, then id), links by id.
    # A row of a book the first statement did not find (written between them) is left.
    for credit in sorted(credits, key=lambda credit: (credit.position, credit.pk)):
        if (book := books.get(credit.book_id)) is not None:
            Contribution.book.field.set_cached_value(credit, book)
            getattr(book, CREDITS_ATTRIBUTE).append(credit)
    for link in sorted(links, key=lambda link: link.pk):
        if (book := books.get(link.book_id)) is not None:
            BookShopLink.book.field.set_cached_value(link, book)
            getattr(book, SHOP_LINKS_ATTRIBUTE).append(link)
    return books


def _card_statements(connection: BaseDatabaseWrapper, count: int) -> CardStatements:
    """The books' rows; then, in one statement, their credits with their authors' names
    and slugs (querysets.credits_lookup) and their own shop links, each part's columns
    apart and NULL in the other's."""
    quote = connection.ops.quote_name
    book = Columns(connection, Book, "b", [f.attname for f in Book._meta.concrete_fields])
    credit = Columns(connection, Contribution, "c", ["id", *CREDIT_FIELDS])
    author = Columns(connection, Author, "a", ["id", "name", "slug"])
    link = Columns(
        connection, BookShopLink, "l", [f.attname for f in BookShopLink._meta.concrete_fields]
    )
    listed = ", ".join(f"%(book{n})s" for n in range(count))
    credits_columns = ", ".join([*credit.sql, *author.sql, *["NULL"] * len(link.sql)])
    links_columns = ", ".join([*["NULL"] * (len(credit.sql) + len(author.sql)), *link.sql])
    book_id, author_id, pk = quote("book_id"), quote("author_id"), quote("id")
    return CardStatements(
        books=f"""SELECT {", ".join(book.sql)} FROM {quote(Book._meta.db_table)} AS b
            WHERE b.{pk} IN ({listed})""",
        credits_and_links=f"""
            SELECT {CREDIT_PART}, {credits_columns}
            FROM {quote(Contribution._meta.db_table)} AS c
            INNER JOIN {quote(Author._meta.db_table)} AS a ON a.{pk} = c.{author_id}
            WHERE c.{book_id} IN ({listed})
            UNION ALL
            SELECT {LINK_PART}, {links_columns}
            FROM {quote(BookShopLink._meta.db_table)} AS l WHERE l.{book_id} IN ({listed})""",
        book=book,
        credit=credit,
        author=author,
        link=link,
    )
