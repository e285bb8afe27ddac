"""Full-text and trigram indexes for search, on PostgreSQL only (SQLite has a fallback).

The expressions match the ones catalogue.search queries with, so the planner uses them.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def indexes(apps):
    Book = apps.get_model("catalogue", "Book")
    Author = apps.get_model("catalogue", "Author")
    return [
        (Book, GinIndex(SearchVector("title", "subtitle", "series", config="simple"), name="book_fulltext")),
        (Book, GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="book_title_trgm")),
        (Author, GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="author_name_trgm")),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model, index in indexes(apps):
        schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in indexes(apps):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_import_fields")]
    operations = [migrations.RunPython(create, drop)]
