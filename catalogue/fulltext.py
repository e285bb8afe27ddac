"""The books' search documents: the FTS5 index of books on SQLite, the text search
configuration and the unaccent wrapper PostgreSQL's migration 0014 makes, and the SQL
that keeps `Book.author_names` (part of the document) up to date. The generic pieces
(FTS5Index, StoredColumn, the query builders) are in shared.fulltext.
"""

import re
import unicodedata

from django.db.backends.signals import connection_created
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


class TitleKey(Func):
    """A title as compared for "is the query this book's title": case, accents and
    punctuation folded ("Cien años de soledad!" and "cien anos de soledad" are the
    same). PostgreSQL: `colophon_title_key`, made (and indexed) by migration 0020;
    SQLite: `title_key` below, registered on each connection."""

    function = "colophon_title_key"
    output_field = TextField()


class TitleWords(Func):
    """A title's key without its little words ("the", "of", ...): "heretics daughter"
    is The Heretic's Daughter, "road" is The Road. `colophon_title_words` (migration
    0020) or `title_words` below."""

    function = "colophon_title_words"
    output_field = TextField()


# English only, as readers leave them out; never stemmed or stopped in the index.
TITLE_STOP_WORDS = ("a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to")
APOSTROPHES = re.compile("['\u2019]")


def folded_words(text: str) -> list[str]:
    """The words of `text` as SQLite's FTS5 tokenizer (unicode61, diacritics removed)
    and PostgreSQL's `colophon_search` store them: lower case, no accents, split at
    anything that is not a letter or a digit."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.findall(r"[^\W_]+", plain)


def title_key(text: str | None) -> str | None:
    # An apostrophe joins: "sorcerers stone" is the title "Sorcerer's Stone".
    return None if text is None else " ".join(folded_words(APOSTROPHES.sub("", text)))


def title_words(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(word for word in title_key(text).split() if word not in TITLE_STOP_WORDS)


def _register_sqlite_functions(sender, connection, **kwargs):
    # SQLite has no unaccent: the title key is computed in Python, per compared row.
    if connection.vendor == "sqlite":
        create = connection.connection.create_function
        create("colophon_title_key", 1, title_key, deterministic=True)
        create("colophon_title_words", 1, title_words, deterministic=True)


connection_created.connect(_register_sqlite_functions, dispatch_uid="colophon_title_key")


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


# --- The vocabulary: every word of the books' search documents ------------------------

# Typos are corrected against it (catalogue.typos). SQLite: an `fts5vocab` table over the
# FTS5 index, so it is in step with the books by construction. PostgreSQL: a table of the
# documents' lexemes, added to by triggers on catalogue_book (inserts, and updates that
# change a document: bulk_create(), update(), imports and merges included). A word whose
# last book went stays: it can only offer a correction that finds nothing.
BOOK_WORDS = "catalogue_book_word"
SQLITE_BOOK_WORDS = f"{BOOK_INDEX.name}_words"

BOOK_WORDS_POSTGRESQL = [
    # Looked up by equality (one typo); for two typos read whole: a few tens of
    # thousands of short words. (A trigram index here answered the equality lookups
    # too, and a thousand times slower.)
    f'CREATE TABLE {BOOK_WORDS} (word text COLLATE "C" PRIMARY KEY)',
    f"""CREATE FUNCTION colophon_add_book_words() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {BOOK_WORDS} (word)
            SELECT DISTINCT unnest(tsvector_to_array(search_document)) FROM new_books
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""",
    f"""CREATE FUNCTION colophon_add_changed_book_words() RETURNS trigger LANGUAGE plpgsql
        AS $$
        BEGIN
            INSERT INTO {BOOK_WORDS} (word)
            SELECT DISTINCT unnest(tsvector_to_array(n.search_document))
            FROM new_books n JOIN old_books o ON o.id = n.id
            WHERE n.search_document <> o.search_document
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""",
    # Per statement: an import's batch or a bulk update adds its words in one insert.
    "CREATE TRIGGER book_words_insert AFTER INSERT ON catalogue_book "
    "REFERENCING NEW TABLE AS new_books FOR EACH STATEMENT "
    "EXECUTE FUNCTION colophon_add_book_words()",
    "CREATE TRIGGER book_words_update AFTER UPDATE ON catalogue_book "
    "REFERENCING OLD TABLE AS old_books NEW TABLE AS new_books FOR EACH STATEMENT "
    "EXECUTE FUNCTION colophon_add_changed_book_words()",
    f"INSERT INTO {BOOK_WORDS} (word) "
    "SELECT DISTINCT unnest(tsvector_to_array(search_document)) FROM catalogue_book",
    # The exact title: what TitleKey compares, indexed for the books outside the ranked.
    """CREATE FUNCTION colophon_title_key(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT btrim(regexp_replace(
            lower(colophon_unaccent(regexp_replace($1, '[''\u2019]', '', 'g'))),
            '[^[:alnum:]]+', ' ', 'g')) $$""",
    "CREATE INDEX book_title_key ON catalogue_book (colophon_title_key(title))",
    f"""CREATE FUNCTION colophon_title_words(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT btrim(regexp_replace(' ' || colophon_title_key($1) || ' ',
                                          ' (({"|".join(TITLE_STOP_WORDS)}) )+', ' ', 'g')) $$""",
]
BOOK_WORDS_POSTGRESQL_DROP = [
    "DROP FUNCTION IF EXISTS colophon_title_words(text)",
    "DROP INDEX IF EXISTS book_title_key",
    "DROP FUNCTION IF EXISTS colophon_title_key(text)",
    "DROP TRIGGER IF EXISTS book_words_update ON catalogue_book",
    "DROP TRIGGER IF EXISTS book_words_insert ON catalogue_book",
    "DROP FUNCTION IF EXISTS colophon_add_changed_book_words()",
    "DROP FUNCTION IF EXISTS colophon_add_book_words()",
    f"DROP TABLE IF EXISTS {BOOK_WORDS}",
]
BOOK_WORDS_SQLITE = [
    f"CREATE VIRTUAL TABLE {SQLITE_BOOK_WORDS} USING fts5vocab({BOOK_INDEX.name}, 'row')"
]
BOOK_WORDS_SQLITE_DROP = [f"DROP TABLE IF EXISTS {SQLITE_BOOK_WORDS}"]
