"""Articles keep their body rendered at save (`Article.rendered_body`, added by 0013), so
a request no longer parses Markdown. Existing rows are rendered here, a batch at a time,
by the renderer of today (as 0012 counted words with today's counting): the render is
derived data, and an article whose stored render is missing or stale is rendered at each
request until `manage.py refresh_embeds` stores it again, so nothing depends on this
migration's renderer staying the same."""

from django.db import migrations

BATCH = 200


def fill_rendered_bodies(apps, schema_editor):
    from articles.rendering import prepare_body

    Article = apps.get_model("articles", "Article")
    rows = Article.objects.order_by("pk").only("pk", "body")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        for article in batch:
            article.rendered_body = prepare_body(article.body).as_json()
        Article.objects.bulk_update(batch, ["rendered_body"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_pictures_withdrawal_preview_links"),
        # The renderer looks up the books and aliases the bodies name.
        ("catalogue", "0019_keep_shop_clicks"),
    ]

    operations = [
        migrations.RunPython(fill_rendered_bodies, migrations.RunPython.noop, elidable=True),
    ]
