"""The desk's roles as groups: Contributors, Editors, Administrators (desk/roles.py)."""

from django.db import migrations


def make_roles(apps, schema_editor):
    from desk.roles import sync_roles

    sync_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("articles", "0005_review_and_scheduling"),
        ("catalogue", "0009_book_version"),
    ]

    operations = [migrations.RunPython(make_roles, migrations.RunPython.noop)]
