"""What names a book, as its page keeps it with its own parts (catalogue.book_page): its
subjects (by name), its authors, its newest public articles and how many there are,
the published reading lists it is on. One SQL statement, written once per database
connection, run with the book and the clock. Beside it, the book found by its address
(public_book_at) and its articles read for their teasers (teasers_of), likewise.

Built through the ORM at every render these were three queries and 4,900 Python calls
(a subjects-and-credits join, the articles with a window, the lists) for a few hundred
microseconds of database work. Each part is the query it replaces, with its filters and
order (tests/catalogue/test_book_names.py holds them to the same rows).
"""

from collections.abc import Sequence

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from shared.statements import written_once

from .models import Book, Contribution, Subject
from .other_books import Columns
from .reading_lists import ReadingList, ReadingListItem

# The newest articles about the book named (a popular book is in hundreds): the page's
# cost must not follow how much has been written about it.
ARTICLES_LIMIT = 12

SUBJECTS, AUTHORS, ARTICLES, LISTS = range(4)  # the statement's parts
# What the book's page reads of it beside its kept parts (catalogue.book_page), which
# read the book whole when they are made.
PAGE_FIELDS = ("id", "slug", "status", "title", "series")


def public_book_at(slug: str) -> Book | None:
    """The public book whose address is `slug`, with PAGE_FIELDS alone (any other is read
    when asked for), in a statement written once per connection: through the ORM, its
    filter and `only()` were built and compiled again at every page."""
    connection = connections[Book.objects.db]
    columns, sql = written_once(("public-book-at", connection.alias), lambda: _at_sql(connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"slug": slug, "published": Book.Status.PUBLISHED.value})
        row = cursor.fetchone()
    return None if row is None else columns.instance(row)


# What ArticleQuerySet.for_teasers() leaves unread (test_book_names holds the two alike).
TEASER_UNREAD = {"body", "rendered_body", "text_profile"}


