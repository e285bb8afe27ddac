"""The rating figures lists sort by become stored (generated) columns, and every order the
book list offers gets its index over public books; readers' "also liked" gets indexes
over ratings of 4+ stars. PostgreSQL only: the orders with NULLS LAST (SQLite refuses
it in an index), and for the list's "Title contains" filter a trigram index on
UPPER(title), which is what icontains compares."""

import django.db.models.expressions
import django.db.models.functions.comparison
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models
from django.db.models.functions import Upper


PUBLIC = models.Q(status="published")


def postgresql_indexes():
    return [
        models.Index(
            models.OrderBy(models.F("rating_mean"), descending=True, nulls_last=True),
            models.OrderBy(models.F("rating_total_count"), descending=True),
            models.F("id"),
            condition=PUBLIC,
            name="book_public_by_rating",
        ),
        models.Index(
            models.OrderBy(models.F("publication_year"), descending=True, nulls_last=True),
            models.F("id"),
            condition=PUBLIC,
            name="book_public_by_newest",
        ),
        models.Index(
            models.OrderBy(models.F("publication_year"), nulls_last=True),
            models.F("id"),
            condition=PUBLIC,
            name="book_public_by_oldest",
        ),
        GinIndex(OpClass(Upper("title"), name="gin_trgm_ops"), name="book_title_upper_trgm"),
    ]


def add_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in postgresql_indexes():
            schema_editor.add_index(apps.get_model("catalogue", "Book"), index)


def remove_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in postgresql_indexes():
            schema_editor.remove_index(apps.get_model("catalogue", "Book"), index)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0011_book_editor_rating"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="book",
            name="rating_mean",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(
                        models.Q(
                            ("ratings_1", 0),
                            ("ratings_2", 0),
                            ("ratings_3", 0),
                            ("ratings_4", 0),
                            ("ratings_5", 0),
                            ("source_ratings_1", 0),
                            ("source_ratings_2", 0),
                            ("source_ratings_3", 0),
                            ("source_ratings_4", 0),
                            ("source_ratings_5", 0),
                        ),
                        then=models.Value(None),
                    ),
                    default=django.db.models.expressions.CombinedExpression(
                        django.db.models.functions.comparison.Cast(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        django.db.models.expressions.CombinedExpression(
                                            django.db.models.expressions.CombinedExpression(
                                                models.F("ratings_1"),
                                                "+",
                                                models.F("source_ratings_1"),
                                            ),
                                            "+",
                                            django.db.models.expressions.CombinedExpression(
                                                django.db.models.expressions.CombinedExpression(
                                                    models.F("ratings_2"),
                                                    "+",
                                                    models.F("source_ratings_2"),
                                                ),
                                                "*",
                                                models.Value(2),
                                            ),
                                        ),
                                        "+",
                                        django.db.models.expressions.CombinedExpression(
                                            django.db.models.expressions.CombinedExpression(
                                                models.F("ratings_3"),
                                                "+",
                                                models.F("source_ratings_3"),
                                            ),
                                            "*",
                                            models.Value(3),
                                        ),
                                    ),
                                    "+",
                                    django.db.models.expressions.CombinedExpression(
                                        django.db.models.expressions.CombinedExpression(
                                            models.F("ratings_4"), "+", models.F("source_ratings_4")
                                        ),
                                        "*",
                                        models.Value(4),
                                    ),
                                ),
                                "+",
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("ratings_5"), "+", models.F("source_ratings_5")
                                    ),
                                    "*",
                                    models.Value(5),
                                ),
                            ),
                            models.FloatField(),
                        ),
                        "/",
                        django.db.models.functions.comparison.Cast(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        django.db.models.expressions.CombinedExpression(
                                            django.db.models.expressions.CombinedExpression(
                                                models.F("ratings_1"),
                                                "+",
                                                models.F("source_ratings_1"),
                                            ),
                                            "+",
                                            django.db.models.expressions.CombinedExpression(
                                                models.F("ratings_2"),
                                                "+",
                                                models.F("source_ratings_2"),
                                            ),
                                        ),
                                        "+",
                                        django.db.models.expressions.CombinedExpression(
                                            models.F("ratings_3"), "+", models.F("source_ratings_3")
                                        ),
                                    ),
                                    "+",
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("ratings_4"), "+", models.F("source_ratings_4")
                                    ),
                                ),
                                "+",
                                django.db.models.expressions.CombinedExpression(
                                    models.F("ratings_5"), "+", models.F("source_ratings_5")
                                ),
                            ),
                            models.FloatField(),
                        ),
                    ),
                    output_field=models.FloatField(),
                ),
                output_field=models.FloatField(),
                verbose_name="mean rating",
            ),
        ),
        migrations.AddField(
            model_name="book",
            name="rating_total_count",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.expressions.CombinedExpression(
                    django.db.models.expressions.CombinedExpression(
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    models.F("ratings_1"), "+", models.F("source_ratings_1")
                                ),
                                "+",
                                django.db.models.expressions.CombinedExpression(
                                    models.F("ratings_2"), "+", models.F("source_ratings_2")
                                ),
                            ),
                            "+",
                            django.db.models.expressions.CombinedExpression(
                                models.F("ratings_3"), "+", models.F("source_ratings_3")
                            ),
                        ),
                        "+",
                        django.db.models.expressions.CombinedExpression(
                            models.F("ratings_4"), "+", models.F("source_ratings_4")
                        ),
                    ),
                    "+",
                    django.db.models.expressions.CombinedExpression(
                        models.F("ratings_5"), "+", models.F("source_ratings_5")
                    ),
                ),
                output_field=models.IntegerField(),
                verbose_name="ratings",
            ),
        ),
        migrations.AddIndex(
            model_name="book",
            index=models.Index(
                models.F("title"),
                models.F("id"),
                name="book_by_title",
            ),
        ),
        migrations.AddIndex(
            model_name="book",
            index=models.Index(
                models.OrderBy(models.F("rating_total_count"), descending=True),
                models.F("id"),
                condition=models.Q(("status", "published")),
                name="book_public_by_ratings",
            ),
        ),
        migrations.AddIndex(
            model_name="rating",
            index=models.Index(
                condition=models.Q(("score__gte", 4)),
                fields=["book", "-updated_at"],
                name="rating_fans",
            ),
        ),
        migrations.AddIndex(
            model_name="rating",
            index=models.Index(
                condition=models.Q(("score__gte", 4), models.Q(("visitor", ""), _negated=True)),
                fields=["visitor", "book"],
                name="rating_liked_by_visitor",
            ),
        ),
        migrations.AddIndex(
            model_name="rating",
            index=models.Index(
                condition=models.Q(("score__gte", 4), ("user__isnull", False)),
                fields=["user", "book"],
                name="rating_liked_by_user",
            ),
        ),
        migrations.AddIndex(
            model_name="rating",
            index=models.Index(fields=["-updated_at", "-id"], name="rating_newest_first"),
        ),
        migrations.AddIndex(
            model_name="book",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["updated_at"],
                name="book_public_updated",
            ),
        ),
        migrations.AddIndex(
            model_name="book",
            index=models.Index(
                condition=models.Q(("status", "published"), _negated=True),
                fields=["id"],
                name="book_not_public",
            ),
        ),
        migrations.AddIndex(
            model_name="author",
            index=models.Index(fields=["updated_at"], name="author_updated"),
        ),
        migrations.RunPython(add_postgresql_indexes, remove_postgresql_indexes),
    ]
