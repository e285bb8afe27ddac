"""Articles written before owners were kept take, as their owner, whoever saved their
first version in the desk (django-reversion's history), so a contributor's earlier
drafts stay theirs to edit; an article with no kept version keeps none (editors only)."""

from django.db import migrations

BATCH = 1_000


def owners_from_history(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Version = apps.get_model("reversion", "Version")
    content_type = ContentType.objects.filter(app_label="articles", model="article").first()
    if content_type is None:
        return  # a new database: no history to read
    unowned = set(
        str(pk) for pk in Article.objects.filter(created_by__isnull=True).values_list("pk", flat=True)
    )
    first_saver: dict[int, list[int]] = {}
    seen: set[str] = set()
    versions = (
        Version.objects.filter(content_type=content_type, revision__user__isnull=False)
        .order_by("object_id", "revision__date_created", "pk")
        .values_list("object_id", "revision__user_id")
    )
    for object_id, user_id in versions.iterator(chunk_size=BATCH):
        if object_id in seen or object_id not in unowned:
            continue
        seen.add(object_id)
        first_saver.setdefault(user_id, []).append(int(object_id))
    for user_id, article_ids in first_saver.items():
        for start in range(0, len(article_ids), BATCH):
            Article.objects.filter(
                pk__in=article_ids[start : start + BATCH], created_by__isnull=True
            ).update(created_by_id=user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_article_created_by"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [migrations.RunPython(owners_from_history, migrations.RunPython.noop)]