def teasers_of(article_ids: Sequence[int]) -> dict[int, Model]:
    """The published articles of `article_ids` by id, as
    `Article.objects.published().for_teasers().in_bulk(article_ids)` reads them (all
    but TEASER_UNREAD, with their featured picture), in a statement written once per
    connection and number of articles: the ORM's query, built and compiled at every
    page, cost as much as the book's card."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return {}
    Article = Book.articles.rel.related_model  # the catalogue does not import articles
    connection = connections[Book.objects.db]
    article, picture, sql = written_once(
        ("teasers-of", connection.alias, len(ids)), lambda: _teasers_sql(connection, len(ids))
    )
    params = {
        **{f"article{n}": pk for n, pk in enumerate(ids)},
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "published": Article.Status.PUBLISHED.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found, width = {}, len(article.names)
    featured = Article._meta.get_field("featured_image")
    picture_id = width + picture.names.index(featured.related_model._meta.pk.attname)
    for row in rows:
        teaser = article.instance(row[:width])
        # A LEFT JOIN: no picture reads as None, as select_related() leaves it.
        shown = picture.instance(row[width:]) if row[picture_id] is not None else None
        featured.set_cached_value(teaser, shown)
        found[teaser.pk] = teaser
    return found


def _teasers_sql(connection: BaseDatabaseWrapper, count: int) -> tuple[Columns, Columns, str]:
    """ArticleQuerySet.published(), the clock a parameter, of the articles listed."""
    quote = connection.ops.quote_name
    Article = Book.articles.rel.related_model
    featured = Article._meta.get_field("featured_image")
    Image = featured.related_model
    read = [f.attname for f in Article._meta.concrete_fields if f.name not in TEASER_UNREAD]
    article = Columns(connection, Article, "a", read)
    picture = Columns(connection, Image, "i", [f.attname for f in Image._meta.concrete_fields])
    listed = ", ".join(f"%(article{n})s" for n in range(count))
    sql = f"""
        SELECT {", ".join([*article.sql, *picture.sql])}
        FROM {quote(Article._meta.db_table)} AS a
        LEFT OUTER JOIN {quote(Image._meta.db_table)} AS i
            ON i.{quote(Image._meta.pk.column)} = a.{quote(featured.column)}
        WHERE a.{quote("id")} IN ({listed}) AND a.status = %(published)s
          AND a.published_at <= %(now)s AND (a.withdraw_at IS NULL OR a.withdraw_at > %(now)s)
    """
    return article, picture, sql


def _at_sql(connection: BaseDatabaseWrapper) -> tuple[Columns, str]:
    quote = connection.ops.quote_name
    columns = Columns(connection, Book, "b", PAGE_FIELDS)
    return columns, (
        f"SELECT {', '.join(columns.sql)} FROM {quote(Book._meta.db_table)} AS b"
        f" WHERE b.{quote('status')} = %(published)s AND b.{quote('slug')} = %(slug)s"
    )


def names_of(book_id: int) -> dict:
    """The ids of the book's subjects in their names' order, of its authors (any role),
    of its ARTICLES_LIMIT newest public articles and how many it is in, and its
    published reading lists newest first (id, title and address)."""
    connection = connections[Book.objects.db]
    sql = written_once(("book-names", connection.alias), lambda: _sql(connection))
    params = {
        "book": book_id,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "published_article": Book.articles.rel.related_model.Status.PUBLISHED.value,
        "published_list": ReadingList.Status.PUBLISHED.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = sorted(cursor.fetchall(), key=lambda row: (row[0], row[1]))
    parts = {part: [row[2:] for row in rows if row[0] == part] for part in range(4)}
    return {
        "subject_ids": [pk for pk, *_ in parts[SUBJECTS]],
        "author_ids": sorted(pk for pk, *_ in parts[AUTHORS]),
        "article_ids": [pk for pk, *_ in parts[ARTICLES]],
        "articles_total": parts[ARTICLES][0][1] if parts[ARTICLES] else 0,
        "reading_lists": [
            {
                "pk": pk,
                "title": title,
                "url": reverse("catalogue:list-detail", kwargs={"slug": slug}),
            }
            for pk, _, title, slug in parts[LISTS]
        ],
    }


def _sql(connection: BaseDatabaseWrapper) -> str:
    """Each part's rows as (part, place, id, count, title, slug), the place its order."""
    quote = connection.ops.quote_name
    subject, members = quote(Subject._meta.db_table), quote(Book.subjects.through._meta.db_table)
    credits = quote(Contribution._meta.db_table)
    Article = Book.articles.rel.related_model  # the catalogue does not import articles
    article, embeds = quote(Article._meta.db_table), quote(Book.articles.through._meta.db_table)
    lists, items = quote(ReadingList._meta.db_table), quote(ReadingListItem._meta.db_table)
    text = "NULL"  # the texts of the lists' part
    return f"""
        SELECT {SUBJECTS}, ROW_NUMBER() OVER (ORDER BY s.name ASC, s.id ASC), s.id, 0,
               {text}, {text}
        FROM {members} AS m INNER JOIN {subject} AS s ON s.id = m.subject_id
        WHERE m.book_id = %(book)s
        UNION ALL
        SELECT DISTINCT {AUTHORS}, 0, c.author_id, 0, {text}, {text}
        FROM {credits} AS c WHERE c.book_id = %(book)s
        UNION ALL
        SELECT {ARTICLES}, t.place, t.id, t.of_all, {text}, {text} FROM (
            -- ArticleQuerySet.published(), the clock a parameter; Article's order.
            SELECT a.id, COUNT(a.id) OVER () AS of_all,
                   ROW_NUMBER() OVER (ORDER BY a.published_at DESC, a.id DESC) AS place
            FROM {article} AS a INNER JOIN {embeds} AS e ON e.article_id = a.id
            WHERE e.book_id = %(book)s
              AND (a.withdraw_at IS NULL OR a.withdraw_at > %(now)s)
              AND a.published_at <= %(now)s AND a.status = %(published_article)s
            ORDER BY a.published_at DESC, a.id DESC LIMIT {ARTICLES_LIMIT}
        ) AS t
        UNION ALL
        -- ReadingList.objects.published().containing(book), newest first.
        SELECT {LISTS}, ROW_NUMBER() OVER (ORDER BY l.published_at DESC, l.id DESC), l.id, 0,
               l.title, l.slug
        FROM {lists} AS l INNER JOIN {items} AS i ON i.reading_list_id = l.id
        WHERE i.book_id = %(book)s AND l.status = %(published_list)s
          AND l.published_at <= %(now)s
    """
