"""Search at a million books (issue 25), PostgreSQL only:

- an index on `colophon_title_words(title)`, so that the books whose title's words but
  the little ones are the query's ("road" for The Road) are found however little read,
  as the exact title is through `book_title_key` (0020);
- fuzzystrmatch, whose `levenshtein_less_equal` narrows the words two typos away in the
  database (catalogue.typos), not letter by letter in Python.
"""

from django.db import migrations

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS fuzzystrmatch",
    "CREATE INDEX IF NOT EXISTS book_title_words ON catalogue_book (colophon_title_words(title))",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS book_title_words",
    "DROP EXTENSION IF EXISTS fuzzystrmatch",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0020_book_words")]

    operations = [migrations.RunPython(run(POSTGRESQL), run(POSTGRESQL_DROP))]
