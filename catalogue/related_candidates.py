"""The candidates of the related-books signals (catalogue.related), each signal's capped
rows, read in one SQL statement written once per database connection and shape (how
many articles, subjects and title words it looks into), run with the book's values.

Built through the ORM at every render, the four signals were three to nine queries
(one a subject) and 5,500 to 11,000 Python calls, for well under a millisecond of
database work; this is one query and a few hundred calls. Each part is the query it
replaces, with its order and its cap (tests/catalogue/test_related_candidates.py holds
them to the same books in the same order); the ranking stays in catalogue.related.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from .models import Book

CANDIDATES = 24  # rows each signal offers
MAX_ARTICLES = 100  # newest public articles about the book whose embeds count
MAX_SUBJECTS = 5  # subjects looked into per book

EMBEDDED, SUBJECT, LIKED, ALIKE = range(4)  # the signals, best first


@dataclass(frozen=True)
class Shape:
    articles: int
    subjects: int
    words: int


def candidates(
    book_id: int,
    *,
    article_ids: Sequence[int],
    subject_ids: Sequence[int],
    title_words: Sequence[str],
) -> list[list[tuple[int, int]]]:
    """Each signal's (book id, weight) rows, in its order: books embedded in the same
    articles (weight: how many), the most rated of each subject (how many of the
    subjects they share), what its readers also liked (how many did), alike titles (1)."""
    from .related import AlsoLiked  # the model, defined beside the signals it feeds

    article_ids, subject_ids = list(article_ids[:MAX_ARTICLES]), list(subject_ids[:MAX_SUBJECTS])
    connection = connections[Book.objects.db]
    shape = Shape(len(article_ids), len(subject_ids), len(title_words))
    try:
        written = _written.statements
    except AttributeError:
        written = _written.statements = {}
    sql = written.get((connection.alias, shape))
    if sql is None:
        sql = written[connection.alias, shape] = _sql(connection, shape, AlsoLiked)
    like = connection.ops.prep_for_like_query
    params = {
        "book": book_id,
        "published": Book.Status.PUBLISHED.value,
        **{f"article{n}": pk for n, pk in enumerate(article_ids)},
        **{f"subject{n}": pk for n, pk in enumerate(subject_ids)},
        **{f"word{n}": f"%{like(word)}%" for n, word in enumerate(title_words)},
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Each part's own order (its SQL's ORDER BY), whatever order the parts come in.
    by_signal = {signal: [] for signal in (EMBEDDED, SUBJECT, LIKED, ALIKE)}
    for signal, pk, weight, rating, subject in rows:
        by_signal[signal].append((pk, weight, rating, subject))
    embedded = sorted(by_signal[EMBEDDED], key=lambda row: (-row[1], row[0]))
    subjects = sorted(by_signal[SUBJECT], key=lambda row: (row[3], -row[2], row[0]))
    liked = sorted(by_signal[LIKED], key=lambda row: (-row[1], row[0]))
    alike = sorted(by_signal[ALIKE], key=lambda row: (-row[2], row[0]))
    shared = {pk: weight for pk, weight, _, _ in subjects}
    return [
        [(pk, weight) for pk, weight, _, _ in embedded],
        [(pk, shared[pk]) for pk in dict.fromkeys(pk for pk, _, _, _ in subjects)],
        [(pk, weight) for pk, weight, _, _ in liked],
        [(pk, 1) for pk, _, _, _ in alike],
    ]


# Each thread has its own connections.
_written = threading.local()


def _sql(connection: BaseDatabaseWrapper, shape: Shape, AlsoLiked) -> str:
    """The statement for one connection and shape: a UNION ALL of each signal's rows
    (signal, book id, weight, rating count, subject's place), each part capped inside."""
    quote = connection.ops.quote_name
    book = quote(Book._meta.db_table)
    embeds = quote(Book.articles.through._meta.db_table)
    members = quote(Book.subjects.through._meta.db_table)
    also_liked = quote(AlsoLiked._meta.db_table)
    subject_column = quote(Book.subjects.through._meta.get_field("subject").column)

    def listed(name: str, count: int) -> str:
        return ", ".join(f"%({name}{n})s" for n in range(count))

    parts = [
        # catalogue.related._also_liked: every row kept for the book (KEEP at most).
        f"""SELECT {LIKED}, liked.liked_id, liked.readers, 0, 0
            FROM {also_liked} AS liked INNER JOIN {book} AS b ON b.id = liked.liked_id
            WHERE liked.book_id = %(book)s AND b.status = %(published)s"""
    ]
    if shape.articles:
        parts.append(
            f"""SELECT {EMBEDDED}, t.book_id, t.together, 0, 0 FROM (
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
            f"""SELECT {SUBJECT}, t.id, t.shared, t.rating, {place} FROM (
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
            f"""SELECT {ALIKE}, t.id, 1, t.rating, 0 FROM (
                SELECT b.id, b.rating_total_count AS rating FROM {book} AS b
                WHERE b.status = %(published)s AND {titled} AND NOT (b.id = %(book)s)
                ORDER BY (b.rating_total_count + 0) DESC, b.id ASC LIMIT {CANDIDATES}
            ) AS t"""
        )
    return "\nUNION ALL\n".join(parts)
