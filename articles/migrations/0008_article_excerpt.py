"""Articles keep their body's opening words as plain text (`Article.excerpt`), so that a
list of teasers (a book's articles, the archive, the feed, search) parses no Markdown.
Existing rows are filled here, a thousand at a time."""

from django.db import migrations, models

BATCH = 1000


def fill_excerpts(apps, schema_editor):
    from articles.models import excerpt_of

    Article = apps.get_model("articles", "Article")
    rows = Article.objects.order_by("pk").only("pk", "body")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        for article in batch:
            article.excerpt = excerpt_of(article.body)
        Article.objects.bulk_update(batch, ["excerpt"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_article_updated_index")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="excerpt",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_excerpts, migrations.RunPython.noop, elidable=True),
    ]
