"""Readers who liked a book also liked: stored per book by catalogue.related."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0012_book_rating_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="AlsoLiked",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("readers", models.PositiveIntegerField()),
                (
                    "book",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalogue.book",
                    ),
                ),
                (
                    "liked",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalogue.book",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "also liked",
                "constraints": [
                    models.UniqueConstraint(fields=("book", "liked"), name="also_liked_once")
                ],
            },
        ),
    ]
