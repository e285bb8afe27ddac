"""An article's "Read next" as its page reads it (Article.recommendations): one SQL
statement, written once per database connection and length of list, run with the
article and the clock as its parameters; its rows become the instances `for_teasers()`
would make, each with its featured picture.

Built through the ORM at every request, the same query (the rows the worker keeps,
articles.recommendations, with the latest public articles to top them up, ranked by the
rows' scores) took 2.4 ms of Python on SQLite for 0.03 ms of database work, and its
plan walked every public article (40 ms at 100,000); this one starts from the few picked.
"""

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from images.models import Image
from shared.statements import written_once

from .models import Article, Recommendation


def read_next(article_id: int, limit: int) -> list[Article]:
    """The `limit` public articles to read after this one: the rows kept for it, pinned
    first, then by score; topped up with the latest public articles but those excluded
    from its list when the rows are short."""
    connection = connections[router.db_for_read(Article)]
    statement = written_once(
        ("read-next", connection.alias, limit), lambda: ReadNextStatement(connection, limit)
    )
    return statement.run(connection, article_id)


class ReadNextStatement:
    """The SQL of "Read next" for one connection and one length of list, and how to turn
    its rows into teasers: the columns `for_teasers()` reads, with the featured picture."""

    def __init__(self, connection: BaseDatabaseWrapper, limit: int):
        read = Article.objects.for_teasers().query.get_select_mask()  # {} reads them all
        self.article_fields = [
            field for field in Article._meta.concrete_fields if not read or field in read
        ]
        self.article_names = [field.attname for field in self.article_fields]
        self.image_fields = Image._meta.concrete_fields
        self.image_names = [field.attname for field in self.image_fields]
        self.converters = self._converters(connection)
        self.sql = self._sql(connection, limit)

    def run(self, connection: BaseDatabaseWrapper, article_id: int) -> list[Article]:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                self.sql,
                {"article": article_id, "now": now, "published": Article.Status.PUBLISHED.value},
            )
            rows = cursor.fetchall()
        alias, split = connection.alias, len(self.article_fields)
        set_picture = Article.featured_image.field.set_cached_value
        articles = []
        for row in rows:
            values = list(row)
            for index, converters, column in self.converters:
                for converter in converters:
                    values[index] = converter(values[index], column, connection)
            article = Article.from_db(alias, self.article_names, values[:split])
            picture = None
            if article.featured_image_id is not None:
                picture = Image.from_db(alias, self.image_names, values[split:])
            set_picture(article, picture)  # as select_related leaves it: no query on use
            articles.append(article)
        return articles

    def _converters(self, connection: BaseDatabaseWrapper) -> list[tuple]:
        """What the ORM applies to each column read (dates from text on SQLite, JSON)."""
        converters = []
        columns = [
            *(field.get_col(Article._meta.db_table) for field in self.article_fields),
            *(field.get_col(Image._meta.db_table) for field in self.image_fields),
        ]
        for index, column in enumerate(columns):
            found = connection.ops.get_db_converters(column)
            found += column.get_db_converters(connection)
            if found:
                converters.append((index, found, column))
        return converters

    def _sql(self, connection: BaseDatabaseWrapper, limit: int) -> str:
        quote = connection.ops.quote_name
        article, image = quote(Article._meta.db_table), quote(Image._meta.db_table)
        rows = quote(Recommendation._meta.db_table)
        excluded = quote(Article.excluded_recommendations.through._meta.db_table)

        def columns(table: str, fields) -> str:
            return ", ".join(f"{table}.{quote(field.column)}" for field in fields)

        def public(table: str) -> str:
            # ArticleQuerySet.published() with the clock as a parameter (the tests hold
            # them to the same articles: drafts, scheduled and withdrawn never show).
            return (
                f"({table}.withdraw_at IS NULL OR {table}.withdraw_at > %(now)s) "
                f"AND {table}.published_at <= %(now)s AND {table}.status = %(published)s"
            )

        return f"""
            SELECT {columns(article, self.article_fields)},
                   {columns(image, self.image_fields)}
            FROM (
                SELECT recommended_id AS id FROM {rows} WHERE article_id = %(article)s
                UNION
                SELECT id FROM (
                    SELECT latest.id FROM {article} AS latest
                    WHERE {public("latest")} AND latest.id <> %(article)s
                        AND latest.id NOT IN (
                            SELECT to_article_id FROM {excluded}
                            WHERE from_article_id = %(article)s
                        )
                    ORDER BY latest.published_at DESC, latest.id DESC
                    LIMIT {limit:d}
                ) AS latest_public
            ) AS picked
            -- From the few picked to their rows: SQLite keeps a CROSS JOIN's order, and
            -- would otherwise walk every public article looking for them.
            CROSS JOIN {article}
            LEFT OUTER JOIN {rows} AS kept
                ON kept.article_id = %(article)s AND kept.recommended_id = {article}.id
            LEFT OUTER JOIN {image} ON {image}.id = {article}.featured_image_id
            WHERE {article}.id = picked.id AND {public(article)}
            -- The kept rows first (the latest have no score), as the worker ranked them.
            ORDER BY kept.pinned DESC NULLS LAST, kept.score DESC NULLS LAST,
                {article}.published_at DESC, {article}.id DESC
            LIMIT {limit:d}
        """
