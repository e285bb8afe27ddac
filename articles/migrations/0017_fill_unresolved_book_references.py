"""The references that found no book (0016) recorded for the renders stored already: in
each article's `rendered_body`, the `refs` without a book id in its `book_ids`, kept by
`references.reference_key` (a slug, or the ISBN-13 of any ISBN form), a batch of
articles at a time. Back: the rows go (saves and `refresh_embeds` write them again)."""

from django.db import migrations

BATCH = 500


def fill_unresolved_references(apps, schema_editor):
    from articles.references import unresolved_keys

    Article = apps.get_model("articles", "Article")
    UnresolvedBookReference = apps.get_model("articles", "UnresolvedBookReference")
    rows = Article.objects.order_by("pk").only("pk", "rendered_body")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        UnresolvedBookReference.objects.bulk_create(
            (
                UnresolvedBookReference(article_id=article.pk, reference=key)
                for article in batch
                for key in sorted(unresolved_keys(article.rendered_body))
            ),
            ignore_conflicts=True,  # a second run adds nothing
        )
        last = batch[-1].pk


def forget_unresolved_references(apps, schema_editor):
    apps.get_model("articles", "UnresolvedBookReference").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_unresolved_book_references"),
    ]

    operations = [
        migrations.RunPython(fill_unresolved_references, forget_unresolved_references),
    ]
