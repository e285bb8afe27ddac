"""One stored search document per book: title, author names, subtitle and series.

`Book.author_names` (the credited names, in order) is added and filled. Then:

- PostgreSQL: the `unaccent` extension; a text search configuration `colophon_search`
  (`simple`, so no stemming and no stop words, with accents folded); the generated,
  stored tsvector column `catalogue_book.search_document` (title weight A, author names
  B, subtitle C, series D) and its GIN index; `colophon_unaccent()`, an immutable wrapper
  of unaccent, and trigram indexes on the unaccented title and author names (typos).
  0003's expression index `book_fulltext` and plain `book_title_trgm` go: nothing
  queries them any more. (A generated column fixes the type of the columns it reads: a
  later change of `title`'s length must drop and re-add it.)
- SQLite: the FTS5 table `catalogue_book_search` over those four columns, kept in step
  by triggers (catalogue.fulltext.BOOK_INDEX), filled from the rows there.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

from catalogue.fulltext import BOOK_INDEX, author_names_update_sql

CONFIG = "colophon_search"


def fill_author_names(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(author_names_update_sql(schema_editor.connection.vendor))


def postgresql_forwards(schema_editor):
    execute = schema_editor.execute
    execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
        )
        schema = cursor.fetchone()[0]
    execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = simple)")
    execute(
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
        f"ALTER MAPPING FOR word, hword, hword_part WITH {schema}.unaccent, simple"
    )
    execute(
        "CREATE FUNCTION colophon_unaccent(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
        f"AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
    )
    weighted = " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, {column}), '{weight}')"
        for column, weight in [("title", "A"), ("author_names", "B"), ("subtitle", "C"),
                               ("series", "D")]
    )  # fmt: skip
    execute(
        f"ALTER TABLE catalogue_book ADD COLUMN search_document tsvector "
        f"GENERATED ALWAYS AS ({weighted}) STORED"
    )
    execute("CREATE INDEX book_search_document ON catalogue_book USING gin (search_document)")
    execute(
        "CREATE INDEX book_title_folded_trgm ON catalogue_book "
        "USING gin (colophon_unaccent(title) gin_trgm_ops)"
    )
    execute(
        "CREATE INDEX book_author_names_folded_trgm ON catalogue_book "
        "USING gin (colophon_unaccent(author_names) gin_trgm_ops)"
    )
    execute("DROP INDEX IF EXISTS book_fulltext")
    execute("DROP INDEX IF EXISTS book_title_trgm")


def postgresql_backwards(apps, schema_editor):
    execute = schema_editor.execute
    for index in ["book_author_names_folded_trgm", "book_title_folded_trgm"]:
        execute(f"DROP INDEX IF EXISTS {index}")
    execute("ALTER TABLE catalogue_book DROP COLUMN IF EXISTS search_document")
    execute("DROP FUNCTION IF EXISTS colophon_unaccent(text)")
    execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")
    Book = apps.get_model("catalogue", "Book")
    document = SearchVector("title", "subtitle", "series", config="simple")
    schema_editor.add_index(Book, GinIndex(document, name="book_fulltext"))
    schema_editor.add_index(
        Book, GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="book_title_trgm")
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        postgresql_forwards(schema_editor)
    elif schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            BOOK_INDEX.create(cursor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        postgresql_backwards(apps, schema_editor)
    elif schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            BOOK_INDEX.drop(cursor)


class Migration(migrations.Migration):
    # After 0012: its table rebuild on SQLite would drop the FTS5 triggers made here.
    dependencies = [("catalogue", "0013_also_liked")]

    operations = [
        migrations.AddField(
            model_name="book",
            name="author_names",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_author_names, migrations.RunPython.noop),
        migrations.RunPython(forwards, backwards),
    ]
