"""Search that forgives (issue 25): the vocabulary typos are corrected against, and the
folded title key that puts the exact title first (catalogue.fulltext).

- PostgreSQL: the table `catalogue_book_word` of every lexeme of the books' search
  documents, kept by statement triggers on catalogue_book and filled from the books
  there; `colophon_title_key()` and its index on catalogue_book.
- SQLite: `catalogue_book_search_words`, an fts5vocab table over the FTS5 index (the
  title key is a Python function registered per connection: nothing to make).
"""

from django.db import migrations

from catalogue.fulltext import (
    BOOK_WORDS_POSTGRESQL,
    BOOK_WORDS_POSTGRESQL_DROP,
    BOOK_WORDS_SQLITE,
    BOOK_WORDS_SQLITE_DROP,
)


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0019_keep_shop_clicks")]

    operations = [
        migrations.RunPython(
            run({"postgresql": BOOK_WORDS_POSTGRESQL, "sqlite": BOOK_WORDS_SQLITE}),
            run({"postgresql": BOOK_WORDS_POSTGRESQL_DROP, "sqlite": BOOK_WORDS_SQLITE_DROP}),
        )
    ]
