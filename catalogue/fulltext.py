"""The books' search documents: the FTS5 index of books on SQLite, the text search
configuration and the unaccent wrapper PostgreSQL's migration 0014 makes, and the SQL
that keeps `Book.author_names` (part of the document) up to date. The generic pieces
(FTS5Index, StoredColumn, the query builders) are in shared.fulltext.
"""

from django.db.models import Func, TextField

from shared.fulltext import FTS5Index

# The text search configuration migration 0014 makes: `simple` (no stemming, no stop
# words: "It" and "Us" stay findable) with accents folded by `unaccent`.
BOOK_SEARCH_CONFIG = "colophon_search"


class Folded(Func):
    """Text without its accents, for trigram matching on PostgreSQL ("marquez" is like
    "Márquez"): `colophon_unaccent`, the immutable wrapper around `unaccent` that
    migration 0014 makes, so that its trigram indexes serve these expressions."""

    function = "colophon_unaccent"
    output_field = TextField()


BOOK_INDEX = FTS5Index(
    "catalogue_book",
    ("title", "author_names", "subtitle", "series"),
    # As PostgreSQL's weights A, B, C, D (1.0, 0.4, 0.2, 0.1): title above authors
    # above subtitle above series.
    weights=(10.0, 4.0, 2.0, 1.0),
)


# --- Book.author_names ------------------------------------------------------------------

# Each credited author once, in credit order, ", "-separated; "" for a book without any.
# SQLite before 3.44 has no ORDER BY inside group_concat: it keeps the order of an
# ordered subquery (which it does not flatten into an aggregate).
_CREDITED_NAMES = {
    "postgresql": """
        SELECT string_agg(name, ', ' ORDER BY first, credit) FROM (
            SELECT a.name, MIN(c.position) AS first, MIN(c.id) AS credit
            FROM catalogue_contribution c JOIN catalogue_author a ON a.id = c.author_id
            WHERE c.book_id = b.id GROUP BY a.id
        ) AS credited""",
    "sqlite": """
        SELECT group_concat(name, ', ') FROM (
            SELECT a.name, MIN(c.position) AS first, MIN(c.id) AS credit
            FROM catalogue_contribution c JOIN catalogue_author a ON a.id = c.author_id
            WHERE c.book_id = b.id GROUP BY a.id ORDER BY first, credit
        )""",
}


def author_names_update_sql(vendor: str, books_sql: str = "") -> str:
    """One UPDATE that sets `author_names` of the books whose ids `books_sql` (an IN
    list or a subquery, with its own parameters; every book when empty) selects, and
    writes only the rows whose names changed."""
    where = f"WHERE b.id IN ({books_sql})" if books_sql else ""
    return f"""
        WITH names AS (
            SELECT b.id, COALESCE(({_CREDITED_NAMES[vendor]}), '') AS names
            FROM catalogue_book b {where}
        )
        UPDATE catalogue_book SET author_names = names.names FROM names
        WHERE catalogue_book.id = names.id AND catalogue_book.author_names <> names.names
    """
