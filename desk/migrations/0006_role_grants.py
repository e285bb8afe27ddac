"""The desk records which of its roles' permissions the rules gave (desk.RoleGrant), so
that a permission the rules stop giving is taken from the group (desk/roles.py).

A database made before knows only who holds what. A permission a role's group holds
that the rules named when this was written is recorded as the rules'; any other was
given by hand, and stays. The rules are copied here, not read from the apps: a release
that narrows a role and brings this migration at once still takes the permission away.
"""

import django.db.models.deletion
from django.db import migrations, models

# Each app's `desk_roles` when the desk began to record its grants ("app.*": all of them).
RULES_WHEN_RECORDING_BEGAN = {
    "Contributors": [
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.view_topic",
        "catalogue.view_author",
        "catalogue.view_book",
        "catalogue.view_readinglist",
        "catalogue.view_readinglistitem",
        "catalogue.view_subject",
        "images.add_image",
        "images.change_image",
        "images.view_image",
    ],
    "Editors": ["articles.*", "catalogue.*", "images.*"],
    "Administrators": ["articles.*", "catalogue.*", "images.*", "auth.*", "axes.*"],
}


def record_the_rules_grants(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    RoleGrant = apps.get_model("desk", "RoleGrant")
    for group in Group.objects.using(using).filter(name__in=RULES_WHEN_RECORDING_BEGAN):
        named = models.Q(pk__in=[])
        for rule in RULES_WHEN_RECORDING_BEGAN[group.name]:
            app_label, codename = rule.split(".")
            one = models.Q(content_type__app_label=app_label)
            named |= one if codename == "*" else one & models.Q(codename=codename)
        held = group.permissions.filter(named).values_list("pk", flat=True)
        RoleGrant.objects.using(using).bulk_create(
            [RoleGrant(group=group, permission_id=pk) for pk in held], ignore_conflicts=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("desk", "0005_merged_event"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoleGrant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="role_grants",
                        to="auth.group",
                    ),
                ),
                (
                    "permission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="auth.permission",
                    ),
                ),
            ],
            options={
                "default_permissions": (),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("group", "permission"), name="one_grant_per_permission"
                    )
                ],
            },
        ),
        migrations.RunPython(record_the_rules_grants, migrations.RunPython.noop),
    ]
