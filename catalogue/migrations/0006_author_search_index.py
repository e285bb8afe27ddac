"""The trigram index on author names moves to UPPER(name) (what icontains compares), so
PostgreSQL no longer answers exact "name IN (…)" lookups through it (4 ms a name) when
the plain btree index added in 0005 does it in microseconds. PostgreSQL only."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations
from django.db.models.functions import Upper


def indexes(apps):
    Author = apps.get_model("catalogue", "Author")
    return (
        Author,
        GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="author_name_trgm"),
        GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="author_name_upper_trgm"),
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model, old, new = indexes(apps)
    schema_editor.remove_index(model, old)
    schema_editor.add_index(model, new)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model, old, new = indexes(apps)
    schema_editor.remove_index(model, new)
    schema_editor.add_index(model, old)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0005_author_name_index")]
    operations = [migrations.RunPython(forwards, backwards)]
