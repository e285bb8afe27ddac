"""Articles get a stored, indexed search document (search no longer builds a vector for
every article at query time).

- PostgreSQL: the generated tsvector column `articles_article.search_document` in the
  `english` configuration (title weight A; standfirst and body B) and its GIN index.
- SQLite: the FTS5 table `articles_article_search` over title, standfirst and body, kept
  in step by triggers (articles.models.ARTICLE_INDEX), filled from the rows there.
"""

from django.db import migrations

from articles.models import ARTICLE_INDEX

# A tsvector holds at most 1 MB: the first 300,000 characters of the text (an article
# holds 500,000) keep any body of real words well inside it.
DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, standfirst || ' ' || left(body, 300000)), 'B')"
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE articles_article ADD COLUMN search_document tsvector "
            f"GENERATED ALWAYS AS ({DOCUMENT}) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX article_search_document ON articles_article USING gin (search_document)"
        )
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            ARTICLE_INDEX.create(cursor)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE articles_article DROP COLUMN search_document")
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            ARTICLE_INDEX.drop(cursor)


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_review_and_scheduling")]

    operations = [migrations.RunPython(forwards, backwards)]
