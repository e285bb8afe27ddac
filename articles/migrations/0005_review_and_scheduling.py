"""Articles go through review, and a draft has no publication time until it is published.

Drafts made before kept the moment they were created as their publication time, and
publishing one later dated it then. A draft whose time is not after its creation (the
form's default, taken when it opened) loses it, so publishing it takes "now"; a time
to come, which an editor chose to schedule it, stays.
"""

from django.db import migrations, models
from django.db.models import F


def forget_creation_times_of_drafts(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.filter(status="draft", published_at__lte=F("created_at")).update(
        published_at=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_article_version"),
        ("catalogue", "0009_book_version"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-published_at", "-pk"],
                "permissions": [("publish_article", "Can publish, schedule and withdraw articles")],
            },
        ),
        migrations.AlterField(
            model_name="article",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                db_index=True,
                help_text="A published article is public from this time on: set it in the future to schedule, or leave it blank to publish at once.",
                null=True,
                verbose_name="publication time",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("review", "In review"),
                    ("published", "Published"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="draft",
                max_length=10,
            ),
        ),
        migrations.RunPython(forget_creation_times_of_drafts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "published"), _negated=True),
                    ("published_at__isnull", False),
                    _connector="OR",
                ),
                name="published_article_has_time",
                violation_error_message="A published article needs a publication time.",
            ),
        ),
    ]
