"""Articles keep their words' count (`Article.word_count`, added by 0011) for the reading
time on their page and in every list of teasers. Existing rows are filled here, a
thousand at a time, as 0008 filled the excerpts."""

from django.db import migrations

BATCH = 1000


def fill_word_counts(apps, schema_editor):
    from articles.models import word_count_of
    from articles.rendering import plain_text

    Article = apps.get_model("articles", "Article")
    rows = Article.objects.order_by("pk").only("pk", "title", "body")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        for article in batch:
            article.word_count = word_count_of(article.title, plain_text(article.body))
        Article.objects.bulk_update(batch, ["word_count"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_lists_words_share_image")]

    operations = [
        migrations.RunPython(fill_word_counts, migrations.RunPython.noop, elidable=True),
    ]
