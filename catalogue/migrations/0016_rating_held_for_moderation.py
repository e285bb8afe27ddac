"""Ratings held for moderation: a `status` on Rating, a partial index for the held ones,
and "also liked"'s partial indexes rebuilt to read counted ratings only.

Shaped for a ratings table of millions of rows on PostgreSQL, read and written while it
runs: the migration is not atomic, so no step holds its lock until the last one ends.
- The column comes in its own short transaction (a constant default is only metadata on
  PostgreSQL 11+), giving up after LOCK_TIMEOUT rather than queueing every reader behind
  a long query; run the migration again if it does.
- The CHECK constraint is added NOT VALID (no scan under the exclusive lock), then
  validated, which scans under a lock that lets reads and writes go on.
- Indexes are built CONCURRENTLY, the new ones under temporary names before the old ones
  are dropped (concurrently) and the new ones renamed, so "also liked" never runs
  without its indexes. A build that fails leaves an INVALID index of its temporary name:
  drop it (DROP INDEX CONCURRENTLY) before running the migration again.
On SQLite (tests, development) the same operations run plainly. The state they leave is
the same on both, and equal to the models.
"""

from django.conf import settings
from django.db import migrations, models, transaction

LOCK_TIMEOUT = "10s"


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddFieldBriefly(migrations.AddField):
    """The column in one short transaction that waits at most LOCK_TIMEOUT for its lock."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            super().database_forwards(app_label, schema_editor, from_state, to_state)


class AddCheckNotValidThenValidate(migrations.AddConstraint):
    """On PostgreSQL, the check is added NOT VALID, then validated without blocking
    writes; elsewhere, plainly."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not _postgresql(schema_editor) or not self.allow_migrate_model(
            schema_editor.connection.alias, model
        ):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        table = schema_editor.quote_name(model._meta.db_table)
        constraint = self.constraint.constraint_sql(model, schema_editor)  # CONSTRAINT … CHECK …
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            schema_editor.execute(f"ALTER TABLE {table} ADD {constraint} NOT VALID")
        name = schema_editor.quote_name(self.constraint.name)
        schema_editor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")


class AddIndexConcurrently(migrations.AddIndex):
    """CREATE INDEX CONCURRENTLY on PostgreSQL, a plain CREATE INDEX elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if _postgresql(schema_editor):
                schema_editor.add_index(model, self.index, concurrently=True)
            else:
                schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if _postgresql(schema_editor):
                schema_editor.remove_index(model, self.index, concurrently=True)
            else:
                schema_editor.remove_index(model, self.index)


class RemoveIndexConcurrently(migrations.RemoveIndex):
    """DROP INDEX CONCURRENTLY on PostgreSQL, a plain DROP INDEX elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            if _postgresql(schema_editor):
                schema_editor.remove_index(model, index, concurrently=True)
            else:
                schema_editor.remove_index(model, index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            if _postgresql(schema_editor):
                schema_editor.add_index(model, index, concurrently=True)
            else:
                schema_editor.add_index(model, index)


COUNTED = models.Q(status="counted")
LIKED = models.Q(score__gte=4) & COUNTED

# "Also liked"'s indexes as they become: (final name, temporary name, fields, condition).
LIKED_INDEXES = [
    ("rating_fans", "rating_fans_new", ["book", "-updated_at"], LIKED),
    (
        "rating_liked_by_visitor",
        "rating_liked_by_visitor_new",
        ["visitor", "book"],
        LIKED & ~models.Q(visitor=""),
    ),
    (
        "rating_liked_by_user",
        "rating_liked_by_user_new",
        ["user", "book"],
        LIKED & models.Q(user__isnull=False),
    ),
]


class Migration(migrations.Migration):
    atomic = False  # each step commits on its own: see the module's docstring

    dependencies = [
        ("catalogue", "0015_rate_limit_counters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddFieldBriefly(
            model_name="rating",
            name="status",
            field=models.CharField(
                choices=[("counted", "counted"), ("held", "held for moderation")],
                default="counted",
                max_length=8,
            ),
        ),
        AddCheckNotValidThenValidate(
            model_name="rating",
            constraint=models.CheckConstraint(
                condition=models.Q(status__in=["counted", "held"]), name="rating_status_known"
            ),
        ),
        AddIndexConcurrently(
            model_name="rating",
            index=models.Index(
                condition=models.Q(status="held"),
                fields=["-updated_at", "-id"],
                name="rating_held",
            ),
        ),
        *[
            AddIndexConcurrently(
                model_name="rating",
                index=models.Index(fields=fields, condition=condition, name=temporary),
            )
            for _, temporary, fields, condition in LIKED_INDEXES
        ],
        *[
            RemoveIndexConcurrently(model_name="rating", name=name)
            for name, _, _, _ in LIKED_INDEXES
        ],
        *[
            migrations.RenameIndex(model_name="rating", new_name=name, old_name=temporary)
            for name, temporary, _, _ in LIKED_INDEXES
        ],
    ]
